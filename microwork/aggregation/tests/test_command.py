import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command


def test_aggregate_command_writes_task_label_confidence(tmp_path, capsys):
    labels = tmp_path / "labels.csv"
    labels.write_text("worker,task,label\nw1,t1,cat\nw2,t1,cat\nw3,t1,dog\nw1,t2,dog\nw2,t2,dog\n")
    call_command("aggregate", "mv", str(labels))
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "task,label,confidence"
    rows = {r.split(",")[0]: r.split(",")[1:] for r in lines[1:]}
    assert rows["t1"][0] == "cat" and rows["t2"][0] == "dog"
    # two agreeing votes are surer than two against one, and neither is certain
    assert 0.5 < float(rows["t1"][1]) < float(rows["t2"][1]) < 1


def test_aggregate_command_reports_the_bad_line(tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("worker,task,label\nw1,t1,cat\nw2,,dog\n")
    with pytest.raises(CommandError, match="line 3"):
        call_command("aggregate", "ds", str(labels))


def test_console_command_exits_nonzero_on_unknown_method(tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("worker,task,label\nw1,t1,cat\n")
    done = subprocess.run(
        [sys.executable, "-m", "microwork.cli", "aggregate", "nope", str(labels)],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "unknown method" in done.stderr
