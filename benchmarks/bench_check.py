"""How fast and how big is `reviewer check`, next to `unzip -t` on the same archive.

For each benchmark export (built by gen_export.py into benchmarks/out/ when missing) this runs
`reviewer check --json`, `unzip -t` and `floor.py` alternately, N times each, and prints the
medians, the ratio and the peak resident memory of `reviewer check`, beside the targets:

- incident export (1,700 recordings, ~100 MB): check time at most 0.8 x `unzip -t` on a quiet
  machine, 1.0 x at load about 4; the same archive at 1 GB (17,000 recordings): at most 1.0 x
- the two 100,000-member exports: at most 3 x `unzip -t`, peak RSS (tree) at most 120 MB

Peak RSS is read from the kernel's accounting of each finished child (`wait4`), which covers
the child and every process it waited for; the figure is the largest single process. One
extra run samples /proc and also reports the largest sum over the whole process tree at any
moment ("tree MB": what several worker processes hold together).

`floor.py` is a bare Python loop that inflates, digests and parses every member and checks
nothing: its ratio to `unzip -t` is the least any reader written in Python reaches.

It also times the start-up of `reviewer check --help` and lists the slowest imports
(`python -X importtime`).

    .venv/bin/python benchmarks/bench_check.py            # both exports, 7 runs each
    .venv/bin/python benchmarks/bench_check.py --kind incident --runs 3 --json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from installed import as_installed

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUT = HERE / "out"
DEFAULT_REVIEWER = ROOT / ".venv" / "bin" / "reviewer"
# the interpreter for the start-up timings: the project's virtualenv, else (a git worktree
# has none of its own) the one running this script
PYTHON = ROOT / ".venv" / "bin" / "python"
if not PYTHON.exists():
    PYTHON = Path(sys.executable)

KINDS = ("incident", "gigabyte", "many", "orders")
LARGE = ("incident", "gigabyte")  # exports of large recordings: the check at unzip's pace
RATIO_TARGET = 1.0  # large exports: check time / unzip -t time (incident: 0.8 quiet, 1.0 at load 4)
SMALL_RATIO_TARGET = 3.0  # the 100,000-member exports: check time / unzip -t time ...
RSS_TARGET_MB = 120.0  # ... and the peak RSS of `reviewer check` with its PDF child
# Packages `reviewer check` should not need at all, or only when it really reads such a member.
HEAVY_MODULES = (
    "textual",
    "rich",
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "psycopg",
    "argon2",
    "cryptography",
    "pypdf",
    "multiprocessing",
    "concurrent.futures",
    "asyncio",
    "email",
    "http",
    "ssl",
)


@dataclass
class Run:
    """One finished child process."""

    wall_s: float
    cpu_s: float
    maxrss_mb: float
    returncode: int


@dataclass
class KindResult:
    kind: str
    request_dir: str
    archive_mb: float
    members: int | None = None
    verdict: str | None = None
    findings: int | None = None
    check_runs: list[Run] = field(default_factory=list)
    unzip_runs: list[Run] = field(default_factory=list)
    # the floor (floor.py): a bare Python loop that only inflates, digests and parses each
    # member, the least any Python reader must do; its ratio to unzip bounds what one reaches
    floor_runs: list[Run] = field(default_factory=list)
    floor_median_s: float | None = None
    floor_ratio: float | None = None
    check_median_s: float | None = None
    unzip_median_s: float | None = None
    ratio: float | None = None
    check_cpu_median_s: float | None = None
    unzip_cpu_median_s: float | None = None
    check_min_s: float | None = None  # the fastest runs: the least disturbed by other load
    unzip_min_s: float | None = None
    cpu_ratio: float | None = None  # check CPU / unzip CPU: the work done, whatever the load
    loadavg_before: float | None = None  # 1-minute load average: a busy machine skews walls
    loadavg_after: float | None = None
    peak_rss_mb: float | None = None
    tree_rss_mb: float | None = None
    error: str | None = None
    target: str = ""
    target_met: bool | None = None


def run_child(argv: list[str], stdout_path: Path | None = None) -> tuple[Run, str]:
    """Run argv to completion; return its wall time, the kernel's rusage for it, and stderr."""
    with open(stdout_path or os.devnull, "wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    run = Run(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        maxrss_mb=usage.ru_maxrss / 1024.0,  # Linux reports KiB
        returncode=proc.returncode,
    )
    return run, stderr


def tree_peak_rss(argv: list[str], interval_s: float = 0.02) -> tuple[float, int]:
    """Run argv once, sampling the summed RSS of it and all its descendants from /proc."""

    def children_of(pid: int) -> list[int]:
        kids: list[int] = []
        task_dir = Path(f"/proc/{pid}/task")
        try:
            for task in task_dir.iterdir():
                text = (task / "children").read_text()
                kids.extend(int(c) for c in text.split())
        except OSError:
            pass
        return kids

    def rss_kib(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        total, stack = 0, [proc.pid]
        while stack:
            pid = stack.pop()
            total += rss_kib(pid)
            stack.extend(children_of(pid))
        peak = max(peak, total)
        time.sleep(interval_s)
    return peak / 1024.0, proc.returncode


def ensure_export(kind: str, out_dir: Path, seed: int, regenerate: bool) -> Path:
    request_dir = out_dir / kind
    archive = request_dir / "export.zip"
    if regenerate or not (archive.is_file() and (request_dir / "request.json").is_file()):
        print(f"generating the {kind} export in {request_dir} ...", file=sys.stderr, flush=True)
        cmd = [
            sys.executable,
            str(HERE / "gen_export.py"),
            "--kind",
            kind,
            "--out",
            str(request_dir),
            "--seed",
            str(seed),
        ]
        if subprocess.run(cmd, check=False).returncode != 0:
            raise SystemExit(f"bench_check: generating the {kind} export failed")
    return request_dir


def bench_kind(
    kind: str, request_dir: Path, reviewer: str, runs: int, warmup: int, tree_rss: bool
) -> KindResult:
    archive = request_dir / "export.zip"
    res = KindResult(
        kind=kind, request_dir=str(request_dir), archive_mb=archive.stat().st_size / 1e6
    )
    res.loadavg_before = os.getloadavg()[0]
    check_argv = [reviewer, "check", "--json", str(request_dir)]
    unzip_argv = ["unzip", "-tqq", str(archive)]
    floor_argv = [str(PYTHON), str(HERE / "floor.py"), str(archive)]
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        report_path = Path(tmp) / "report.json"
        for i in range(warmup + runs):
            c, stderr = run_child(check_argv, report_path)
            if c.returncode not in (0, 1):
                last = stderr.strip().splitlines()
                res.error = f"reviewer check exited {c.returncode}: {last[-1] if last else ''}"
                return res
            u, _ = run_child(unzip_argv)
            if u.returncode != 0:
                res.error = f"unzip -t exited {u.returncode} (the archive itself is not sound)"
                return res
            f, _ = run_child(floor_argv)
            if f.returncode != 0:
                res.error = f"floor.py exited {f.returncode}"
                return res
            if i >= warmup:
                res.check_runs.append(c)
                res.unzip_runs.append(u)
                res.floor_runs.append(f)
        try:
            report = json.loads(report_path.read_text())
            res.members = report.get("stats", {}).get("members")
            res.verdict = report.get("verdict")
            res.findings = len(report.get("findings", []))
        except (OSError, ValueError) as exc:
            res.error = f"reviewer check --json printed no readable JSON: {exc}"
    res.check_median_s = statistics.median(r.wall_s for r in res.check_runs)
    res.unzip_median_s = statistics.median(r.wall_s for r in res.unzip_runs)
    res.floor_median_s = statistics.median(r.wall_s for r in res.floor_runs)
    if res.unzip_median_s:
        res.floor_ratio = res.floor_median_s / res.unzip_median_s
    res.check_cpu_median_s = statistics.median(r.cpu_s for r in res.check_runs)
    res.ratio = res.check_median_s / res.unzip_median_s if res.unzip_median_s else None
    res.unzip_cpu_median_s = statistics.median(r.cpu_s for r in res.unzip_runs)
    res.check_min_s = min(r.wall_s for r in res.check_runs)
    res.unzip_min_s = min(r.wall_s for r in res.unzip_runs)
    if res.unzip_cpu_median_s:
        res.cpu_ratio = res.check_cpu_median_s / res.unzip_cpu_median_s
    res.loadavg_after = os.getloadavg()[0]
    res.peak_rss_mb = max(r.maxrss_mb for r in res.check_runs)
    if tree_rss:
        res.tree_rss_mb, _ = tree_peak_rss(check_argv)
    if kind in LARGE:
        res.target = f"ratio <= {RATIO_TARGET:.1f}"
        res.target_met = res.ratio is not None and res.ratio <= RATIO_TARGET
    else:
        res.target = f"ratio <= {SMALL_RATIO_TARGET:.0f}, tree RSS <= {RSS_TARGET_MB:.0f} MB"
        rss = res.tree_rss_mb if res.tree_rss_mb else res.peak_rss_mb
        res.target_met = (
            res.ratio is not None and res.ratio <= SMALL_RATIO_TARGET and rss <= RSS_TARGET_MB
        )
    return res


def parse_importtime(stderr: str) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, module with its nesting indent) per `-X importtime` line."""
    imports: list[tuple[int, int, str]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        parts = line[len("import time:") :].split("|")
        if len(parts) == 3:
            imports.append((int(parts[0]), int(parts[1]), parts[2].rstrip()))
    return imports


def import_profile(argv: list[str], top: int) -> dict[str, object]:
    """What `python -X importtime argv` imports: count, total and the costliest modules."""
    python = str(PYTHON)
    proc = subprocess.run(
        [python, "-X", "importtime", *argv], capture_output=True, text=True, check=False
    )
    imports = parse_importtime(proc.stderr)
    by_cum = sorted(imports, key=lambda i: i[1], reverse=True)[:top]
    by_self = sorted(imports, key=lambda i: i[0], reverse=True)[:top]
    return {
        "argv": ["python", "-X", "importtime", *argv],
        "modules_imported": len(imports),
        "import_total_s": sum(i[0] for i in imports) / 1e6,
        "top_cumulative": [
            {
                "module": name.strip(),
                "depth": (len(name) - len(name.lstrip())) // 2,
                "cumulative_s": cum / 1e6,
            }
            for _, cum, name in by_cum
        ],
        "top_self": [{"module": name.strip(), "self_s": own / 1e6} for own, _, name in by_self],
        "imported": sorted(name.strip() for _, _, name in imports),
    }


def bench_startup(runs: int, top: int, request_dir: Path | None) -> dict[str, object]:
    """Start-up of `reviewer check --help` (wall time), and what `check` imports."""
    python = str(PYTHON)
    argv = ["-m", "reviewer", "check", "--help"]
    walls = [run_child([python, *argv])[0].wall_s for _ in range(runs)]
    result: dict[str, object] = {
        "command": "python -m reviewer check --help",
        "median_s": statistics.median(walls),
        "help": import_profile(argv, top),
    }
    if request_dir is not None:
        result["check"] = import_profile(
            ["-m", "reviewer", "check", "--json", str(request_dir)], top
        )
    return result


def git_commit() -> str | None:
    """The commit measured, with "+dirty" when the package has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "reviewer"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(results: list[KindResult], startup: dict[str, object] | None) -> None:
    head = (
        f"{'export':<9} {'MB':>6} {'members':>8} {'check s':>8} {'unzip s':>8} "
        f"{'ratio':>6} {'cpu s':>6} {'RSS MB':>7} {'tree MB':>7}  target"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        if r.error:
            print(f"{r.kind:<9} {r.archive_mb:>6.1f}  error: {r.error}")
            continue
        met = "met" if r.target_met else "NOT met"
        print(
            f"{r.kind:<9} {r.archive_mb:>6.1f} {fmt(r.members, 'd'):>8} "
            f"{fmt(r.check_median_s, '.3f'):>8} {fmt(r.unzip_median_s, '.3f'):>8} "
            f"{fmt(r.ratio, '.2f'):>6} {fmt(r.check_cpu_median_s, '.2f'):>6} "
            f"{fmt(r.peak_rss_mb, '.1f'):>7} {fmt(r.tree_rss_mb, '.1f'):>7}  "
            f"{r.target}: {met}"
        )
    for r in results:
        if not r.error:
            print(
                f"  {r.kind}: verdict {r.verdict}, {r.findings} findings, "
                f"{len(r.check_runs)} runs each (medians); fastest run check "
                f"{fmt(r.check_min_s, '.3f')} s / unzip {fmt(r.unzip_min_s, '.3f')} s; CPU s check "
                f"{fmt(r.check_cpu_median_s, '.2f')} / unzip {fmt(r.unzip_cpu_median_s, '.2f')}"
                f" = {fmt(r.cpu_ratio, '.2f')}; check cpu/wall "
                f"{(r.check_cpu_median_s or 0) / (r.check_median_s or 1):.2f}; "
                f"load average {fmt(r.loadavg_before, '.1f')} -> {fmt(r.loadavg_after, '.1f')}"
                f" on {os.cpu_count()} CPUs"
            )
            print(
                f"  {r.kind}: floor (floor.py: inflate, CRC, SHA-256 and parse each member, "
                f"nothing checked) {fmt(r.floor_median_s, '.3f')} s = "
                f"{fmt(r.floor_ratio, '.2f')} x unzip -t"
            )
    cpus = os.cpu_count() or 1
    busiest = max((r.loadavg_before or 0) for r in results) if results else 0.0
    if busiest > cpus * 0.75:
        print(
            f"  note: the machine was busy (load average up to {busiest:.1f} on {cpus} CPUs): "
            "wall-clock figures are inflated, the CPU ratio is the steadier guide"
        )
    if startup:
        print(f"\nstart-up: {startup['command']}: median {startup['median_s']:.3f} s")
        for key in ("help", "check"):
            prof = startup.get(key)
            if isinstance(prof, dict):
                print_imports(key, prof)


def print_imports(label: str, prof: dict[str, Any]) -> None:
    imported = set(prof["imported"])
    heavy = sorted(m for m in HEAVY_MODULES if m in imported)
    print(
        f"  imports for `{label}`: {prof['modules_imported']} modules, "
        f"{prof['import_total_s']:.3f} s; heavy ones: {', '.join(heavy) or 'none'}"
    )
    for item in prof["top_cumulative"]:
        indent = "  " * min(item["depth"], 6)
        print(f"    {item['cumulative_s']:7.3f} s  {indent}{item['module']}")


def main(argv: list[str] | None = None) -> int:
    as_installed()
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--kind",
        choices=(*KINDS, "all"),
        default="all",
        help="which export to measure (default: all)",
    )
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each tool (default 7)")
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="untimed runs first, to warm the page cache (default 1)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="where the exports are kept (default benchmarks/out)",
    )
    parser.add_argument("--seed", type=int, default=2018, help="generator seed (default 2018)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the exports first")
    parser.add_argument(
        "--reviewer",
        default=str(DEFAULT_REVIEWER),
        help="the reviewer executable (default .venv/bin/reviewer)",
    )
    parser.add_argument(
        "--no-tree-rss",
        action="store_true",
        help="skip the extra run that samples the process tree's summed RSS",
    )
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up timing")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if shutil.which("unzip") is None:
        print("bench_check: unzip is not installed (apt-get install unzip)", file=sys.stderr)
        return 2
    if not Path(args.reviewer).exists() and shutil.which(args.reviewer) is None:
        print(f"bench_check: {args.reviewer} not found (make install)", file=sys.stderr)
        return 2

    kinds = KINDS if args.kind == "all" else (args.kind,)
    results = []
    for kind in kinds:
        request_dir = ensure_export(kind, args.out, args.seed, args.regenerate)
        results.append(
            bench_kind(
                kind, request_dir, args.reviewer, args.runs, args.warmup, not args.no_tree_rss
            )
        )
    startup = None
    if not args.no_startup:
        incident = args.out / "incident"
        startup = bench_startup(args.runs, 12, incident if incident.is_dir() else None)

    if args.json:
        payload = {
            "commit": git_commit(),
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
            "targets": {
                "incident_ratio_max": RATIO_TARGET,
                "small_members_ratio_max": SMALL_RATIO_TARGET,
                "small_members_tree_rss_mb_max": RSS_TARGET_MB,
            },
            "results": [asdict(r) for r in results],
            "startup": startup,
        }
        print(json.dumps(payload, indent=2))
    else:
        print(f"reviewer at {git_commit() or 'unknown commit'}, Python {sys.version.split()[0]}")
        print_table(results, startup)
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
