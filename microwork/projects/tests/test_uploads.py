import io
import json

import pytest

from microwork.lib.errors import ApplicationError
from microwork.projects.models import Batch, Task
from microwork.projects.services.batches import batch_create_from_records, batch_upload
from microwork.projects.services.projects import project_set_status
from microwork.projects.tests.factories import upload


def refused(project, user, content, **kwargs):
    with pytest.raises(ApplicationError) as info:
        upload(project, user, content, **kwargs)
    assert not Task.objects.exists()
    return info.value


def test_csv_rows_become_tasks_with_gold(project, rita):
    outcome = upload(
        project,
        rita,
        "id,text,image_url,answer,explanation,priority\n"
        "a1,A red car,,,,\n"
        "a2,,https://img.example/2.jpg,,,5\n"
        'a3,"Blood, lots",,gory,Any blood is gory,\n',
    )
    batch = outcome.batch
    assert (batch.status, batch.rows_added, batch.gold_added) == ("done", 3, 1)
    tasks = {t.external_id: t for t in Task.objects.all()}
    assert tasks["a1"].data == {"text": "A red car"} and not tasks["a1"].is_gold
    assert tasks["a2"].data == {"image_url": "https://img.example/2.jpg"}
    assert tasks["a2"].priority == 5
    assert (tasks["a3"].is_gold, tasks["a3"].gold_answer) == (True, "gory")
    assert tasks["a3"].gold_explanation == "Any blood is gory"
    assert tasks["a3"].row_number == 3


def test_semicolon_csv_with_bom_and_crlf(project, rita):
    content = "\ufefftext;answer\r\nOne;\r\nTwo;ok\r\n".encode()
    batch = upload(project, rita, content).batch
    assert batch.rows_added == 2
    assert Task.objects.get(row_number=2).gold_answer == "ok"


def test_quoted_newlines_stay_in_one_field(project, rita):
    upload(project, rita, 'text\n"line one\nline two"\nshort\n')
    assert Task.objects.count() == 2
    assert Task.objects.get(row_number=1).data["text"] == "line one\nline two"


def test_json_array(relevance_project, rita):
    rows = [
        {"query": "cheap flights", "result_title": "Flights", "result_url": "https://f.example"},
        {"query": "weather", "result_title": "Forecast", "answer": 3, "id": "g1"},
    ]
    batch = upload(
        relevance_project, rita, json.dumps(rows), name="t.json", content_type="application/json"
    ).batch
    assert (batch.file_format, batch.rows_added, batch.gold_added) == ("json", 2, 1)
    assert Task.objects.get(external_id="g1").gold_answer == 3


def test_jsonl_with_multiple_choice_gold_in_both_forms(multi_project, rita):
    lines = [
        {"text": "Match report", "answer": "sport"},
        {"text": "Election song", "answer": "music|politics"},
        {"text": "Quiet day", "answer": ["politics", "sport"]},
        {"text": "No gold"},
    ]
    content = "\n".join(json.dumps(x) for x in lines) + "\n\n"
    batch = upload(
        multi_project, rita, content, name="t.jsonl", content_type="application/x-ndjson"
    ).batch
    assert (batch.rows_added, batch.gold_added) == (4, 3)
    gold = list(Task.objects.filter(is_gold=True).order_by("row_number"))
    assert [t.gold_answer for t in gold] == [
        ["sport"],
        ["politics", "music"],
        ["sport", "politics"],
    ]


def test_format_is_sniffed_when_the_name_says_nothing(relevance_project, rita):
    content = json.dumps({"query": "q", "result_title": "t"}) + "\n"
    batch = upload(
        relevance_project, rita, content, name="blob", content_type="application/octet-stream"
    ).batch
    assert batch.file_format == "jsonl"


def test_unknown_columns_are_kept_away_from_tasks(project, rita):
    batch = upload(project, rita, "text,internal_note\nHi,secret\n").batch
    assert batch.ignored_columns == ["internal_note"]
    assert Task.objects.get().data == {"text": "Hi"}


def test_row_problems_are_listed_and_nothing_is_stored(project, rita):
    error = refused(
        project,
        rita,
        "id,text,answer,priority\n"
        "x1,fine,,\n"
        "x2,,,\n"  # no text nor image
        "x1,dup id,,\n"
        "x4,bad label,maybe,\n"
        "x5,bad priority,,high\n"
        "x6,too,many,,values\n",
    )
    assert error.code == "upload_refused"
    problems = {(p["row"], p["field"]) for p in error.details}
    assert problems == {
        (2, "text"),
        (3, "id"),
        (4, "answer"),
        (5, "priority"),
        (6, "row"),
    }
    label_problem = next(p for p in error.details if p["field"] == "answer")
    assert "ok" in label_problem["reason"] and "gory" in label_problem["reason"]
    assert not Batch.objects.exists()


def test_missing_columns_are_named(relevance_project, rita):
    error = refused(relevance_project, rita, "query,snippet\nq,s\n")
    assert [p["field"] for p in error.details] == ["result_title"]
    assert "result_title" in error.details[0]["reason"]


def test_choice_file_without_text_or_image_column(project, rita):
    error = refused(project, rita, "caption\nhello\n")
    assert error.details[0]["field"] == "text"


def test_existing_external_id_is_refused(project, rita):
    upload(project, rita, "id,text\nk1,first\n")
    with pytest.raises(ApplicationError) as info:
        upload(project, rita, "id,text\nk1,again\nk2,new\n")
    assert info.value.details[0]["field"] == "id"
    assert Task.objects.count() == 1


def test_the_same_file_twice_adds_nothing_the_second_time(project, rita):
    first = upload(project, rita, "text\nA\nB\n")
    second = upload(project, rita, "text\nA\nB\n")
    assert second.duplicate and second.batch.pk == first.batch.pk
    assert Task.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"\n\n", "upload_refused"),
        (b"text\n", "upload_refused"),
        (b"PK\x03\x04rest-of-a-zip", "unsupported_format"),
        ("text\nhi\n".encode("utf-16"), "not_utf8"),
    ],
)
def test_empty_and_wrong_files(project, rita, content, code):
    assert refused(project, rita, content).code == code


def test_spreadsheet_extension_is_refused_with_a_hint(project, rita):
    error = refused(project, rita, b"text\nhi\n", name="tasks.xlsx", content_type="")
    assert error.code == "unsupported_format" and "CSV" in error.message


def test_unknown_type_is_refused(project, rita):
    error = refused(project, rita, b"%PDF-1.4", name="tasks.pdf", content_type="application/pdf")
    assert error.code == "unsupported_format"


def test_latin1_is_refused_naming_byte_and_line(project, rita):
    error = refused(project, rita, "text\nfine\ncaf\xe9\n".encode("latin-1"))
    assert error.details[0]["line"] == 3
    assert "byte 13" in error.details[0]["reason"] and "line 3" in error.details[0]["reason"]


def test_broken_json_names_the_line(relevance_project, rita):
    error = refused(
        relevance_project, rita, '[\n{"query": "q",\n "result_title": }\n]', name="t.json"
    )
    assert error.details[0]["line"] == 3


def test_json_must_be_an_array_of_objects(relevance_project, rita):
    error = refused(
        relevance_project, rita, '[1, {"query": "q", "result_title": "t"}]', name="a.json"
    )
    assert error.details == [
        {"row": 1, "line": 1, "field": "row", "reason": error.details[0]["reason"]}
    ]


def test_bad_jsonl_line(relevance_project, rita):
    error = refused(
        relevance_project,
        rita,
        '{"query": "q", "result_title": "t"}\n{nope\n',
        name="t.jsonl",
    )
    assert (error.details[0]["row"], error.details[0]["line"]) == (2, 2)


def test_two_gigabytes_are_refused_by_size_without_reading(project, rita):
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("the file must not be read")

    with pytest.raises(ApplicationError) as info:
        batch_upload(
            project=project,
            actor=rita,
            file=Unreadable(),
            filename="huge.csv",
            content_type="text/csv",
            size=2 * 1024**3,
        )
    assert (info.value.code, info.value.field) == ("too_large", "file")
    assert not Batch.objects.exists()


def test_too_many_rows_is_refused(project, rita, monkeypatch):
    from microwork.projects.uploads import checking

    monkeypatch.setattr(checking, "MAX_ROWS", 3)
    error = refused(project, rita, "text\na\nb\nc\nd\n")
    assert "more than 3 rows" in error.details[-1]["reason"]


def test_only_the_first_hundred_problems_are_listed(project, rita):
    error = refused(project, rita, "text,answer\n" + "x,nope\n" * 250)
    assert len(error.details) == 100
    assert "250" in error.message


def test_closed_projects_take_no_tasks(project, rita):
    project_set_status(project=project, actor=rita, status="archived")
    assert refused(project, rita, "text\nhi\n").code == "project_closed"


def test_records_from_an_api_body(relevance_project, rita):
    outcome = batch_create_from_records(
        project=relevance_project,
        actor=rita,
        records=[{"query": "q", "result_title": "t", "answer": "2"}],
    )
    assert outcome.batch.rows_added == 1
    again = batch_create_from_records(
        project=relevance_project,
        actor=rita,
        records=[{"query": "q", "result_title": "t", "answer": "2"}],
    )
    assert again.duplicate and Task.objects.count() == 1


def test_records_with_problems_store_nothing(relevance_project, rita):
    with pytest.raises(ApplicationError) as info:
        batch_create_from_records(
            project=relevance_project, actor=rita, records=[{"query": "q"}, "text"]
        )
    assert [(p["row"], p["field"]) for p in info.value.details] == [(1, "result_title"), (2, "row")]
    assert not Batch.objects.exists()


class CountingStream(io.BytesIO):
    """A file that remembers how much of it has been read."""

    def read(self, *args):
        chunk = super().read(*args)
        self.bytes_read = getattr(self, "bytes_read", 0) + len(chunk)
        return chunk


def _json_array(n):
    rows = (
        json.dumps({"id": f"r{i}", "text": f"Row number {i}", "note": "x" * 40}) for i in range(n)
    )
    return ("[\n" + ",\n".join(rows) + "\n]\n").encode()


def test_a_json_array_is_read_as_a_stream(project):
    from microwork.projects.uploads import reading

    stream = CountingStream(_json_array(20_000))
    records = reading.json_records(reading.Reader(stream))
    row, line, first = next(records)
    assert (row, line, first["id"]) == (1, 2, "r0")
    # The first task is checked before the rest of the file is read.
    assert stream.bytes_read <= 2 * reading.READ_CHUNK < len(stream.getvalue())
    rows = [(row, line, first)] + list(records)
    assert len(rows) == 20_000 and rows[-1][:2] == (20_000, 20_001)


def test_a_large_json_array_is_parsed_in_bounded_memory(project):
    import tracemalloc

    from microwork.projects.uploads import reading

    content = _json_array(60_000)
    assert len(content) > 5 * 1024 * 1024
    stream = io.BytesIO(content)
    tracemalloc.start()
    try:
        count = sum(1 for _ in reading.json_records(reading.Reader(stream)))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 60_000
    assert peak < 1024 * 1024, peak


@pytest.mark.parametrize(
    ("content", "row", "line", "words"),
    [
        ('[{"text": "a"},\n {"text": "b"}\n {"text": "c"}]', 2, 3, "after row 2"),
        ('[{"text": "a"},\n{"text": "b",\n "image_url": }]', 2, 3, "line 3, column 15"),
        ('[{"text": "a"},\n{"text": "b"}', 2, 2, "not closed"),
        ('[{"text": "a"},]', 1, 1, "after row 1"),
        ('[{"text": "a"}] {"text": "b"}', None, 1, "after the array"),
        ('"just text"', None, 1, "an array"),
        ("[\n\n  ", None, 3, "not closed"),
    ],
)
def test_malformed_json_arrays_name_the_row_and_position(project, rita, content, row, line, words):
    error = refused(project, rita, content, name="t.json", content_type="application/json")
    [problem] = error.details
    assert (problem["row"], problem.get("line")) == (row, line), problem
    assert words in problem["reason"]


def test_bad_utf8_in_a_json_array_names_byte_and_line(project, rita):
    content = b'[{"text": "ok"},\n {"text": "caf' + b"\xe9" + b'"}]'
    error = refused(project, rita, content, name="t.json", content_type="application/json")
    assert error.details[0]["line"] == 2
    assert "byte 31" in error.details[0]["reason"]


def test_a_json_array_row_problem_names_its_line(project, rita):
    content = '[\n{"text": "fine"},\n{"text": "", "answer": "maybe"}\n]'
    error = refused(project, rita, content, name="t.json", content_type="application/json")
    assert [(p["row"], p["line"], p["field"]) for p in error.details] == [(2, 3, "text")]


def test_a_syntax_error_early_in_a_big_json_array_is_found_without_reading_on(project):
    from microwork.projects.uploads import reading

    content = b'[{"text": "a"},\n{"text": }' + _json_array(20_000)[1:]
    stream = CountingStream(content)
    records = reading.json_records(reading.Reader(stream))
    assert next(records)[2] == {"text": "a"}
    with pytest.raises(reading.FileProblem) as info:
        next(records)
    [problem] = info.value.problems
    assert (problem.row, problem.line) == (2, 2) and "column 10" in problem.reason
    assert stream.bytes_read <= reading.READ_CHUNK
