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


def test_unknown_and_non_categorical_methods_are_refused(labels: Path) -> None:
    with pytest.raises(CliError, match="unknown method 'best'; choose one of mv, wmv"):
        run_aggregate("best", labels, out=io.StringIO())
    with pytest.raises(CliError, match="'median' does not take"):
        run_aggregate("median", labels, out=io.StringIO())


def test_main_reports_errors_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["mv", str(tmp_path / "missing.csv")]) == 2
    assert "cannot open" in capsys.readouterr().err
