"""Hostile shapes of input are refused with a reason, before anything is stored: too many
columns, a row too long, JSON nested too deep, a number with too many digits. Each check is
linear in the input, so a refusal is as cheap as reading the file once."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from microwork.lib.errors import ApplicationError
from microwork.projects.models import Batch, Task
from microwork.projects.services.batch_runs import batch_process
from microwork.projects.services.batches import INLINE_MAX_BYTES
from microwork.projects.tests.factories import upload

WIDE = 20_000


def _nothing_stored():
    assert not Task.objects.exists()
    assert not Batch.objects.filter(status="done").exists()


def _refused(project, user, content, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as info:
        upload(project, user, content, **kwargs)
    _nothing_stored()
    return info.value


def _wide_csv(columns: int) -> bytes:
    header = ",".join(["text", *(f"c{i}" for i in range(columns - 1))])
    return (header + "\n" + "x" + "," * (columns - 1) + "\n").encode()


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_twenty_thousand_columns_are_refused_naming_the_limit(project, rita):
    # The duplicate-column check used to take 17 seconds on this header, inside the request.
    error = _refused(project, rita, _wide_csv(WIDE))
    [problem] = error.details
    assert problem["field"] == "columns" and problem["line"] == 1
    assert "20000 columns" in problem["reason"] and "1000" in problem["reason"]


def test_twenty_thousand_duplicate_columns_are_refused_too(project, rita):
    header = ",".join(["text"] + ["same"] * (WIDE - 1))
    error = _refused(project, rita, (header + "\nx\n").encode())
    assert error.details[0]["field"] == "columns"


def test_duplicate_columns_under_the_limit_are_named(project, rita):
    error = _refused(project, rita, b"text,note,Note\nx,a,b\n")
    assert error.details[0]["field"] == "note"
    assert "more than once" in error.details[0]["reason"]


def test_the_column_limit_is_a_setting(project, rita, settings):
    settings.UPLOAD_MAX_COLUMNS = 3
    error = _refused(project, rita, b"text,a,b,c\nx,1,2,3\n")
    assert "4 columns" in error.details[0]["reason"]
    settings.UPLOAD_MAX_COLUMNS = 4
    assert upload(project, rita, b"text,a,b,c\nx,1,2,3\n").batch.rows_added == 1


def test_a_json_row_with_too_many_fields_is_refused(relevance_project, rita):
    row = {"query": "q", "result_title": "t", **{f"f{i}": 1 for i in range(WIDE)}}
    content = json.dumps(row) + "\n"
    error = _refused(relevance_project, rita, content, name="t.jsonl", content_type="")
    [problem] = error.details
    assert (problem["row"], problem["field"]) == (1, "row")
    assert "20002 fields" in problem["reason"]


def test_a_row_longer_than_the_limit_is_refused(project, rita, settings):
    settings.UPLOAD_MAX_ROW_BYTES = 1000
    content = b"text\nshort\n" + b"x" * 5000 + b"\n"
    error = _refused(project, rita, content)
    [problem] = error.details
    assert problem["line"] == 3 and "1000 bytes" in problem["reason"]


def test_a_quoted_value_spanning_lines_counts_as_one_row(project, rita, settings):
    settings.UPLOAD_MAX_ROW_BYTES = 1000
    many_lines = "\n".join(["y" * 100] * 20)
    error = _refused(project, rita, f'text\nfine\n"{many_lines}"\n')
    assert error.details[0]["row"] == 2 and "1000 bytes" in error.details[0]["reason"]


def test_one_endless_line_is_refused_without_reading_it_all(project, rita, settings):
    settings.UPLOAD_MAX_ROW_BYTES = 10_000
    content = b"text\n" + b"x" * 900_000
    error = _refused(project, rita, content)
    assert "10000 bytes" in error.details[0]["reason"]


def test_deep_nesting_in_json_lines_is_refused(relevance_project, rita):
    content = '{"query": "q", "result_title": ' + _deep(100_000) + "}\n"
    error = _refused(relevance_project, rita, content, name="t.jsonl", content_type="")
    [problem] = error.details
    assert problem["row"] == 1 and "nested more than 32 levels" in problem["reason"]


def test_nesting_under_the_interpreter_limit_is_refused_by_the_setting(relevance_project, rita):
    content = '{"query": "q", "result_title": "t", "extra": ' + _deep(40) + "}\n"
    error = _refused(relevance_project, rita, content, name="t.jsonl", content_type="")
    assert "nested more than 32 levels" in error.details[0]["reason"]


def test_deep_nesting_in_a_json_array_is_refused(relevance_project, rita):
    content = '[{"query": "q", "result_title": "t"}, {"query": ' + _deep(50_000) + "}]"
    error = _refused(relevance_project, rita, content, name="t.json", content_type="")
    [problem] = error.details
    assert (problem["row"], problem["field"]) == (2, "row")
    assert "nested" in problem["reason"]


def test_a_million_digit_number_is_refused(relevance_project, rita):
    content = '{"query": "q", "result_title": "t", "n": ' + "9" * 1_000_000 + "}\n"
    error = _refused(relevance_project, rita, content, name="t.jsonl", content_type="")
    [problem] = error.details
    assert problem["row"] == 1 and "more than 100 digits" in problem["reason"]


def test_a_huge_number_in_a_json_array_is_refused(relevance_project, rita):
    content = '[{"query": "q", "result_title": "t", "n": 1' + "0" * 5000 + "}]"
    error = _refused(relevance_project, rita, content, name="t.json", content_type="")
    assert "more than 100 digits" in error.details[0]["reason"]


def test_a_deep_answer_cell_is_a_row_problem(multi_project, rita):
    content = "text,answer\nfirst,\nsecond," + '"' + _deep(5000) + '"\n'
    error = _refused(multi_project, rita, content)
    [problem] = error.details
    assert (problem["row"], problem["field"]) == (2, "answer")


def test_a_million_columns_are_refused_before_the_file_is_stored(project, rita, tmp_path, settings):
    # A million columns once kept the background worker busy for hours.
    settings.MEDIA_ROOT = tmp_path
    content = _wide_csv(1_000_000)
    assert len(content) > INLINE_MAX_BYTES
    error = _refused(project, rita, content)
    assert error.details[0]["line"] == 1 and "1048576 bytes" in error.details[0]["reason"]
    assert not Batch.objects.exists()
    assert not (tmp_path / "uploads").exists() or not list((tmp_path / "uploads").iterdir())


def test_a_wide_header_of_a_big_file_is_refused_before_it_is_stored(
    project, rita, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    content = _wide_csv(WIDE) + b"x\n" * 700_000
    assert len(content) > INLINE_MAX_BYTES
    error = _refused(project, rita, content)
    assert error.details[0]["field"] == "columns"
    assert not Batch.objects.exists()


def test_a_long_row_deep_in_a_big_file_fails_the_batch_with_the_reason(
    project, rita, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_MAX_ROW_BYTES = 100_000
    content = b"text\n" + b"a row of text\n" * 100_000 + b"x" * 200_000 + b"\n"
    batch = upload(project, rita, content).batch
    assert batch.status == "pending"
    batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "Line 100002 is longer than 100000 bytes" in batch.errors[0]["reason"]
    assert not Task.objects.exists()
    assert not list((tmp_path / "uploads").iterdir())


# --- the same limits on every path that takes JSON ------------------------------------------


@pytest.fixture
def api_post(client, rita_token, acme):
    def post(url: str, body: str):
        return client.post(
            url,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {rita_token}"},
        )

    return post


def test_api_upload_of_a_wide_file_names_the_columns(client, rita_token, project):
    r = client.post(
        f"/api/projects/{project.pk}/tasks",
        {"file": SimpleUploadedFile("wide.csv", _wide_csv(WIDE), content_type="text/csv")},
        headers={"Authorization": f"Bearer {rita_token}"},
    )
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["details"][0]["field"] == "columns"
    _nothing_stored()


def test_upload_page_shows_the_column_limit(client, rita, project):
    client.force_login(rita)
    r = client.post(
        reverse("projects:upload", args=[project.pk]),
        {"file": SimpleUploadedFile("wide.csv", _wide_csv(WIDE))},
    )
    assert r.status_code == 400
    assert "the limit is 1000" in r.content.decode()
    _nothing_stored()


def test_api_tasks_body_nested_too_deep_is_a_400(api_post, relevance_project):
    body = '{"tasks": [{"query": "q", "result_title": "t", "x": ' + _deep(100_000) + "}]}"
    r = api_post(f"/api/projects/{relevance_project.pk}/tasks", body)
    assert r.status_code == 400, r.content
    assert r.json()["field"] == "tasks" and "nested" in r.json()["message"]
    _nothing_stored()


def test_api_tasks_body_with_a_huge_number_is_a_400(api_post, relevance_project):
    body = '{"tasks": [{"query": "q", "result_title": "t", "n": ' + "1" * 1_000_000 + "}]}"
    r = api_post(f"/api/projects/{relevance_project.pk}/tasks", body)
    assert r.status_code == 400, r.content
    assert "more than 100 digits" in r.json()["message"]
    _nothing_stored()


def test_any_api_body_nested_too_deep_is_a_400_naming_the_limit(api_post):
    r = api_post("/api/projects", '{"name": ' + _deep(100_000) + "}")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "too_large" and "nested" in r.json()["message"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        # PostgreSQL refuses the character in any text column: a 500 there until it was
        # refused on the way in, on every database alike.
        ("/api/quality/qualifications", {"name": "Senior\u0000 raters"}, "name"),
        (
            "/api/projects",
            {"name": "ok", "config": {"labels": ["a", "b\u0000"]}},
            "config.labels.1",
        ),
    ],
)
def test_text_holding_a_nul_character_is_a_400_naming_the_field(api_post, path, body, field):
    r = api_post(path, json.dumps(body))
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "invalid_text"
    assert r.json()["field"] == field and "NUL" in r.json()["message"]


def test_a_field_name_holding_a_nul_character_is_a_400(api_post):
    r = api_post("/api/quality/qualifications", json.dumps({"name": "ok", "x\u0000": 1}))
    assert r.status_code == 400 and r.json()["code"] == "invalid_text"
    _nothing_stored()


def test_an_answer_with_a_huge_number_is_a_400(client, walt_token, rita):
    from microwork.work.tests.factories import add_tasks, live_project

    project = live_project(rita)
    add_tasks(project, 1)
    headers = {"Authorization": f"Bearer {walt_token}"}
    claimed = client.post(f"/api/work/projects/{project.pk}/claim", headers=headers).json()
    assignment = claimed["assignment"]["id"]
    for body in ('{"answer": ' + "7" * 1_000_000 + "}", '{"answer": ' + _deep(100_000) + "}"):
        r = client.post(
            f"/api/work/assignments/{assignment}/submit",
            body,
            content_type="application/json",
            headers=headers,
        )
        assert r.status_code == 400, r.content
        assert r.json()["code"] == "too_large"
    assert not project.submissions.exists()
