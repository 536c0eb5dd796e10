"""The committed sample request folders: reproducible, small, and what their README says.

The verdict each sample must get is tested with the checks; here we test the samples
themselves: a rebuild gives the same bytes, every recording is a well-formed WAV of the
variant it claims to be and holds sound, the transcript catalogue matches the voice history
(except where the tampered case breaks it on purpose), and the whole set stays small.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_archives"
BUILD = SAMPLES / "build.py"
CASES = (
    "clean",
    "wrong-customer",
    "mixed-records",
    "previous-owner",
    "unknown-device",
    "third-party",
    "tampered",
    "hostile",
    "other-layout",
)
REFERENCE = tuple(c for c in CASES if c != "other-layout")
HEADER = re.compile(r"^(\S+)  (\S+)  (\S+)$")


def _have_tools() -> bool:
    return shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


needs_speech_tools = pytest.mark.skipif(
    not _have_tools() and os.environ.get("CI") != "true",
    reason="espeak-ng and sox are not installed (apt-get install espeak-ng sox); "
    "CI always runs this",
)


# --------------------------------------------------------------------------- helpers


@dataclass
class Wav:
    format_tag: int
    channels: int
    rate: int
    bits: int
    extensible_pcm: bool
    chunks: list[str]
    declared_data: int
    data: bytes
    odd_padded: bool

    @property
    def truncated(self) -> bool:
        return len(self.data) < self.declared_data


def parse_wav(blob: bytes) -> Wav:
    """A strict RIFF/WAVE walk: every chunk header in bounds except a final data chunk cut
    short (a truncated file), a pad byte after every odd-sized chunk."""
    assert blob[:4] == b"RIFF" and blob[8:12] == b"WAVE", "not RIFF/WAVE"
    riff_size = struct.unpack_from("<I", blob, 4)[0]
    assert riff_size + 8 >= len(blob), "RIFF size smaller than the file"
    pos, chunks, fmt, data, declared, odd_padded = 12, [], None, None, 0, False
    while pos + 8 <= len(blob):
        cid = blob[pos : pos + 4].decode("ascii")
        size = struct.unpack_from("<I", blob, pos + 4)[0]
        chunks.append(cid)
        body = blob[pos + 8 : pos + 8 + size]
        if cid == "fmt ":
            fmt = body
        elif cid == "data":
            data, declared = body, size
        else:
            assert len(body) == size, f"{cid} chunk runs past the end"
        if size & 1 and pos + 8 + size < len(blob):
            assert blob[pos + 8 + size] == 0, f"pad byte after odd {cid} chunk is not zero"
            odd_padded = True
        pos += 8 + size + (size & 1)
    assert fmt is not None and data is not None, f"missing fmt or data chunk: {chunks}"
    tag, channels, rate, byte_rate, align, bits = struct.unpack_from("<HHIIHH", fmt)
    assert align == channels * bits // 8 and byte_rate == rate * align, "inconsistent fmt"
    ext = False
    if tag == 0xFFFE:
        cb, valid, _mask = struct.unpack_from("<HHI", fmt, 16)
        assert cb == 22 and valid == bits
        ext = fmt[24:40] == bytes.fromhex("0100000000001000800000aa00389b71")
    return Wav(tag, channels, rate, bits, ext, chunks, declared, data, odd_padded)


def samples_peak(w: Wav) -> int:
    """Largest distance from silence in the audio, in 16-bit units."""
    if w.bits == 8:
        return max(abs(b - 128) for b in w.data) << 8
    n = len(w.data) // 2
    values: tuple[int, ...] = struct.unpack(f"<{n}h", w.data[: n * 2])
    return max(abs(v) for v in values)


def read_members(case: str) -> dict[str, bytes]:
    """Every member of a sample that reads cleanly (the hostile one has some that don't)."""
    out: dict[str, bytes] = {}
    with zipfile.ZipFile(SAMPLES / case / "export.zip") as zf:
        for info in zf.infolist():
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                continue  # a symlink member holds its target, not content
            try:
                out.setdefault(info.filename, zf.read(info))
            except (zipfile.BadZipFile, RuntimeError):
                continue
    return out


def catalogue(pdf: bytes) -> dict[str, tuple[str, str, str]]:
    """utterance id -> (timestamp, device serial, text), as pypdf reads the catalogue."""
    entries: dict[str, list[str]] = {}
    current: list[str] | None = None
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for line in page.extract_text().splitlines():
            m = HEADER.match(line.strip())
            if m:
                assert m.group(3) not in entries, f"{m.group(3)} listed twice"
                current = [m.group(1), m.group(2), ""]
                entries[m.group(3)] = current
            elif current is not None:
                current[2] = (current[2] + " " + line.strip()).strip()
    return {k: (v[0], v[1], v[2]) for k, v in entries.items()}


def voice_history(members: dict[str, bytes]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(members["Alexa/VoiceHistory.csv"].decode())))


# --------------------------------------------------------------------------- tests


@needs_speech_tools
def test_rebuild_is_byte_for_byte_identical_to_the_committed_samples() -> None:
    proc = subprocess.run(
        [sys.executable, str(BUILD), "--check"], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "match a fresh build" in proc.stdout


@needs_speech_tools
def test_check_reports_a_changed_sample(tmp_path: Path) -> None:
    out = tmp_path / "samples"
    assert (
        subprocess.run([sys.executable, str(BUILD), "--out", str(out)], timeout=600).returncode == 0
    )
    target = out / "clean" / "request.json"
    target.write_bytes(target.read_bytes().replace(b"Eleanor", b"Eleanore"))
    (out / "tampered" / "export.zip").unlink()
    proc = subprocess.run(
        [sys.executable, str(BUILD), "--check", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 1
    assert "clean/request.json: differs" in proc.stdout
    assert "tampered/export.zip: missing" in proc.stdout


def test_every_case_has_a_ticket_and_an_archive() -> None:
    ids = set()
    for case in CASES:
        ticket = json.loads((SAMPLES / case / "request.json").read_text("utf-8"))
        assert re.fullmatch(r"DSAR-\d{4}-\d{4}", ticket["request_id"])
        assert ticket["requester"]["customer_id"]
        ids.add(ticket["request_id"])
        assert zipfile.is_zipfile(SAMPLES / case / "export.zip")
    assert len(ids) == len(CASES)


def test_samples_stay_under_ten_megabytes() -> None:
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert total < 10_000_000, f"sample_archives holds {total:,} bytes"


def test_every_recording_is_a_well_formed_wav_that_holds_sound() -> None:
    seen: list[Wav] = []
    for case in REFERENCE:
        for path, blob in read_members(case).items():
            if not path.endswith(".wav"):
                continue
            w = parse_wav(blob)
            assert w.format_tag in (1, 0xFFFE), f"{case}:{path} is not PCM"
            assert w.format_tag == 1 or w.extensible_pcm, f"{case}:{path} sub-format not PCM"
            assert w.channels in (1, 2) and w.bits in (8, 16), f"{case}:{path}"
            assert 8000 <= w.rate <= 48000, f"{case}:{path} at {w.rate} Hz"
            if path != "Alexa/Audio/padding.wav":  # the hostile case's silence bomb
                assert samples_peak(w) > 3000, f"{case}:{path} is silent"
                seconds = len(w.data) / (w.rate * w.channels * w.bits // 8)
                assert 0.4 < seconds < 8, f"{case}:{path} lasts {seconds:.1f} s"
            seen.append(w)
    # The variants real exports carry are all represented somewhere.
    assert {w.bits for w in seen} == {8, 16}
    assert {w.channels for w in seen} == {1, 2}
    assert len({w.rate for w in seen}) >= 4
    assert any(w.format_tag == 0xFFFE for w in seen)
    assert any("LIST" in w.chunks for w in seen)
    assert any(w.declared_data % 2 == 1 and w.odd_padded for w in seen)
    assert sum(w.truncated for w in seen) == 1


def test_the_truncated_recording_is_listed_in_its_manifest_as_it_is() -> None:
    members = read_members("unknown-device")
    manifest = json.loads(members["manifest.json"])
    listed = {f["path"]: f["bytes"] for f in manifest["files"]}
    truncated = [p for p, b in members.items() if p.endswith(".wav") and parse_wav(b).truncated]
    assert len(truncated) == 1
    assert listed[truncated[0]] == len(members[truncated[0]])


@pytest.mark.parametrize("case", REFERENCE)
def test_catalogue_matches_voice_history(case: str) -> None:
    members = read_members(case)
    rows = voice_history(members)
    entries = catalogue(members["Alexa/Transcripts.pdf"])
    assert set(entries) == {r["utterance_id"] for r in rows}
    order = [r["utterance_id"] for r in rows]
    assert list(entries) != order, "the catalogue should be unsorted, as real ones are"
    differences = {
        r["utterance_id"]: (
            "text" if entries[r["utterance_id"]][2] != r["transcript"] else "",
            "device" if entries[r["utterance_id"]][1] != r["device_serial"] else "",
            "time" if entries[r["utterance_id"]][0] != r["timestamp"] else "",
        )
        for r in rows
    }
    differences = {k: v for k, v in differences.items() if any(v)}
    if case == "tampered":
        assert sorted(differences.values()) == [("", "device", ""), ("text", "", "")]
    else:
        assert differences == {}


@pytest.mark.parametrize("case", [c for c in REFERENCE if c not in ("tampered", "hostile")])
def test_manifest_is_exact_where_nothing_was_tampered_with(case: str) -> None:
    members = read_members(case)
    manifest = json.loads(members.pop("manifest.json"))
    listed = {f["path"]: (f["bytes"], f["sha256"]) for f in manifest["files"]}
    actual = {p: (len(b), hashlib.sha256(b).hexdigest()) for p, b in members.items()}
    assert listed == actual
    audio = {r["audio_file"] for r in voice_history(members) if r["audio_file"]}
    assert audio == {p for p in members if p.endswith(".wav")}


def test_tampered_manifest_disagrees_in_exactly_three_members() -> None:
    members = read_members("tampered")
    manifest = json.loads(members.pop("manifest.json"))
    listed = {f["path"]: f["sha256"] for f in manifest["files"]}
    changed = {
        p
        for p in listed.keys() & members.keys()
        if hashlib.sha256(members[p]).hexdigest() != listed[p]
    }
    assert changed == {"Retail/OrderHistory.csv"}
    missing = listed.keys() - members.keys()
    assert len(missing) == 1 and next(iter(missing)).startswith("Alexa/Audio/")
    assert members.keys() - listed.keys() == {"Retail/Wishlist.csv"}


def test_wrong_customer_archive_is_entirely_another_account() -> None:
    ticket = json.loads((SAMPLES / "wrong-customer" / "request.json").read_text("utf-8"))
    requester = ticket["requester"]
    assert requester["devices"] == []
    members = read_members("wrong-customer")
    text = b"\n".join(b for p, b in members.items() if not p.endswith((".wav", ".pdf")))
    for ident in (requester["customer_id"], requester["email"], requester["name"]):
        assert ident.encode() not in text
    owner = json.loads(members["manifest.json"])["customer_id"]
    assert owner != requester["customer_id"]
    assert {r["customer_id"] for r in voice_history(members)} == {owner}


def test_hostile_archive_carries_every_hazard() -> None:
    with zipfile.ZipFile(SAMPLES / "hostile" / "export.zip") as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        assert any(n.startswith("../") for n in names)
        assert any(n.startswith("/") for n in names)
        assert any("..\\" in n for n in names)
        assert len(names) != len(set(names))
        assert any((i.external_attr >> 16) & 0o170000 == 0o120000 for i in infos)
        assert any(i.flag_bits & 0x1 for i in infos)
        assert any(i.file_size > (1 << 20) and i.file_size / i.compress_size > 200 for i in infos)
        failures = []
        for info in infos:
            if info.flag_bits & 0x1:
                continue
            try:
                zf.read(info)
            except zipfile.BadZipFile:
                failures.append(info.filename)
        assert len(failures) == 2  # one bad CRC, one truncated deflate stream


def _defects(case: str) -> dict[str, set[str]]:
    """What each sample holds against its ticket, worked out independently of the checks:
    rows of other accounts, recordings from before a device's registration, recordings from
    devices the requester never registered."""
    ticket = json.loads((SAMPLES / case / "request.json").read_text("utf-8"))["requester"]
    me = ticket["customer_id"]
    registered = {d["serial"]: d["registered_at"] for d in ticket["devices"]}
    members = read_members(case)
    out: dict[str, set[str]] = {"foreign": set(), "before": set(), "unknown": set()}
    for row in voice_history(members):
        if row["customer_id"] != me:
            out["foreign"].add(row["utterance_id"])
        elif row["device_serial"] not in registered:
            out["unknown"].add(row["utterance_id"])
        elif row["timestamp"][:10] < registered[row["device_serial"]]:
            out["before"].add(row["utterance_id"])
    for table in ("Retail/OrderHistory.csv", "Retail/SearchHistory.csv", "Devices/Devices.csv"):
        for i, row in enumerate(csv.DictReader(io.StringIO(members[table].decode()))):
            if row["customer_id"] != me:
                out["foreign"].add(f"{table}:{i}")
    return out


@pytest.mark.parametrize(
    ("case", "foreign", "before", "unknown"),
    [
        ("clean", 0, 0, 0),
        ("wrong-customer", 12 + 2 + 2 + 2, 0, 0),
        ("mixed-records", 2 + 2 + 1, 0, 0),
        ("previous-owner", 0, 4, 0),
        ("unknown-device", 0, 0, 3),
        ("third-party", 0, 0, 0),
        ("tampered", 0, 0, 0),
        ("hostile", 0, 0, 0),
    ],
)
def test_each_case_has_exactly_the_defect_it_names(
    case: str, foreign: int, before: int, unknown: int
) -> None:
    found = _defects(case)
    assert (len(found["foreign"]), len(found["before"]), len(found["unknown"])) == (
        foreign,
        before,
        unknown,
    ), found


def test_only_the_third_party_case_names_people_outside_the_household() -> None:
    outsiders = ("Kowalski", "Declan Murphy", "Fiona Gallagher")
    for case in REFERENCE:
        rows = voice_history(read_members(case))
        named = [o for o in outsiders if any(o in r["transcript"] for r in rows)]
        assert named == (list(outsiders) if case == "third-party" else []), case


def test_other_layout_is_the_requesters_data_without_a_manifest() -> None:
    ticket = json.loads((SAMPLES / "other-layout" / "request.json").read_text("utf-8"))
    me = ticket["requester"]
    with zipfile.ZipFile(SAMPLES / "other-layout" / "export.zip") as zf:
        names = zf.namelist()
        assert "manifest.json" not in names
        assert not any(n.endswith(".csv") for n in names)
        history = json.loads(zf.read("alexa/voice-history.json"))
        recordings = {n for n in names if n.endswith(".ogg")}
        assert {h["recording"] for h in history} == recordings
        for name in recordings:
            blob = zf.read(name)
            assert blob[:4] == b"OggS" and b"\x01vorbis" in blob[:64], name
        entries = catalogue(zf.read("alexa/transcripts.pdf"))
        assert {k: (v[1], v[2]) for k, v in entries.items()} == {
            h["id"]: (h["device"]["serial"], h["text"]) for h in history
        }
        nested = zipfile.ZipFile(io.BytesIO(zf.read("shopping/compras-2018.zip")))
        orders = json.loads(nested.read("orders.json"))
        assert {o["customerId"] for o in orders} == {me["customer_id"]}
        text = b"\n".join(zf.read(n) for n in names if n.endswith((".json", ".txt"))).decode()
        assert me["customer_id"] in text and me["email"] in text
        assert set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)) == {me["email"]}


def test_the_project_wav_reader_agrees_on_every_sample_recording() -> None:
    from reviewer.domain.archive.wav import parse_wav as reader_parse

    checked = 0
    for case in REFERENCE:
        for path, blob in read_members(case).items():
            if not path.endswith(".wav"):
                continue
            mine, theirs = parse_wav(blob), reader_parse(blob)
            frame = mine.channels * mine.bits // 8
            whole = min(len(mine.data), mine.declared_data) // frame
            assert (theirs.info.rate, theirs.info.channels, theirs.info.bits) == (
                mine.rate,
                mine.channels,
                mine.bits,
            ), f"{case}:{path}"
            assert theirs.truncated == mine.truncated, f"{case}:{path}"
            assert theirs.info.duration_s == pytest.approx(whole / mine.rate, abs=0.001)
            checked += 1
    assert checked > 60
