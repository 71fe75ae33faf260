"""The aggregate command as a plain function: CSV in, task,label,confidence out."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from microwork.aggregation.algorithms import encode_rows, get_aggregator
from microwork.aggregation.cli import CliError, main, run_aggregate


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def labels(tmp_path: Path) -> Path:
    return write(
        tmp_path / "labels.csv",
        "worker,task,label\n"
        "ann,t1,cat\nbob,t1,cat\ncid,t1,dog\n"
        "ann,t2,dog\nbob,t2,dog\ncid,t2,cat\n",
    )


def test_majority_vote_writes_one_row_per_task(labels: Path) -> None:
    out = io.StringIO()
    assert run_aggregate("mv", labels, out=out) == 0
    result = rows(out.getvalue())
    assert [(r["task"], r["label"]) for r in result] == [("t1", "cat"), ("t2", "dog")]
    # the calibrated majority-vote posterior (docs/aggregation.md), not the 2/3 vote share
    answers, _ = encode_rows(["ann", "bob", "cid"] * 2, ["t1"] * 3 + ["t2"] * 3,
                             ["cat", "cat", "dog", "dog", "dog", "cat"])  # fmt: skip
    expected = get_aggregator("mv")(answers).confidence()
    assert [float(r["confidence"]) for r in result] == pytest.approx(expected, abs=1e-6)


def test_gold_file_is_used_by_dawid_skene(labels: Path, tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.csv", "task,label\nt1,dog\n")
    out = io.StringIO()
    run_aggregate("ds", labels, gold, out=out)
    assert rows(out.getvalue())[0] == {"task": "t1", "label": "dog", "confidence": "1.000000"}


def test_mturk_headers_are_understood(tmp_path: Path) -> None:
    path = write(
        tmp_path / "batch.csv",
        "HITId,WorkerId,Answer.sentiment\nh1,w1,pos\nh1,w2,pos\nh2,w1,neg\n",
    )
    out = io.StringIO()
    run_aggregate("wawa", path, out=out)
    assert [r["label"] for r in rows(out.getvalue())] == ["pos", "neg"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("worker,task,label\na,t1,x\nb,t1,\n", "labels.csv line 3: empty label"),
        ("worker,task,label\na,t1,x\nb,t1\n", "labels.csv line 3: expected 3 fields, got 2"),
        ("who,task,label\na,t1,x\n", "labels.csv line 1: no worker column"),
        ("", "labels.csv: the file is empty"),
        ("worker,task,label\n", "labels.csv: no answers after the header"),
    ],
)
def test_bad_label_files_name_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path / "labels.csv", content)
    with pytest.raises(CliError) as caught:
        run_aggregate("mv", path, out=io.StringIO())
    assert str(caught.value).startswith(message)


def test_gold_for_an_unknown_task_names_the_gold_line(labels: Path, tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.csv", "task,label\nt1,cat\nt9,dog\n")
    with pytest.raises(CliError, match=r"gold.csv line 3: gold label for unknown task 't9'"):
        run_aggregate("ds", labels, gold, out=io.StringIO())


def test_unknown_and_pairwise_methods_are_refused(labels: Path) -> None:
    with pytest.raises(CliError, match="unknown method 'best'; choose one of mv, wmv"):
        run_aggregate("best", labels, out=io.StringIO())
    with pytest.raises(CliError, match="'bt' does not take worker,task,label rows"):
        run_aggregate("bt", labels, out=io.StringIO())


def test_a_bad_byte_is_reported_on_its_own_line(tmp_path: Path) -> None:
    # the text reader decodes ahead in chunks; the reported line must be the byte's own
    body = "".join(f"w{i},t{i % 50},cat\n" for i in range(2, 901)).encode()
    path = tmp_path / "labels.csv"
    path.write_bytes(b"worker,task,label\n" + body + b"w901,t1,c\xe9t\n" + b"w902,t1,cat\n")
    with pytest.raises(CliError) as caught:
        run_aggregate("mv", path, out=io.StringIO())
    assert str(caught.value).startswith("labels.csv line 901: not UTF-8 text (byte 0xe9")


def test_a_cut_character_at_the_very_end_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_bytes(b"worker,task,label\nw1,t1,cat\nw2,t1,caf\xc3")
    with pytest.raises(CliError, match="labels.csv line 3: not UTF-8 text"):
        run_aggregate("mv", path, out=io.StringIO())


def test_a_quoted_field_over_two_lines_keeps_the_line_count(tmp_path: Path) -> None:
    path = write(tmp_path / "labels.csv", 'worker,task,label\na,"t\n1",x\nb,t2,\n')
    with pytest.raises(CliError, match="labels.csv line 4: empty label"):
        run_aggregate("mv", path, out=io.StringIO())


def test_two_different_gold_labels_for_one_task_are_refused(labels: Path, tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.csv", "task,label\nt1,cat\nt2,dog\nt1,dog\n")
    with pytest.raises(
        CliError, match=r"gold.csv lines 2 and 4: task 't1' has two gold labels, 'cat' and 'dog'"
    ):
        run_aggregate("ds", labels, gold, out=io.StringIO())
    same = write(tmp_path / "same.csv", "task,label\nt1,dog\nt1,dog\n")
    out = io.StringIO()
    run_aggregate("ds", labels, same, out=out)  # a repeated identical row is harmless
    assert rows(out.getvalue())[0]["label"] == "dog"


def test_declared_classes_allow_a_gold_label_nobody_answered(labels: Path, tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.csv", "task,label\nt2,bird\n")
    with pytest.raises(CliError, match=r"gold.csv line 2: label 'bird' .*--classes"):
        run_aggregate("ds", labels, gold, out=io.StringIO())
    out = io.StringIO()
    run_aggregate("ds", labels, gold, out=out, classes="cat,dog,bird")
    assert [r["label"] for r in rows(out.getvalue())] == ["cat", "bird"]


def test_a_label_outside_the_declared_classes_names_its_line(labels: Path) -> None:
    with pytest.raises(
        CliError, match=r"labels.csv line 4: label 'dog' is not among the declared classes"
    ):
        run_aggregate("mv", labels, out=io.StringIO(), classes="cat")
    with pytest.raises(CliError, match="--classes: 'cat' is listed twice"):
        run_aggregate("mv", labels, out=io.StringIO(), classes="cat,dog,cat")


def test_median_prints_the_median_and_its_spread(tmp_path: Path) -> None:
    path = write(
        tmp_path / "scores.csv",
        "worker,task,label\na,t1,10\nb,t1,12\nc,t1,90\na,t2,-5\nb,t2,-3\n",
    )
    out = io.StringIO()
    run_aggregate("median", path, out=out)
    assert rows(out.getvalue()) == [
        {"task": "t1", "median": "12", "mad": "2", "iqr": "40", "answers": "3"},
        {"task": "t2", "median": "-4", "mad": "1", "iqr": "1", "answers": "2"},
    ]
    bad = write(tmp_path / "bad.csv", "worker,task,label\na,t1,10\nb,t1,ten\n")
    with pytest.raises(CliError, match="bad.csv line 3: 'ten' is not a number"):
        run_aggregate("median", bad, out=io.StringIO())


def test_text_prints_the_medoid_transcription(tmp_path: Path) -> None:
    path = write(
        tmp_path / "texts.csv",
        "worker,task,label\na,t1,hello world\nb,t1,Hello  world\nc,t1,help word\n",
    )
    out = io.StringIO()
    run_aggregate("text", path, out=out)
    [row] = rows(out.getvalue())
    assert row["task"] == "t1" and row["label"] in ("hello world", "Hello  world")
    assert 0.5 < float(row["confidence"]) < 1
    with pytest.raises(CliError, match="--gold is only used by the categorical methods"):
        run_aggregate("text", path, path, out=io.StringIO())


def test_help_lists_the_methods_the_command_takes(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "text prints each task's medoid answer" in text and "median" in text
    assert "bt takes other input and is not available here" in text


def test_main_reports_errors_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["mv", str(tmp_path / "missing.csv")]) == 2
    assert "cannot open" in capsys.readouterr().err
