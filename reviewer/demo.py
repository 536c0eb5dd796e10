"""Build (or refresh) the demo store: ``python -m reviewer.demo --dir .demo``.

The store ``DIR/reviewer.db`` gets three reviewers and every request folder of
``sample_archives/`` checked and ingested (the archives are referenced where they lie). Running
it again changes nothing that is already there. The store is marked as a demo store, so the
sign-in screen may show these passphrases; no other store ever shows any.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEMO_REVIEWERS: tuple[tuple[str, str, str], ...] = (
    ("alice", "reviewer", "alice-demo-passphrase"),
    ("bob", "approver", "bob-demo-passphrase"),
    ("carol", "supervisor", "carol-demo-passphrase"),
)
SAMPLES = Path(__file__).resolve().parent.parent / "sample_archives"


def build_demo(directory: Path, samples: Path = SAMPLES, *, quiet: bool = False) -> int:
    """Build the demo store in `directory`; returns how many sample folders were skipped."""
    from reviewer.cli.ingest import request_folders
    from reviewer.domain.review import EXPORT_NAME, review_request
    from reviewer.store.service import ReviewService

    directory.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{directory.resolve() / 'reviewer.db'}"
    skipped = 0
    with ReviewService.open(url) as svc:
        known = {u.name for u in svc.list_users()}
        for name, role, passphrase in DEMO_REVIEWERS:
            if name not in known:
                svc.add_user(name, role, passphrase, actor="demo")
        svc.mark_demo(DEMO_REVIEWERS)
        folders, _ = request_folders((samples,)) if samples.is_dir() else ([], [])
        for folder in folders:
            try:
                review = review_request(folder)
                result = svc.ingest(review, folder / EXPORT_NAME, actor="demo")
            except Exception as exc:  # noqa: BLE001 - a broken sample never stops the demo
                skipped += 1
                print(f"demo: skipped {folder.name}: {exc}", file=sys.stderr)
                continue
            if not quiet:
                print(f"demo: {result.request_id:<24} {result.outcome:<12} {result.verdict.value}")
    if not quiet:
        print(f"demo: store ready at {directory / 'reviewer.db'}")
    return skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reviewer.demo", description=__doc__)
    parser.add_argument("--dir", type=Path, default=Path(".demo"), help="where to build it")
    parser.add_argument("--samples", type=Path, default=SAMPLES, help="request folders to ingest")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    build_demo(args.dir, args.samples, quiet=args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
