"""`reviewer check` run as its own process ends at once once its report is out (without the
interpreter freeing the index object by object); invoked in-process it raises SystemExit as
before. Either way: the same report, the same exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer.cli import exiting, main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_archives"


def _as_a_process(*args: str) -> subprocess.CompletedProcess[str]:
    """This checkout's reviewer (not whichever one is installed) as a process of its own."""
    return subprocess.run(
        [sys.executable, "-P", "-m", "reviewer", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize("case,code", [("clean", 0), ("wrong-customer", 1)])
def test_a_check_process_reports_and_exits_as_in_process(case: str, code: int) -> None:
    proc = _as_a_process("check", "--json", str(SAMPLES / case))
    in_process = CliRunner().invoke(main, ["check", "--json", str(SAMPLES / case)])
    assert proc.returncode == in_process.exit_code == code
    assert proc.stdout == in_process.stdout and proc.stdout.startswith("{")
    assert not exiting.standalone  # CliRunner passes its arguments: not the command itself


def test_a_check_process_with_its_output_cut_short_still_exits_by_the_verdict() -> None:
    command = f"{sys.executable} -P -m reviewer check --json {SAMPLES / 'hostile'} | head -c 5"
    proc = subprocess.run(
        ["/bin/bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout == '{\n  "'
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_finish_in_process_raises_system_exit() -> None:
    with pytest.raises(SystemExit) as info:
        exiting.finish(1)
    assert info.value.code == 1
