"""Error pages in the site's layout, in the reader's language, and a favicon that is served."""

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import translation


def test_a_missing_page_is_in_the_layout_and_translated(client, nina):
    page = client.get("/nowhere-at-all/")
    assert page.status_code == 404
    html = page.content.decode()
    assert "Page not found" in html
    assert 'name="viewport"' in html and "favicon.svg" in html and "site.css" in html
    client.force_login(nina)
    html = client.get("/nowhere-at-all/").content.decode()
    assert "Page introuvable" in html
    assert '<html lang="fr">' in html


def test_a_refused_page_says_why(client, walt):
    client.force_login(walt)
    page = client.get(reverse("operator"))
    assert page.status_code == 403
    html = page.content.decode()
    assert "This page is for operators." in html and "Not allowed" in html


def test_the_server_error_page_needs_no_context_and_no_database(settings):
    # Django draws 500.html with an empty context; a failing database must not be asked.
    with translation.override("en"):
        html = get_template("500.html").render({})
    assert "Something went wrong" in html and "site.css" in html and 'href="/"' in html


CRASH_URLS = __name__ + "_crash"


@pytest.mark.django_db
def test_a_crash_shows_the_server_error_page(settings):
    import sys
    import types

    from django.urls import path

    def boom(request):
        raise RuntimeError("the database went away")

    module = types.ModuleType(CRASH_URLS)
    module.urlpatterns = [path("boom/", boom)]  # type: ignore[attr-defined]
    sys.modules[CRASH_URLS] = module
    settings.ROOT_URLCONF = CRASH_URLS
    page = Client(raise_request_exception=False).get("/boom/")
    assert page.status_code == 500
    assert "Something went wrong" in page.content.decode()


def test_a_request_that_cannot_be_read_is_in_the_layout(client, settings):
    page = client.get("/", headers={"host": "not allowed here"})
    assert page.status_code == 400
    assert "could not be read" in page.content.decode()


def test_the_favicon_is_served_and_linked(client):
    assert finders.find("microwork/favicon.svg")
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer.url.endswith("favicon.svg")
    assert 'rel="icon"' in client.get(reverse("accounts:login")).content.decode()
