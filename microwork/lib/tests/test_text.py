"""Instructions are requesters' Markdown shown to workers: only web and mail links survive."""

import pytest

from microwork.lib.text import render_markdown


@pytest.mark.parametrize(
    "source",
    [
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![pic](data:image/svg+xml;base64,PHN2Zy8+)",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="p">',
        "[run](javascript:alert(1))",
    ],
)
def test_data_and_script_urls_are_stripped(source):
    html = render_markdown(source)
    assert "data:" not in html and "javascript:" not in html


def test_web_and_mail_links_and_images_are_kept():
    html = render_markdown(
        "[site](https://example.org/a) [plain](http://example.org) [mail](mailto:help@example.org)"
        " ![cat](https://img.example/cat.jpg)"
    )
    assert 'href="https://example.org/a"' in html
    assert 'href="http://example.org"' in html
    assert 'href="mailto:help@example.org"' in html
    assert 'src="https://img.example/cat.jpg"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
