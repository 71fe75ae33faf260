"""Which addresses a delivery may be sent to. A webhook URL is typed by a requester and
fetched by the server, so without a check it would let anyone make the server call its own
private network (the database, a cloud's metadata service): only public addresses are
allowed, unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on (development and tests, whose receivers
listen on the loopback). The check is made on the resolved addresses, and the connection is
then made to the address checked, so a name that resolves differently the second time
(DNS rebinding) reaches nothing new."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError

URL_MAX_LENGTH = 500


class AddressRefused(ApplicationError):
    pass


def url_check(url: str) -> str:
    """The URL cleaned, or a refusal naming the `url` field: http or https, a host, no
    credentials in it. Its addresses are checked again at each delivery."""
    url = (url or "").strip()
    if not url:
        raise ApplicationError(_("Give the address to send events to."), field="url")
    if len(url) > URL_MAX_LENGTH:
        raise ApplicationError(
            _("Keep the address under %(n)d characters.") % {"n": URL_MAX_LENGTH}, field="url"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ApplicationError(_("This address is not a valid URL."), field="url") from None
    if parts.scheme not in ("http", "https"):
        raise ApplicationError(_("The address must start with http:// or https://."), field="url")
    if not parts.hostname:
        raise ApplicationError(_("The address has no host name."), field="url")
    if parts.username or parts.password:
        raise ApplicationError(
            _("Put no user name or password in the address; check the signature instead."),
            field="url",
        )
    if port == 0:
        raise ApplicationError(_("This address is not a valid URL."), field="url")
    literal = _literal_ip(parts.hostname)
    if literal is not None and not _allowed(literal):
        raise AddressRefused(
            _("This address is on a private network; events are sent only to public ones."),
            code="private_address",
            field="url",
        )
    return url


def _literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> str:
    """One address of `host` to connect to, every one of them checked first: a name with one
    private address among public ones is refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(
            _("The host name could not be resolved: %(reason)s") % {"reason": exc},
            code="unresolved",
            field="url",
        ) from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise AddressRefused(_("The host name has no address."), code="unresolved", field="url")
    for address in addresses:
        if not _allowed(ipaddress.ip_address(address.split("%")[0])):
            raise AddressRefused(
                _("This address is on a private network; events are sent only to public ones."),
                code="private_address",
                field="url",
            )
    return addresses[0]
