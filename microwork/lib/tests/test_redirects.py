import pytest
from django.test import RequestFactory

from microwork.lib.redirects import MAX_NEXT_LENGTH, safe_next_url, safe_referer_path
from microwork.lib.tests.redirect_attacks import OPEN_REDIRECT_ATTACKS


@pytest.mark.parametrize("attack", OPEN_REDIRECT_ATTACKS)
def test_a_value_that_leaves_the_site_falls_back_to_the_default(attack):
    assert safe_next_url(attack) == ""
    assert safe_next_url(attack, default="/home/") == "/home/"


@pytest.mark.parametrize(
    "path", ["/", "/work/", "/projects/3/?page=2", "/payments/billing/#spend", "/a%20b/"]
)
def test_a_path_on_this_site_is_kept(path):
    assert safe_next_url(path) == path


@pytest.mark.parametrize("value", [None, 3, b"/work/", "", "/" + "a" * MAX_NEXT_LENGTH])
def test_what_is_not_a_short_string_is_refused(value):
    assert safe_next_url(value, default="/") == "/"


@pytest.mark.parametrize(
    ("referer", "expected"),
    [
        ("http://testserver/work/?x=1", "/work/?x=1"),
        ("https://testserver/quality/", "/quality/"),
        ("http://evil.example/work/", "/fallback/"),
        ("http://testserver.evil.example/work/", "/fallback/"),
        ("http://testserver/\\evil.example/", "/fallback/"),
        ("http://testserver//evil.example/", "/fallback/"),
        ("javascript:alert(1)", "/fallback/"),
        ("/work/", "/fallback/"),
        ("", "/fallback/"),
    ],
)
def test_the_referer_counts_only_when_it_is_one_of_our_pages(referer, expected):
    request = RequestFactory().get("/", HTTP_REFERER=referer)
    assert safe_referer_path(request, default="/fallback/") == expected
