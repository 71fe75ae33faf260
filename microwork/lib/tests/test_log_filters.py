"""A refused page is logged as one warning line; a server error keeps its traceback."""

import logging

from django.urls import reverse

from microwork.lib.log_filters import RefusalsOnOneLine


def test_a_403_is_one_warning_line_without_a_traceback(client, walt, caplog):
    client.force_login(walt)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("operator")).status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.WARNING and record.status_code == 403
    assert record.exc_info is None
    assert "\n" not in logging.Formatter().format(record)


def test_a_500_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), info)
    record.status_code = 500
    assert RefusalsOnOneLine().filter(record) and record.exc_info is info
    assert "Traceback" in logging.Formatter().format(record)
