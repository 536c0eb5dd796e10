"""Attribution that follows keys: members with no account of their own are the requester's
when the keys of the requester's records link to them, and never when another account's do.

Each test writes a real export (request.json and export.zip) and reviews it as the app does.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import struct
import time
from pathlib import Path
from typing import Any

import zipcraft
from test_checks_common import OTHER_ID, REQ_ID, SERIAL, TICKET

from reviewer.archive.review import review_request
from reviewer.domain.checks import unattributed
from reviewer.domain.checks._links import follow_keys, is_key_field, key_value
from reviewer.domain.model import ExportIndex, Finding, Member, MemberKind, Request, Table
from reviewer.domain.request import request_from_dict
from reviewer.domain.review import Review

MINE = ("302-1000001-0000001", "302-1000002-0000002", "302-1000003-0000003")
THEIRS = "302-9000009-0000009"
NOBODYS = "302-5555555-0000005"


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()


def _wav(seconds: float = 0.25, rate: int = 8000) -> bytes:
    pcm = b"\x80" * int(rate * seconds)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate, 1, 8)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data"
    body += struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _order(order_id: str, customer: str = REQ_ID, **more: Any) -> bytes:
    doc = {"order_id": order_id, "customer_id": customer, "date": "2018-03-02", "total": "9.99"}
    return json.dumps({**doc, **more}).encode()


def _items(*order_ids: str, item: str = "Kaffeefilter") -> bytes:
    return _csv(
        ["order_id", "line_id", "item", "quantity", "unit_price"],
        [[oid, f"L-{oid}-1", item, 1, "9.99"] for oid in order_ids],
    )


def _orders(*order_ids: str) -> dict[str, bytes]:
    """One JSON document and one items table per order, the requester's."""
    files: dict[str, bytes] = {}
    for oid in order_ids:
        files[f"Retail/Orders/{oid}.json"] = _order(oid)
        files[f"Retail/Orders/{oid}-items.csv"] = _items(oid)
    return files


def _export(tmp_path: Path, files: dict[str, bytes]) -> Review:
    """The requester's profile and devices plus `files`, with a manifest, reviewed."""
    base = {
        "Account/Profile.json": json.dumps(
            {
                "customer_id": REQ_ID,
                "name": "Jonas Weber",
                "email": "jonas.weber@example.de",
                "locale": "de-DE",
            }
        ).encode(),
        "Devices/Devices.csv": _csv(
            ["customer_id", "serial", "type", "registered_at"],
            [[REQ_ID, SERIAL, "Echo Dot", "2017-12-24"]],
        ),
        **files,
    }
    manifest = {
        "export_id": "E1",
        "customer_id": REQ_ID,
        "generated_at": "2018-08-02T09:00:00Z",
        "files": [
            {"path": p, "bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for p, d in base.items()
        ],
    }
    folder = tmp_path / "DSAR-2018-0412"
    folder.mkdir()
    (folder / "request.json").write_text(json.dumps(TICKET))
    (folder / "export.zip").write_bytes(
        zipcraft.zip_of({"manifest.json": json.dumps(manifest).encode(), **base})
    )
    return review_request(folder)


def _unattributed(review: Review) -> list[Finding]:
    return [f for f in review.report.findings if f.code == "unattributed-member"]


def test_items_tables_carrying_the_requesters_order_ids_are_the_requesters(
    tmp_path: Path,
) -> None:
    review = _export(tmp_path, _orders(*MINE))
    assert _unattributed(review) == []
    assert review.report.verdict.value == "pass", [f.title for f in review.report.findings]


def test_an_items_table_no_record_links_stays_unattributed(tmp_path: Path) -> None:
    files = _orders(*MINE)
    files[f"Retail/Orders/{NOBODYS}-items.csv"] = _items(NOBODYS)
    # one table with a row of the requester's order and a row of an order nobody lists
    files["Retail/Orders/mixed-items.csv"] = _items(MINE[0], NOBODYS)
    [f] = _unattributed(_export(tmp_path, files))
    assert f.title == "2 tables with no account or identifier"
    assert f.members == (f"Retail/Orders/{NOBODYS}-items.csv", "Retail/Orders/mixed-items.csv")


def test_another_accounts_order_keeps_its_finding_and_its_items_are_not_the_requesters(
    tmp_path: Path,
) -> None:
    files = _orders(*MINE)
    files[f"Retail/Orders/{THEIRS}.json"] = _order(THEIRS, OTHER_ID)
    files[f"Retail/Orders/{THEIRS}-items.csv"] = _items(THEIRS)
    # items of the requester's order and of the other account's in one table
    files["Retail/Orders/both-items.csv"] = _items(MINE[1], THEIRS)
    review = _export(tmp_path, files)
    assert review.report.verdict.value == "block"
    [foreign] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert foreign.members == (f"Retail/Orders/{THEIRS}.json",)
    [f] = _unattributed(review)
    assert f.title == f"2 members linked to another account's records ({OTHER_ID})"
    assert f.members == (
        "Retail/Orders/302-9000009-0000009-items.csv",
        "Retail/Orders/both-items.csv",
    )
    assert f"key {THEIRS} of customer {OTHER_ID}'s record in Retail/Orders/{THEIRS}.json" in (
        f.detail
    )
    assert "not the requester's" in f.detail


def test_a_key_in_records_of_two_accounts_links_nothing_to_the_requester(tmp_path: Path) -> None:
    shared = MINE[2]
    files = _orders(MINE[0])
    files[f"Retail/Orders/{shared}.json"] = _order(shared)
    files["Retail/Orders/theirs.json"] = _order(shared, OTHER_ID)
    files[f"Retail/Orders/{shared}-items.csv"] = _items(shared)
    review = _export(tmp_path, files)
    [foreign] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert foreign.members == ("Retail/Orders/theirs.json",)
    [f] = _unattributed(review)
    assert f.members == (f"Retail/Orders/{shared}-items.csv",)
    assert OTHER_ID in f.title
    links = follow_keys(review.request, review.index, f.members)
    assert links.requester == frozenset()
    assert links.foreign[f.members[0]].owner == OTHER_ID


def test_links_are_followed_from_table_to_table(tmp_path: Path) -> None:
    files = _orders(MINE[0])
    # returns name the order's item lines, not the order: linked through the items table
    files["Retail/Returns/R1.csv"] = _csv(["line_id", "reason"], [[f"L-{MINE[0]}-1", "defekt"]])
    files["Retail/Returns/R2.csv"] = _csv(["line_id", "reason"], [["L-999999-1", "zu groß"]])
    [f] = _unattributed(_export(tmp_path, files))
    assert f.members == ("Retail/Returns/R2.csv",)


def test_a_file_the_requesters_record_lists_is_the_requesters(tmp_path: Path) -> None:
    files = {f"Retail/Orders/{MINE[0]}.json": _order(MINE[0], invoice_file="Rechnung-17.csv")}
    files["Retail/Invoices/Rechnung-17.csv"] = _csv(
        ["position", "amount"], [["Kaffeefilter", "9.99"]]
    )
    files["Retail/Invoices/Rechnung-18.csv"] = _csv(["position", "amount"], [["Tee", "3.49"]])
    # ... and what a member linked to the requester lists, in turn
    files[f"Retail/Orders/{MINE[0]}-items.csv"] = _csv(
        ["order_id", "item", "receipt_file"], [[MINE[0], "Kaffeefilter", "Beleg-31.csv"]]
    )
    files["Retail/Receipts/Beleg-31.csv"] = _csv(["total"], [["9.99"]])
    [f] = _unattributed(_export(tmp_path, files))
    assert f.members == ("Retail/Invoices/Rechnung-18.csv",)


def test_shared_catalogue_keys_link_nothing(tmp_path: Path) -> None:
    files = {f"Retail/Orders/{MINE[0]}.json": _order(MINE[0])}
    files[f"Retail/Orders/{MINE[0]}-items.csv"] = _csv(
        ["order_id", "product_id", "item"], [[MINE[0], "B00X4WHP5E", "Kaffeefilter"]]
    )
    # another order's items, sharing only the product: nothing says whose they are
    files[f"Retail/Orders/{NOBODYS}-items.csv"] = _csv(
        ["order_id", "product_id", "item"], [[NOBODYS, "B00X4WHP5E", "Kaffeefilter"]]
    )
    [f] = _unattributed(_export(tmp_path, files))
    assert f.members == (f"Retail/Orders/{NOBODYS}-items.csv",)


def test_recordings_named_after_the_requesters_utterance_ids_are_theirs(tmp_path: Path) -> None:
    uids = ["a1b2c3d4-0001", "a1b2c3d4-0002"]
    files: dict[str, bytes] = {
        # a voice history that names no audio file: the recordings carry the utterance id
        "Alexa/VoiceHistory.csv": _csv(
            ["utterance_id", "timestamp", "customer_id", "device_serial", "transcript"],
            [[u, "2018-05-01T18:00:00Z", REQ_ID, SERIAL, "wie spät ist es"] for u in uids],
        ),
        "Alexa/Audio/a1b2c3d4-0001.wav": _wav(),
        "Alexa/Audio/a1b2c3d4-0002.wav": _wav(),
        "Alexa/Audio/a1b2c3d4-0099.wav": _wav(),
    }
    [f] = _unattributed(_export(tmp_path, files))
    assert f.title == "1 recording that no row describes"
    assert f.members == ("Alexa/Audio/a1b2c3d4-0099.wav",)


def test_another_accounts_utterance_does_not_make_its_recording_the_requesters(
    tmp_path: Path,
) -> None:
    files: dict[str, bytes] = {
        "Alexa/VoiceHistory.csv": _csv(
            ["utterance_id", "timestamp", "customer_id", "device_serial", "transcript"],
            [
                ["a1b2c3d4-0001", "2018-05-01T18:00:00Z", REQ_ID, SERIAL, "wie spät ist es"],
                ["f0f0f0f0-0007", "2018-05-02T18:00:00Z", OTHER_ID, SERIAL, "play jazz"],
            ],
        ),
        "Alexa/Audio/a1b2c3d4-0001.wav": _wav(),
        "Alexa/Audio/f0f0f0f0-0007.wav": _wav(),
    }
    review = _export(tmp_path, files)
    assert "foreign-records" in {f.code for f in review.report.findings}
    [f] = _unattributed(review)
    assert f.members == ("Alexa/Audio/f0f0f0f0-0007.wav",)
    assert OTHER_ID in f.title


def test_a_value_every_record_shares_links_nothing(tmp_path: Path) -> None:
    """An export's id, a batch number, a day or a status that every row of the requester's
    table carries is no key of one record: a table of strangers carrying it too stays
    unattributed."""
    for column, shared in (
        ("export_id", "EXP-2018-0398-1"),
        ("batch_no", "20180730"),
        ("ref", "2018-07-30T06:00:00Z"),
        ("status_id", "ACTIVE1"),
    ):
        mine = _csv(
            ["customer_id", "order_id", column],
            [[REQ_ID, oid, shared] for oid in MINE],
        )
        gifts = _csv(["to", "message", column], [["Lena Brandt", "Alles Gute", shared]])
        folder = tmp_path / column
        folder.mkdir()
        review = _export(folder, {"Retail/Orders.csv": mine, "Retail/Gifts.csv": gifts})
        [f] = _unattributed(review)
        assert f.members == ("Retail/Gifts.csv",), column


def test_what_counts_as_a_key() -> None:
    assert all(
        is_key_field(name)
        for name in ("order_id", "OrderId", "orderID", "orderid", "id", "Invoice Number", "ref")
    )
    assert not any(
        is_key_field(name)
        for name in ("customer_id", "device_serial", "asin", "product_id", "valid", "item", "paid")
    )
    assert not is_key_field("id", "product") and is_key_field("id", "shipment")
    assert key_value(" 302-1000001-0000001 ") == "302-1000001-0000001"
    assert key_value("a1b2c3d4-0001") == "A1B2C3D4-0001"
    # too short, no digit, a short number, a phrase: not keys
    assert [key_value(v) for v in ("U1", "Kaffeefilter", "1234567", "order 12345", True)] == [
        ""
    ] * 5
    assert key_value("12345678") == key_value(12345678) == "12345678"
    # days and times are no keys
    assert [key_value(v) for v in ("20180730", "2018-07-30", "2018-07-30T06:00:00Z")] == [""] * 3


def _orders_index(orders: int) -> ExportIndex:
    """An index of `orders` orders, each a JSON document and an items table, as the reader
    fills it (the reader's own tests cover the bytes)."""
    index = ExportIndex(archive_path="export.zip", archive_sha256="0" * 64, archive_bytes=0)
    for i in range(orders):
        oid = f"302-{i:07d}-{(i * 7919) % 10**7:07d}"
        doc_path, items_path = f"Retail/Orders/{oid}.json", f"Retail/Orders/{oid}-items.csv"
        index.json_docs[doc_path] = {"order_id": oid, "customer_id": REQ_ID, "total": "9.99"}
        index.tables[items_path] = Table(
            items_path, ("order_id", "item", "quantity"), [(oid, "Kaffeefilter", "1")]
        )
        for path, kind in ((doc_path, MemberKind.JSON), (items_path, MemberKind.CSV)):
            index.members.append(Member(path, 64, 48, kind, "table", readable=True))
    return index


def _cpu_of_check(request: Request, index: ExportIndex) -> float:
    """The processor time (of this process: other load does not count) the check takes; it
    finds nothing to say of these orders."""
    start = time.process_time()
    assert unattributed.check(request, index) == []
    return time.process_time() - start


def test_thirty_five_thousand_orders_are_linked_in_linear_time() -> None:
    """The export that raised 34,997 warnings: a JSON document and an items table per order.
    Ten times the orders take about ten times the processor time (a quadratic pairing of
    members would take a hundred times): the growth is judged, never the machine's speed."""
    request = request_from_dict(TICKET)
    small = min(_cpu_of_check(request, _orders_index(3_500)) for _ in range(3))
    index = _orders_index(35_000)
    large = _cpu_of_check(request, index)
    assert large < 40 * max(small, 1e-3)
    # one order whose document is gone: its items are unattributed again
    del index.json_docs["Retail/Orders/302-0000007-0055433.json"]
    [f] = unattributed.check(request, index)
    assert f.members == ("Retail/Orders/302-0000007-0055433-items.csv",)
