"""How long building and proving a corrected version takes, next to `reviewer check` on the
same export, in the same run.

On the incident export (1,700 recordings, ~100 MB; built by gen_export.py into
benchmarks/out/ when missing) the corrections are 100 withheld utterances and 10 redacted
texts (words that occur in the transcripts). One "correct" run is what applying corrections
does before the store records the new version: hash the original archive, build the
corrected archive, prove it (re-read through the safe reader, every member searched again),
and check it again with every check. One "check" run is `reviewer check` in the same process:
read the export and run every check, timed both as the command a user runs (`reviewer check
--json`, start-up included) and in this process. They alternate, N times each; the script
prints the medians, the ratios and the load average.

- target: correct at most 3 x check

    .venv/bin/python benchmarks/bench_correct.py                 # 5 runs each
    .venv/bin/python benchmarks/bench_correct.py --runs 3 --json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_check import DEFAULT_OUT, ensure_export  # noqa: E402
from installed import as_installed  # noqa: E402

RATIO_TARGET = 3.0
REVIEWER = HERE.parent / ".venv" / "bin" / "reviewer"
WITHHELD = 100
REDACTED = 10


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    as_installed()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    from reviewer.archive.review import review_request
    from reviewer.correct import build_corrected, prove
    from reviewer.domain.checks import run_checks
    from reviewer.domain.corrections import Correction, CorrectionKind, Reason, plan

    folder = ensure_export("incident", args.out, args.seed, regenerate=False)
    archive = folder / "export.zip"
    review = review_request(folder)
    words = Counter(
        w for t in review.index.transcripts for w in re.findall(r"[^\W\d_]{6,}", t.text)
    )
    terms = [w for w, _n in words.most_common(REDACTED * 3)][5 : 5 + REDACTED]
    corrections = [
        Correction(CorrectionKind.WITHHOLD_UTTERANCE, r.utterance_id, Reason.NOT_REQUESTERS)
        for r in review.index.recordings[:WITHHELD]
    ] + [Correction(CorrectionKind.REDACT_TEXT, t, Reason.THIRD_PARTY) for t in terms]
    the_plan = plan(corrections, review.index)

    def check_once() -> None:
        review_request(folder)

    def check_cli_once() -> None:
        subprocess.run(
            [str(REVIEWER), "check", "--json", str(folder)],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    proven: list[bool] = []

    def correct_once(out: Path) -> None:
        with ThreadPoolExecutor(max_workers=1) as pool:  # as the service does it
            original = pool.submit(_sha256, archive)
            built = build_corrected(archive, review.index, review.request, the_plan, out)
            assert original.result() == review.report.archive_sha256
        proof, index = prove(built.path, the_plan, written=built.contents)
        run_checks(review.request, index)
        proven.append(proof.ok)

    load_before = os.getloadavg()
    check_s, cli_s, correct_s = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            t = time.perf_counter()
            check_cli_once()
            cli_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            check_once()
            check_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            correct_once(Path(tmp) / str(i))
            correct_s.append(time.perf_counter() - t)
    load_after = os.getloadavg()
    check_med, correct_med = statistics.median(check_s), statistics.median(correct_s)
    cli_med = statistics.median(cli_s)
    figures = {
        "export": str(archive),
        "archive_mb": round(archive.stat().st_size / 1e6, 1),
        "recordings": len(review.index.recordings),
        "withheld_utterances": len(the_plan.withheld_utterances),
        "redacted_texts": len(the_plan.redactions),
        "runs": args.runs,
        "check_cli_median_s": round(cli_med, 3),
        "check_median_s": round(check_med, 3),
        "correct_median_s": round(correct_med, 3),
        "ratio": round(correct_med / cli_med, 2),
        "ratio_in_process": round(correct_med / check_med, 2),
        "target_ratio": RATIO_TARGET,
        "proven": all(proven),
        "loadavg_1min": [round(load_before[0], 2), round(load_after[0], 2)],
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(
            f"incident export {figures['archive_mb']} MB, {figures['recordings']} recordings; "
            f"{figures['withheld_utterances']} utterances withheld, "
            f"{figures['redacted_texts']} texts redacted"
        )
        print(f"  reviewer check (command)  median {cli_med:6.2f} s  ({args.runs} runs)")
        print(f"  the same, in this process median {check_med:6.2f} s")
        print(f"  build + prove + re-check  median {correct_med:6.2f} s  (in this process)")
        print(
            f"  ratio {figures['ratio']:.2f} x the command (target at most "
            f"{RATIO_TARGET:.0f} x), {figures['ratio_in_process']:.2f} x in process; "
            f"proven {figures['proven']}, load {load_before[0]:.2f} -> {load_after[0]:.2f} "
            f"on {os.cpu_count()} CPUs"
        )
    return 0 if figures["proven"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
