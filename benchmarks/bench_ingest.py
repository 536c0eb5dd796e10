"""How much longer `reviewer ingest` takes than `reviewer check` on the same request folder.

Runs `reviewer check --json DIR` and `reviewer ingest DIR` alternately (after one untimed pair),
each ingest into a fresh copy of an empty store made once with the store's migrations, so
every run stores the request as new. Prints the medians, the median of the paired ratios
(ingest / check of the same round) and the load average before and after. Target: at most
1.2 x on the incident export.

    .venv/bin/python benchmarks/bench_ingest.py benchmarks/out/incident --runs 7
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from installed import as_installed

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.2


def timed(argv: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    """Wall seconds of one run; `ok`: the exit codes that mean it ran (check exits 1 on a
    verdict other than pass)."""
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, check=False)
    took = time.perf_counter() - start
    if proc.returncode not in ok:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise SystemExit(f"bench_ingest: {argv[1]} exited {proc.returncode}: {tail}")
    return took


def main(argv: list[str] | None = None) -> int:
    as_installed()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("request", type=Path, help="a request folder (request.json + export.zip)")
    parser.add_argument("--runs", type=int, default=7, help="timed pairs (default 7)")
    parser.add_argument("--reviewer", default=str(ROOT / ".venv" / "bin" / "reviewer"))
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        empty, store = Path(tmp) / "empty.db", Path(tmp) / "store.db"
        env = dict(os.environ, REVIEWER_DB=f"sqlite:///{empty}")
        # an ingest of nothing creates and migrates the store, then reports the skip
        subprocess.run(
            [args.reviewer, "ingest", str(Path(tmp) / "none")],
            env=env,
            capture_output=True,
            check=False,
        )
        if not empty.exists():
            raise SystemExit("bench_ingest: the empty store could not be made")
        env["REVIEWER_DB"] = f"sqlite:///{store}"
        check = [args.reviewer, "check", "--json", str(args.request)]
        ingest = [args.reviewer, "ingest", str(args.request)]
        pairs: list[tuple[float, float]] = []
        for i in range(args.runs + 1):
            c = timed(check, env, ok=(0, 1))
            shutil.copyfile(empty, store)
            g = timed(ingest, env)
            if i:  # the first pair warms the page cache
                pairs.append((c, g))
    checks, ingests = [c for c, _ in pairs], [g for _, g in pairs]
    ratio = statistics.median(g / c for c, g in pairs)
    print(
        f"{args.request}: check {statistics.median(checks):.2f} s, ingest "
        f"{statistics.median(ingests):.2f} s (medians of {len(pairs)}); ingest / check "
        f"{ratio:.2f} (median of paired ratios), target <= {TARGET}: "
        f"{'met' if ratio <= TARGET else 'NOT met'}; load average {load_before:.1f} -> "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
