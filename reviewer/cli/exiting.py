"""Ending a command that holds a large index: at once, once its output is out.

The interpreter's teardown frees every object one by one and walks the survivors once more
for cycles: after `reviewer check` of a 100,000-member export that is 0.2 to 0.5 s spent on
memory the process is about to give back anyway. `finish` ends such a command with
`os._exit` once standard output and error are flushed, but only when the process is the
command itself (`ReviewerGroup.main` invoked without arguments, as the console script and
``python -m reviewer`` do); invoked in-process (tests, click's CliRunner) it raises
SystemExit as usual. A Ctrl-C pressed meanwhile still ends the command as interrupted.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from reviewer.cli import interrupt

standalone = False  # set by ReviewerGroup.main: this process is the command


def finish(code: int) -> NoReturn:
    """End the command with exit status `code` (see the module's docstring)."""
    if standalone and not interrupt.pressed():
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass  # the usual way, which says what went wrong
        else:
            os._exit(code)
    sys.exit(code)
