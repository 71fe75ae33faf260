"""The rules page workers read: written for them (no notes for maintainers), and the French
page says what the English one says, section for section, point for point."""

import re

from django.urls import reverse


def _page(client, user, language):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    html = client.get(reverse("quality:rules_doc")).content.decode()
    return html.split('<article class="card doc">', 1)[1].split("</article>", 1)[0]


def test_written_for_workers_and_the_same_in_both_languages(client, walt):
    english, french = _page(client, walt, "en"), _page(client, walt, "fr")
    for text in (english, french):
        # Nothing aimed at the people who keep the file.
        assert not re.search(r"docs/|\.md\b|<!--|maintainer|mainteneur", text)
        assert "Beta(" not in text
    assert "Règles de qualité et recours" in french
    for tag in ("<h2", "<li", "<tr", "<table"):
        assert english.count(tag) == french.count(tag), tag
