"""While an export is read the garbage collector makes no full collection (the index is many
long-lived objects made at once); its thresholds come back afterwards, also when reads
overlap or one fails."""

from __future__ import annotations

import gc
import threading
from pathlib import Path
from typing import Any

import pytest
import zipcraft

from reviewer.archive import ArchiveError, Limits, read_export
from reviewer.archive.collector import NO_FULL_COLLECTION, few_full_collections


def _archive(tmp_path: Path) -> Path:
    path = tmp_path / "export.zip"
    files = {f"Retail/Orders/{i}.json": b'{"order_id": "%d"}' % i for i in range(50)}
    path.write_bytes(zipcraft.zip_of(files))
    return path


def test_no_full_collection_while_reading_and_the_thresholds_come_back(tmp_path: Path) -> None:
    before = gc.get_threshold()
    seen: list[int] = []
    index = read_export(
        _archive(tmp_path), Limits(), progress=lambda _p: seen.append(gc.get_threshold()[2])
    )
    assert len(index.members) == 50
    assert seen and set(seen) == {NO_FULL_COLLECTION}
    assert gc.get_threshold() == before


def test_the_thresholds_come_back_when_the_file_cannot_be_read(tmp_path: Path) -> None:
    before = gc.get_threshold()
    with pytest.raises(ArchiveError):
        read_export(tmp_path / "missing.zip", Limits())
    assert gc.get_threshold() == before


def test_overlapping_reads_put_the_thresholds_back_once_the_last_ends() -> None:
    before = gc.get_threshold()
    first_in = threading.Event()
    release = threading.Event()

    def reader() -> None:
        with few_full_collections():
            first_in.set()
            release.wait(10)

    t = threading.Thread(target=reader)
    t.start()
    assert first_in.wait(10)
    with few_full_collections():
        assert gc.get_threshold()[2] == NO_FULL_COLLECTION
    assert gc.get_threshold()[2] == NO_FULL_COLLECTION  # the other read is still under way
    release.set()
    t.join()
    assert gc.get_threshold() == before


def test_thresholds_someone_changed_meanwhile_are_left_alone() -> None:
    before = gc.get_threshold()
    try:
        with few_full_collections():
            gc.set_threshold(1000, 20, 20)
        assert gc.get_threshold() == (1000, 20, 20)
    finally:
        gc.set_threshold(*before)


def test_a_review_runs_its_checks_without_a_full_collection_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer.archive import review as review_module
    from reviewer.domain.review import review_index

    before = gc.get_threshold()
    seen: list[int] = []

    def spy(request: Any, index: Any) -> Any:
        seen.append(gc.get_threshold()[2])
        return review_index(request, index)

    monkeypatch.setattr(review_module, "review_index", spy)
    folder = Path(__file__).resolve().parent.parent / "sample_archives" / "clean"
    review_module.review_request(folder)
    assert seen == [NO_FULL_COLLECTION]
    assert gc.get_threshold() == before
