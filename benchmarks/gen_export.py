"""Generate a benchmark request folder (request.json + export.zip), deterministically.

Four kinds:

- ``incident``: the incident at full scale. The requester (who owns no Alexa device) gets a
  stranger's whole archive: 1,700 recordings of about 2 s (16 kHz, 16-bit mono WAV, deflated
  as the pipeline does), a 1,700-entry transcript catalogue PDF in no particular order, about
  3,000 retail rows (searches and orders), devices, profile and manifest: about 100 MB. The
  recordings are espeak-ng speech over a room-noise bed, so, like real recordings, deflate
  barely shrinks them.
- ``gigabyte``: the incident's archive at about 1 GB: 17,000 recordings and a 17,000-entry
  catalogue, the same layout and verdict.
- ``many``: an export of 100,000 small members, for the memory target: tiny recordings with
  their voice history and catalogue, and a small JSON document and item CSV per order. The
  archive belongs to the requester.
- ``orders``: another export of small members, the requester's: 30,000 tiny recordings with
  their voice history and catalogue, and 35,000 orders, each a JSON document and an item CSV
  (100,007 members).

The same ``--seed`` gives the same bytes. Written with ``sample_archives/exportkit.py``.

    .venv/bin/python benchmarks/gen_export.py --kind incident --out benchmarks/out/incident
    .venv/bin/python benchmarks/gen_export.py --kind gigabyte --out benchmarks/out/gigabyte
    .venv/bin/python benchmarks/gen_export.py --kind many --out benchmarks/out/many
    .venv/bin/python benchmarks/gen_export.py --kind orders --out benchmarks/out/orders
"""

from __future__ import annotations

import argparse
import array
import csv
import hashlib
import io
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "sample_archives"))

import exportkit as kit  # noqa: E402

AUDIO_RATE = 16000  # what the voice service records at
BED_AMPLITUDE = 0.12  # the room-noise bed under the speech (0..1 of full scale)

# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class Device:
    serial: str
    type: str
    name: str
    registered_at: date


@dataclass(frozen=True)
class Account:
    customer_id: str
    name: str
    email: str
    phone: str
    locale: str
    created: date
    street: str
    postcode: str
    city: str
    country: str
    devices: tuple[Device, ...]
    household: tuple[tuple[str, str], ...] = ()


FIRST = ("Lukas", "Leon", "Felix", "Jonas", "Paul", "Maximilian", "Elias", "Noah", "Ben", "Finn")
LAST = ("Brandt", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Krause")
PARTNERS = ("Lena", "Mia", "Hannah", "Emma", "Sophie", "Lea", "Marie", "Clara")
CITIES = (
    ("Hamburg", "22765", "Bahrenfelder Strasse 210", "40"),
    ("Bremen", "28195", "Obernstrasse 44", "421"),
    ("Kiel", "24103", "Holstenstrasse 17", "431"),
    ("Luebeck", "23552", "Breite Strasse 9", "451"),
)
DEVICE_KINDS = (
    ("Echo Dot", "G090LF", "Wohnzimmer"),
    ("Echo", "G0911W", "Kueche"),
    ("Echo Show", "G000RA", "Schlafzimmer"),
    ("Echo Spot", "G0A0UQ", "Buero"),
)
# What people ask a speaker, in German (the stranger's voice and locale).
PHRASES = (
    "wie wird das Wetter morgen in {city}",
    "stell einen Wecker auf sechs Uhr",
    "schalte das Licht im Wohnzimmer aus",
    "wie lange brauche ich zur Arbeit",
    "füge Milch zur Einkaufsliste hinzu",
    "ruf {partner} an",
    "spiele Radio {city}",
    "erinnere mich morgen an den Zahnarzt",
    "wie spät ist es",
    "mach die Heizung auf zweiundzwanzig Grad",
    "spiele Musik zum Kochen",
    "ist morgen Stau auf der Autobahn",
    "stell einen Timer auf zehn Minuten",
    "was steht heute in meinem Kalender",
    "lauter",
    "stopp",
    "wie viele Kalorien hat ein Apfel",
    "erzähl mir einen Witz",
    "schalte den Fernseher ein",
    "bestelle Kaffeebohnen nach",
    "wann spielt der HSV",
    "lies mir die Nachrichten vor",
    "gute Nacht",
    "wie heißt die Hauptstadt von Australien",
)
SEARCHES = (
    "echo dot",
    "heizkoerper thermostat",
    "kaffeebohnen",
    "laufschuhe herren",
    "usb c kabel",
    "bluetooth lautsprecher",
    "kinderbuch",
    "rasierklingen",
    "grillzange",
    "yogamatte",
    "druckerpatronen",
    "led lampe e27",
    "fahrradschloss",
    "kopfhoerer",
    "teekanne glas",
)
PRODUCTS = (
    ("Echo Dot (2. Generation)", 59.99),
    ("Heizkoerperthermostat", 19.95),
    ("Kaffeebohnen 1 kg", 14.49),
    ("Laufschuhe", 89.90),
    ("USB-C Kabel 2 m", 8.99),
    ("Bluetooth Lautsprecher", 39.00),
    ("Kinderbuch", 12.00),
    ("Rasierklingen x 8", 17.49),
    ("Grillzange", 9.99),
    ("Yogamatte", 24.95),
    ("Druckerpatronen", 32.50),
    ("LED Lampe E27 x 4", 15.96),
    ("Fahrradschloss", 29.99),
    ("Kopfhoerer", 49.00),
)


def _alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(n))


def make_account(rng: random.Random, devices: int, created: date) -> Account:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, postcode, street, area = rng.choice(CITIES)
    devs = []
    for i in range(devices):
        kind, prefix, room = DEVICE_KINDS[i % len(DEVICE_KINDS)]
        # Smart speakers arrived from mid-2015 on; nobody registered one before.
        earliest = max(created + timedelta(days=365), date(2015, 6, 1))
        registered = earliest + timedelta(days=rng.randrange(0, 900))
        devs.append(Device(prefix + _alnum(rng, 10), kind, room, registered))
    return Account(
        customer_id="A" + _alnum(rng, 13),
        name=f"{first} {last}",
        email=f"{first}.{last}@example.de".lower(),
        phone=f"+49 {area} 555{rng.randrange(1000, 9999)}",
        locale="de-DE",
        created=created,
        street=street,
        postcode=postcode,
        city=city,
        country="DE",
        devices=tuple(devs),
        household=((rng.choice(PARTNERS) + " " + last, "partner"),),
    )


JONAS = Account(
    customer_id="A3KX9ZQ2M7T1LB",
    name="Jonas Weber",
    email="jonas.weber@example.de",
    phone="+49 511 5550199",
    locale="de-DE",
    created=date(2014, 3, 11),
    street="Lister Meile 12",
    postcode="30161",
    city="Hannover",
    country="DE",
    devices=(),
    household=(("Anna Weber", "partner"),),
)

# --------------------------------------------------------------------------- member writers


def json_bytes(obj: Any, indent: int | None = 2) -> bytes:
    return (json.dumps(obj, indent=indent, ensure_ascii=False) + "\n").encode("utf-8")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def request_json(request_id: str, received: datetime, who: Account) -> bytes:
    return json_bytes(
        {
            "request_id": request_id,
            "received_at": iso(received),
            "due_at": iso(received + timedelta(days=30)),
            "identity_verification": {
                "method": "signed-in account + e-mail link",
                "verified_at": iso(received + timedelta(minutes=6, seconds=11)),
            },
            "requester": {
                "customer_id": who.customer_id,
                "name": who.name,
                "email": who.email,
                "phone": who.phone,
                "locale": who.locale,
                "account_created_at": who.created.isoformat(),
                "addresses": [
                    {
                        "street": who.street,
                        "postcode": who.postcode,
                        "city": who.city,
                        "country": who.country,
                    }
                ],
                "devices": [
                    {
                        "serial": d.serial,
                        "type": d.type,
                        "name": d.name,
                        "registered_at": d.registered_at.isoformat(),
                    }
                    for d in who.devices
                ],
                "household": [{"name": n, "relation": r} for n, r in who.household],
            },
        }
    )


def profile_json(owner: Account) -> bytes:
    return json_bytes(
        {
            "customer_id": owner.customer_id,
            "name": owner.name,
            "email": owner.email,
            "locale": owner.locale,
        }
    )


def devices_csv(owner: Account) -> bytes:
    return csv_bytes(
        ["customer_id", "serial", "type", "registered_at"],
        [(owner.customer_id, d.serial, d.type, d.registered_at.isoformat()) for d in owner.devices],
    )


# --------------------------------------------------------------------------- recordings


@dataclass(frozen=True)
class Utterance:
    uid: str
    ts: datetime
    device: Device
    text: str
    seconds: float
    phrase: int


def utterances(
    rng: random.Random, owner: Account, n: int, end: date, seconds: tuple[float, float]
) -> list[Utterance]:
    """`n` voice interactions on `owner`'s devices, each after its device's registration."""
    out: list[Utterance] = []
    partner = owner.household[0][0].split()[0] if owner.household else "Lena"
    for _ in range(n):
        dev = rng.choice(owner.devices)
        span = max(1, (end - dev.registered_at).days) * 86400
        ts = datetime.combine(dev.registered_at, datetime.min.time(), UTC) + timedelta(
            seconds=rng.randrange(3600, span)
        )
        phrase = rng.randrange(len(PHRASES))
        text = PHRASES[phrase].format(city=owner.city, partner=partner)
        key = f"{owner.customer_id}|{iso(ts)}|{dev.serial}|{text}|{len(out)}"
        digest = hashlib.sha256(key.encode())
        uid = "U" + digest.hexdigest()[:15].upper()
        out.append(Utterance(uid, ts, dev, text, round(rng.uniform(*seconds), 3), phrase))
    out.sort(key=lambda u: (u.ts, u.uid))
    return out


class SpeechBed:
    """Recordings of the phrases over a room-noise bed, built from a few espeak-ng takes.

    Each distinct text is spoken once and mixed with the bed; every recording then takes a
    lead-in of bed at its own offset, its phrase, and bed to fill its length. Recordings
    are therefore all different, and compress about as poorly as real ones.
    """

    def __init__(self, rate: int = AUDIO_RATE) -> None:
        self.rate = rate
        self._mixed: dict[str, bytes] = {}

    def _mix(self, text: str) -> bytes:
        if text not in self._mixed:
            speech = array.array("h", kit.speak(text, self.rate, voice="de"))
            bed = array.array(
                "h",
                kit.tone(
                    len(speech) / self.rate,
                    self.rate,
                    amplitude=BED_AMPLITUDE,
                    freq=180.0,
                    seed=len(self._mixed),
                ),
            )
            if sys.byteorder != "little":
                speech.byteswap()
                bed.byteswap()
            mixed = array.array(
                "h", (max(-32768, min(32767, s + b)) for s, b in zip(speech, bed, strict=False))
            )
            if sys.byteorder != "little":
                mixed.byteswap()
            self._mixed[text] = mixed.tobytes()
        return self._mixed[text]

    def bed(self, seconds: float, seed: int) -> bytes:
        return kit.tone(seconds, self.rate, amplitude=BED_AMPLITUDE, freq=180.0, seed=seed)

    def recording(self, utt: Utterance, seed: int) -> bytes:
        """16-bit mono PCM: bed lead-in, the whole spoken phrase, then bed to `utt.seconds`
        (or for 0.1 s, when the phrase runs longer than that)."""
        lead = self.bed(0.05 + (seed % 17) / 100, seed)
        body = lead + self._mix(utt.text)
        need = max(round(utt.seconds * self.rate), len(body) // 2 + self.rate // 10) * 2
        if len(body) < need:
            body += self.bed((need - len(body)) / 2 / self.rate + 0.01, seed + 1)
        return body[:need]


def voice_history(owner: Account, utts: Sequence[Utterance], audio: bool) -> bytes:
    return csv_bytes(
        [
            "utterance_id",
            "timestamp",
            "customer_id",
            "device_serial",
            "device_type",
            "audio_file",
            "transcript",
        ],
        [
            (
                u.uid,
                iso(u.ts),
                owner.customer_id,
                u.device.serial,
                u.device.type,
                f"Alexa/Audio/{u.uid}.wav" if audio else "",
                u.text,
            )
            for u in utts
        ],
    )


def catalogue(rng: random.Random, utts: Sequence[Utterance]) -> bytes:
    """The transcript catalogue PDF, in no particular order (as the pipeline prints it)."""
    entries = [(iso(u.ts), u.device.serial, u.uid, u.text) for u in utts]
    rng.shuffle(entries)
    return kit.transcript_pdf(entries)


# --------------------------------------------------------------------------- retail


def searches(rng: random.Random, owner: Account, n: int, end: date) -> list[tuple[str, ...]]:
    start = datetime.combine(owner.created, datetime.min.time(), UTC)
    span = (end - owner.created).days * 86400
    stamps = sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(n))
    return [(owner.customer_id, iso(ts), rng.choice(SEARCHES)) for ts in stamps]


@dataclass(frozen=True)
class Order:
    order_id: str
    day: date
    items: tuple[tuple[str, int, float], ...]

    @property
    def total(self) -> str:
        return f"{sum(q * p for _, q, p in self.items):.2f}"

    def label(self) -> str:
        return "; ".join(f"{name} x {q}" if q > 1 else name for name, q, _ in self.items)


def orders(rng: random.Random, owner: Account, n: int, end: date) -> list[Order]:
    span = (end - owner.created).days
    out: list[Order] = []
    for _ in range(n):
        day = owner.created + timedelta(days=rng.randrange(span))
        items = tuple(
            (name, rng.randint(1, 3), price)
            for name, price in rng.sample(PRODUCTS, rng.choice((1, 1, 1, 2, 3)))
        )
        oid = f"302-{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}"
        out.append(Order(oid, day, items))
    out.sort(key=lambda o: (o.day, o.order_id))
    return out


def order_history(owner: Account, rows: Sequence[Order]) -> bytes:
    return csv_bytes(
        ["customer_id", "order_id", "date", "items", "total", "currency", "ship_city"],
        [
            (
                owner.customer_id,
                o.order_id,
                o.day.isoformat(),
                o.label(),
                o.total,
                "EUR",
                owner.city,
            )
            for o in rows
        ],
    )


def search_history(rows: Sequence[tuple[str, ...]]) -> bytes:
    return csv_bytes(["customer_id", "timestamp", "query"], rows)


# --------------------------------------------------------------------------- the two kinds


@dataclass(frozen=True)
class Built:
    request: bytes
    members: list[tuple[str, bytes]]  # sorted by name, manifest included


def with_manifest(
    export_id: str, owner: Account, generated: datetime, members: dict[str, bytes]
) -> list[tuple[str, bytes]]:
    """Every member plus manifest.json listing all the others, sorted by name."""
    listed = sorted(members.items())
    manifest = kit.manifest(export_id, owner.customer_id, iso(generated), listed)
    return sorted([*listed, ("manifest.json", manifest)])


GIGABYTE_RECORDINGS = 17_000  # the incident's recordings, ten times over: about 1 GB


def build_incident(seed: int, recordings: int = 1700, retail_rows: int = 3000) -> Built:
    """The incident: a stranger's whole archive delivered to a requester with no device."""
    rng = random.Random(f"incident|{seed}")
    stranger = make_account(rng, devices=3, created=date(2012, 10, 2))
    end = date(2018, 7, 31)
    utts = utterances(rng, stranger, recordings, end, seconds=(1.0, 1.8))
    bed = SpeechBed()
    members: dict[str, bytes] = {
        "Account/Profile.json": profile_json(stranger),
        "Devices/Devices.csv": devices_csv(stranger),
        "Alexa/VoiceHistory.csv": voice_history(stranger, utts, audio=True),
        "Alexa/Transcripts.pdf": catalogue(rng, utts),
    }
    for i, u in enumerate(utts):
        members[f"Alexa/Audio/{u.uid}.wav"] = kit.wav_bytes(bed.recording(u, i), AUDIO_RATE)
    n_search = retail_rows * 3 // 5
    members["Retail/SearchHistory.csv"] = search_history(searches(rng, stranger, n_search, end))
    members["Retail/OrderHistory.csv"] = order_history(
        stranger, orders(rng, stranger, retail_rows - n_search, end)
    )
    listed = with_manifest(
        "EXP-2018-0412-1", stranger, datetime(2018, 8, 6, 4, tzinfo=UTC), members
    )
    request = request_json("DSAR-2018-0412", datetime(2018, 8, 2, 9, 14, tzinfo=UTC), JONAS)
    return Built(request, listed)


FIXED_MEMBERS = 7  # manifest, profile, devices, voice history, catalogue, searches, orders


def build_many(seed: int, members_total: int = 100_000) -> Built:
    """An export of `members_total` small members, belonging to the requester.

    A fifth of the members are recordings (0.2 s, 8 kHz, 8-bit: under 2 KB each) with their
    voice-history rows and catalogue entries; the rest are, per order, a JSON document
    (Retail/Orders/<id>.json) and an item CSV (Retail/Orders/<id>-items.csv).
    """
    if members_total < FIXED_MEMBERS + 3:
        raise ValueError(f"--members must be at least {FIXED_MEMBERS + 3}")
    free = members_total - FIXED_MEMBERS
    n_rec = free // 5
    n_json = (free - n_rec + 1) // 2
    return build_small(f"many|{seed}", n_rec, n_json, free - n_rec - n_json)


def build_orders(seed: int, recordings: int = 30_000, order_count: int = 35_000) -> Built:
    """Another export of small members, belonging to the requester: `recordings` tiny
    recordings with their voice history and catalogue, and `order_count` orders, each a JSON
    document and an item CSV (100,007 members with the defaults)."""
    return build_small(f"orders|{seed}", recordings, order_count, order_count)


def build_small(tag: str, n_rec: int, n_json: int, n_csv: int) -> Built:
    """The requester's export of `n_rec` recordings (0.2 s, 8 kHz, 8-bit), `n_json` order
    documents and the item CSVs of the first `n_csv` orders, with the fixed members."""
    rng = random.Random(tag)
    owner = make_account(rng, devices=4, created=date(2011, 5, 20))
    end = date(2019, 12, 31)
    members_total = FIXED_MEMBERS + n_rec + n_json + n_csv
    utts = utterances(rng, owner, n_rec, end, seconds=(0.2, 0.2))
    order_rows = orders(rng, owner, n_json, end)
    members: dict[str, bytes] = {
        "Account/Profile.json": profile_json(owner),
        "Devices/Devices.csv": devices_csv(owner),
        "Alexa/VoiceHistory.csv": voice_history(owner, utts, audio=True),
        "Alexa/Transcripts.pdf": catalogue(rng, utts),
        "Retail/SearchHistory.csv": search_history(searches(rng, owner, 5000, end)),
        "Retail/OrderHistory.csv": order_history(owner, order_rows),
    }
    for i, u in enumerate(utts):
        pcm = kit.tone(u.seconds, 8000, freq=300.0 + (u.phrase * 20), seed=i)
        members[f"Alexa/Audio/{u.uid}.wav"] = kit.wav_bytes(pcm, 8000, bits=8)
    for i, o in enumerate(order_rows):
        doc = {
            "order_id": o.order_id,
            "customer_id": owner.customer_id,
            "date": o.day.isoformat(),
            "ship_to": {"name": owner.name, "city": owner.city, "country": owner.country},
            "total": o.total,
            "currency": "EUR",
        }
        members[f"Retail/Orders/{o.order_id}.json"] = json_bytes(doc)
        if i < n_csv:
            members[f"Retail/Orders/{o.order_id}-items.csv"] = csv_bytes(
                ["customer_id", "order_id", "item", "quantity", "unit_price"],
                [(owner.customer_id, o.order_id, name, q, f"{p:.2f}") for name, q, p in o.items],
            )
    if len(members) != members_total - 1:
        raise RuntimeError(f"built {len(members) + 1} members, wanted {members_total}")
    listed = with_manifest("EXP-2020-0031-1", owner, datetime(2020, 1, 9, 4, tzinfo=UTC), members)
    request = request_json("DSAR-2020-0031", datetime(2020, 1, 6, 10, 2, tzinfo=UTC), owner)
    return Built(request, listed)


# --------------------------------------------------------------------------- writing


def write_folder(out: Path, built: Built) -> Path:
    """request.json and export.zip in `out`, each written to a temp file and renamed, so an
    interrupted run never leaves a half-written archive that looks finished."""
    out.mkdir(parents=True, exist_ok=True)
    for name, writer in (
        ("request.json", lambda f: f.write(built.request)),
        ("export.zip", lambda f: kit.deterministic_zip(f, built.members)),
    ):
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out)
        try:
            with os.fdopen(fd, "wb") as f:
                writer(f)
            os.chmod(tmp, 0o644)
            os.replace(tmp, out / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return out / "export.zip"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--kind", choices=("incident", "gigabyte", "many", "orders"), required=True)
    parser.add_argument("--out", type=Path, required=True, help="the request folder to write")
    parser.add_argument("--seed", type=int, default=2018, help="random seed (default 2018)")
    parser.add_argument(
        "--recordings", type=int, default=1700, help="incident: recordings (default 1,700)"
    )
    parser.add_argument(
        "--members", type=int, default=100_000, help="many: members in all (default 100,000)"
    )
    args = parser.parse_args(argv)
    if args.recordings < 1:
        parser.error("--recordings must be at least 1")
    if args.members < FIXED_MEMBERS + 3:
        parser.error(f"--members must be at least {FIXED_MEMBERS + 3}")
    if args.kind in ("incident", "gigabyte") and not kit.have_speech_tools():
        print(
            "gen_export: espeak-ng and sox are needed (apt-get install espeak-ng sox)",
            file=sys.stderr,
        )
        return 2
    start = time.perf_counter()
    try:
        if args.kind == "incident":
            built = build_incident(args.seed, args.recordings)
        elif args.kind == "gigabyte":
            built = build_incident(args.seed, GIGABYTE_RECORDINGS)
        elif args.kind == "orders":
            built = build_orders(args.seed)
        else:
            built = build_many(args.seed, args.members)
        archive = write_folder(args.out, built)
    except (OSError, kit.ToolMissing) as exc:
        print(f"gen_export: {exc}", file=sys.stderr)
        return 2
    size = archive.stat().st_size
    raw = sum(len(data) for _, data in built.members)
    print(
        f"{args.out}: {len(built.members)} members, {raw / 1e6:.1f} MB inflated, "
        f"export.zip {size / 1e6:.1f} MB (deflate {raw / size:.2f}:1), "
        f"{time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
