"""Benchmarks measure the product as installed: its modules compiled once to bytecode.

With PYTHONDONTWRITEBYTECODE set in the caller's environment, every `reviewer` process
would compile the project's sources again (a third of a second and more per run, most of
it in the store's modules), and the figures would measure the compiler. `as_installed()`
compiles the package once and drops that variable for the processes a benchmark starts.
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reviewer"


def as_installed() -> None:
    """Compile the `reviewer` package to bytecode (what a first run leaves behind) and let
    the processes this benchmark starts use it."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(PACKAGE, quiet=1)
