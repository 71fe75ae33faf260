"""A subscription's address: http or https, and no private network unless the setting allows
it — checked when it is saved and again, on the resolved address, at each delivery."""

import pytest

from microwork.lib.errors import ApplicationError
from microwork.webhooks.addresses import AddressRefused, resolve, url_check


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "javascript:alert(1)",
        "http:///nohost",
        "https://user:pass@example.org/",
        "",
        "https://example.org/" + "x" * 600,
        "http://example.org:99999/",
    ],
)
def test_bad_addresses_are_refused_naming_the_field(url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(ApplicationError) as refused:
        url_check(url)
    assert refused.value.field == "url"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/",
        "http://10.0.0.5/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://192.168.1.1/",
    ],
)
def test_private_addresses_are_refused_unless_allowed(url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(AddressRefused) as refused:
        url_check(url)
    assert refused.value.code == "private_address"
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert url_check(url) == url


def test_a_name_resolving_to_a_private_address_is_refused_at_delivery(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    # "localhost" passes the form check (a name), but what it resolves to is private.
    assert url_check("http://localhost:9/") == "http://localhost:9/"
    with pytest.raises(AddressRefused):
        resolve("localhost", 9)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert resolve("localhost", 9) in ("127.0.0.1", "::1")


def test_public_addresses_pass(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert url_check("https://93.184.215.14/hook") == "https://93.184.215.14/hook"
    assert url_check(" https://hooks.example.org/x?y=1 ") == "https://hooks.example.org/x?y=1"
