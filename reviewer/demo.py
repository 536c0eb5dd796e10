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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reviewer.store.service import ReviewService

DEMO_REVIEWERS: tuple[tuple[str, str, str], ...] = (
    ("alice", "reviewer", "alice-demo-passphrase"),
    ("bob", "approver", "bob-demo-passphrase"),
    ("carol", "supervisor", "carol-demo-passphrase"),
)
SAMPLES = Path(__file__).resolve().parent.parent / "sample_archives"


def add_demo_people(svc: ReviewService) -> None:
    """The demo's accounts, made as a real store's are: the supervisor first (the bootstrap),
    then the others by that supervisor."""
    known = {u.name for u in svc.list_users()}
    supervisor = next(p for p in DEMO_REVIEWERS if p[1] == "supervisor")
    if supervisor[0] not in known:
        svc.add_user(None, *supervisor)
    session = svc.sign_in(supervisor[0], supervisor[2])
    try:
        for name, role, passphrase in DEMO_REVIEWERS:
            if name not in known and name != supervisor[0]:
                svc.add_user(session, name, role, passphrase)
    finally:
        svc.sign_out(session)
    svc.mark_demo(DEMO_REVIEWERS)


def build_demo(directory: Path, samples: Path = SAMPLES, *, quiet: bool = False) -> int:
    """Build the demo store in `directory`; returns how many sample folders were skipped."""
    from reviewer.archive.pdfservice import keep_warm
    from reviewer.archive.review import review_request
    from reviewer.cli.ingest import request_folders
    from reviewer.domain.private import make_private_dir
    from reviewer.domain.review import EXPORT_NAME
    from reviewer.store.service import ReviewService

    make_private_dir(directory)  # 0700 when made here, as the store makes its own folder
    keep_warm()  # one PDF child for all the samples
    url = f"sqlite:///{directory.resolve() / 'reviewer.db'}"
    skipped = 0
    with ReviewService.open(url) as svc:
        add_demo_people(svc)
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
