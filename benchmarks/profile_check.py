"""Where `reviewer check` spends its time and memory, phase by phase, in one process.

Runs what `reviewer check --json` runs (load the ticket, read the export, run the checks,
render the JSON report) and prints, per phase, wall time, CPU time of this process and of
finished child processes (the PDF parser), resident memory after the phase and its peak.
Then, optionally:

- ``--cprofile N``: the N costliest functions of the read and the checks (cProfile sees the
  main thread only; reading threads and the PDF child show up as waits);
- ``--checks``: the time of each check on its own;
- ``--sizes``: how much memory each part of the export index keeps (objects counted once,
  in the order listed), the figure to compare with the peak.

    .venv/bin/python benchmarks/profile_check.py benchmarks/out/many --checks --sizes
    .venv/bin/python benchmarks/profile_check.py benchmarks/out/incident --cprofile 25

For whole-process profiles with every thread and the PDF child, py-spy does it from outside:
``py-spy record -s -r 200 -f raw -o check.raw -- .venv/bin/reviewer check --json DIR``.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from installed import as_installed

_T0 = time.perf_counter()


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s(who: int) -> float:
    u = resource.getrusage(who)
    return u.ru_utime + u.ru_stime


class Phases:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def run(self, name: str, fn: Callable[[], Any], profile: cProfile.Profile | None = None) -> Any:
        wall0 = time.perf_counter()
        self0, kids0 = cpu_s(resource.RUSAGE_SELF), cpu_s(resource.RUSAGE_CHILDREN)
        if profile is not None:
            profile.enable()
        try:
            result = fn()
        finally:
            if profile is not None:
                profile.disable()
        self.rows.append(
            {
                "phase": name,
                "wall_s": time.perf_counter() - wall0,
                "cpu_self_s": cpu_s(resource.RUSAGE_SELF) - self0,
                "cpu_children_s": cpu_s(resource.RUSAGE_CHILDREN) - kids0,
                "rss_mb": rss_mb(),
                "peak_mb": peak_mb(),
            }
        )
        return result

    def print(self) -> None:
        print(
            f"{'phase':<14} {'wall s':>7} {'cpu s':>7} {'child s':>7} {'RSS MB':>7} {'peak MB':>7}"
        )
        for r in self.rows:
            print(
                f"{r['phase']:<14} {r['wall_s']:>7.3f} {r['cpu_self_s']:>7.3f} "
                f"{r['cpu_children_s']:>7.3f} {r['rss_mb']:>7.1f} {r['peak_mb']:>7.1f}"
            )


def deep_size(obj: Any, seen: set[int]) -> int:
    """Bytes held by `obj` and everything it reaches that `seen` does not hold yet."""
    total, stack = 0, [obj]
    while stack:
        x = stack.pop()
        if id(x) in seen or isinstance(x, type):
            continue
        seen.add(id(x))
        total += sys.getsizeof(x)
        if isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, list | tuple | set | frozenset):
            stack.extend(x)
        elif hasattr(x, "__dataclass_fields__"):
            stack.extend(getattr(x, f, None) for f in x.__dataclass_fields__)
    return total


def index_sizes(index: Any) -> list[tuple[str, int, int]]:
    """(part, items, MB kept) for every collection in the index, shared objects counted once."""
    seen: set[int] = set()
    out = []
    for name in index.__dataclass_fields__:
        value = getattr(index, name)
        if isinstance(value, str | int | float) or value is None:
            continue
        items = len(value) if hasattr(value, "__len__") else 1
        out.append((name, items, deep_size(value, seen)))
    return out


def main(argv: list[str] | None = None) -> int:
    as_installed()
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "request_dir", type=Path, help="a request folder (request.json, export.zip)"
    )
    parser.add_argument(
        "--cprofile",
        type=int,
        metavar="N",
        default=0,
        help="print the N costliest functions of the read and of the checks",
    )
    parser.add_argument("--checks", action="store_true", help="time each check on its own")
    parser.add_argument(
        "--sizes", action="store_true", help="memory kept by each part of the index"
    )
    args = parser.parse_args(argv)
    if not (args.request_dir / "export.zip").is_file():
        print(f"profile_check: {args.request_dir}: no export.zip", file=sys.stderr)
        return 2

    phases = Phases()
    # Thread CPU time, not wall time: the figures hold on a busy machine too.
    profiles = (
        {"read": cProfile.Profile(time.thread_time), "checks": cProfile.Profile(time.thread_time)}
        if args.cprofile
        else {}
    )

    def imports() -> Any:
        from reviewer import archive
        from reviewer.domain import checks, report, request

        return archive, checks, report, request

    archive, checks, report_mod, request_mod = phases.run("import", imports)
    # as `review_request` reads and checks: with no full garbage collection meanwhile
    from reviewer.archive.collector import few_full_collections

    quiet = few_full_collections()
    quiet.__enter__()
    request = phases.run("ticket", lambda: request_mod.load_request(args.request_dir))
    index = phases.run(
        "read_export",
        lambda: archive.read_export(args.request_dir / "export.zip", archive.Limits()),
        profiles.get("read"),
    )
    findings = phases.run(
        "checks", lambda: checks.run_checks(request, index), profiles.get("checks")
    )

    def render() -> str:
        rep = report_mod.Report(
            request_id=request.request_id,
            archive_sha256=index.archive_sha256,
            findings=report_mod.sort_findings(findings),
            stats=report_mod.Stats.of(index),
        )
        return json.dumps(rep.to_dict(), indent=2)

    text = phases.run("report", render)
    print(
        f"{args.request_dir}: {len(index.members):,} members, {len(findings)} findings, "
        f"{len(text):,} bytes of JSON; python start to here {time.perf_counter() - _T0:.3f} s"
    )
    phases.print()

    if args.checks:
        print("\ncheck                          wall s   cpu s  (each on its own)")
        for check in checks.CHECKS:
            t, c = time.perf_counter(), time.thread_time()
            check(request, index)
            print(
                f"{check.__module__.rsplit('.', 1)[-1]:<30} {time.perf_counter() - t:7.3f} "
                f"{time.thread_time() - c:7.3f}"
            )

    quiet.__exit__(None, None, None)
    if args.sizes:
        gc.collect()
        print(f"\nindex part            items   MB kept   (RSS now {rss_mb():.1f} MB)")
        for name, items, size in index_sizes(index):
            print(f"{name:<20} {items:>7,} {size / 2**20:>9.1f}")

    for name, prof in profiles.items():
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("tottime")
        stats.print_stats(args.cprofile)
        print(f"\n--- {name}: costliest functions by own CPU time (main thread) ---")
        print("\n".join(buf.getvalue().splitlines()[4:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
