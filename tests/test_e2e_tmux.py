"""End to end in a real terminal: tmux runs the installed `reviewer` on a throwaway store, a
reviewer signs in, opens the wrong-customer request, and the screen shows the requester's
profile beside the critical finding."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_tui_support import PEOPLE, WRONG_CUSTOMER, build_store

# The console script of the environment running the tests (a fresh venv, CI's, anyone's).
REVIEWER = Path(sys.executable).with_name("reviewer")

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and os.environ.get("CI") != "true",
    reason="tmux is not installed (.ci/run installs it)",
)


class Terminal:
    def __init__(self, session: str) -> None:
        self.session = session

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", *args], check=True, capture_output=True, text=True, timeout=10
        ).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def wait_for(self, *needles: str, limit_s: float = 20.0) -> str:
        deadline = time.monotonic() + limit_s
        while True:
            text = self.screen()
            if all(n in text for n in needles):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"the terminal never showed {needles!r}; it shows:\n{text}")
            time.sleep(0.1)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    url = build_store(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    session = f"reviewer-e2e-{uuid.uuid4().hex[:8]}"
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm-256color",
        "REVIEWER_AUDIO": "off",
        "REVIEWER_OUTBOX": str(tmp_path / "outbox"),
    }
    command = " ".join([f"{k}={v!s}" for k, v in env.items()] + [str(REVIEWER), "--db", url])
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", f"env -i {command}"],
        check=True,
        timeout=10,
    )
    try:
        yield Terminal(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, timeout=10)


def test_sign_in_and_open_the_wrong_customer_request(terminal: Terminal) -> None:
    terminal.wait_for("Sign in to review", "Passphrase")
    terminal.type("alice")
    terminal.wait_for("alice")
    terminal.keys("Enter")
    time.sleep(0.3)
    terminal.type(PEOPLE["alice"][1])
    terminal.wait_for("•" * 8)
    terminal.keys("Enter")
    terminal.wait_for("alice (reviewer)", WRONG_CUSTOMER, "Verdict")

    terminal.keys("/")
    time.sleep(0.3)
    terminal.type("0412")
    terminal.wait_for("1 of 9 requests")
    terminal.keys("Enter")
    time.sleep(0.3)
    terminal.keys("Enter")

    # The pane's title and its body are painted in separate frames, so the test waits for
    # every part it reads rather than reading the first frame that shows the title:
    # the requester's profile, from the ticket ...
    profile = ("Requester A3KX9ZQ2M7T1LB", "Jonas Weber", "jonas.weber@example.de")
    # ... beside the critical finding: the archive is another customer's.
    finding = ("CRITICAL", "[wrong-customer]", "A2MZ8T4KQ9XR3P", "BLOCK")
    terminal.wait_for(*profile, *finding)
    terminal.keys("C-q")
