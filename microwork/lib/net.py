"""The client's network address, read the way a proxy in front of the platform reports it."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address
type Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# An IPv6 client usually holds a whole /64: counting single addresses would give it 2**64 of
# them to spread attempts over.
IPV6_CLIENT_PREFIX = 64


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from None


def _parse(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(request: HttpRequest) -> str | None:
    """The address of whoever sent the request.

    Without TRUSTED_PROXIES it is REMOTE_ADDR, whatever headers say: anyone can write an
    X-Forwarded-For. With it, the header is read from the right, where each trusted proxy
    appended the address it received from, skipping hops that are trusted proxies themselves;
    the first untrusted hop is the client. Entries left of it were written by the client and
    are never believed."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    trusted = _trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not trusted:
        return str(remote)

    def is_trusted(address: Address) -> bool:
        return any(address in network for network in trusted)

    client = remote
    if is_trusted(client):
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(hops):
            address = _parse(hop)
            if address is None:
                # A hop a proxy could not name ("unknown"): nothing further left can be trusted,
                # so the nearest proxy stands for the client.
                break
            client = address
            if not is_trusted(address):
                break
    return str(client)


def address_bucket(address: str | None) -> str | None:
    """The unit one client is counted in: its IPv4 address, or its IPv6 /64 network."""
    if not address:
        return None
    parsed = ipaddress.ip_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False)
        return str(network.network_address)
    return str(parsed)
