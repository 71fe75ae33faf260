import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from microwork.lib.net import address_bucket, client_address


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request("198.51.100.4", "1.2.3.4")) == "198.51.100.4"


def test_a_request_not_from_a_trusted_proxy_is_its_own_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request("198.51.100.4", "1.2.3.4")) == "198.51.100.4"


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("203.0.113.9", "203.0.113.9"),
        # Entries left of the first untrusted hop were written by the client.
        ("1.2.3.4, 203.0.113.9", "203.0.113.9"),
        # Several proxies of ours in a row are skipped.
        ("1.2.3.4, 203.0.113.9, 10.1.2.3, 10.0.0.9", "203.0.113.9"),
        ("203.0.113.9:51234", "203.0.113.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        # A hop our proxy could not name: the proxy stands for the client.
        ("203.0.113.9, unknown", "10.0.0.5"),
        ("", "10.0.0.5"),
    ],
)
def test_the_client_is_the_first_untrusted_hop_from_the_right(settings, forwarded, client):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request("10.0.0.5", forwarded)) == client


def test_a_bad_trusted_proxy_entry_is_a_configuration_error(settings):
    settings.TRUSTED_PROXIES = ["not-an-address"]
    with pytest.raises(ImproperlyConfigured):
        client_address(request("10.0.0.5", "1.2.3.4"))


def test_an_ipv6_client_is_counted_by_its_64():
    assert address_bucket("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::"
    assert address_bucket("203.0.113.9") == "203.0.113.9"
    assert address_bucket(None) is None
