"""Build the sample request folders: one per case a reviewer must catch, plus a clean one.

    .venv/bin/python sample_archives/build.py            # rebuild into sample_archives/
    .venv/bin/python sample_archives/build.py --out DIR  # build somewhere else
    .venv/bin/python sample_archives/build.py --check    # rebuild in a temporary folder and
                                                         # compare with the committed bytes

Each folder holds `request.json` (the ticket) and `export.zip` (what the pipeline produced).
The recordings are espeak-ng speech saying their transcript. The output is the same, byte
for byte, on every run: fixed dates, sorted members, no unseeded randomness. What each case
holds, and what a reviewer should see, is in README.md beside this script.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import hashlib
import io
import json
import random
import struct
import sys
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import exportkit as kit  # noqa: E402

# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class Dev:
    serial: str
    type: str
    name: str
    registered_at: str


@dataclass(frozen=True)
class Account:
    customer_id: str
    name: str
    email: str
    phone: str
    locale: str
    created: str
    address: dict[str, str]
    devices: tuple[Dev, ...] = ()
    household: tuple[tuple[str, str], ...] = ()
    voice: str = "en-gb"


@dataclass
class Utt:
    """One voice interaction. `customer`/`device` default to the archive's account."""

    ts: str
    serial: str
    text: str
    customer: str = ""
    voice: str = ""
    pitch: int = 50
    audio: bool = True
    wav: dict[str, Any] = field(default_factory=dict)  # rate, channels, bits, kit options
    uid: str = ""


def addr(street: str, postcode: str, city: str, country: str) -> dict[str, str]:
    return {"street": street, "postcode": postcode, "city": city, "country": country}


def uid_for(case: str, utt: Utt) -> str:
    digest = hashlib.sha256(f"{case}|{utt.ts}|{utt.serial}|{utt.text}".encode()).hexdigest()
    return "U" + digest[:15].upper()


# --------------------------------------------------------------------------- member writers


def json_bytes(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def request_json(request_id: str, received: str, due: str, who: Account) -> bytes:
    return json_bytes(
        {
            "request_id": request_id,
            "received_at": received,
            "due_at": due,
            "identity_verification": {
                "method": "signed-in account + e-mail link",
                "verified_at": received[:-3] + "41Z",
            },
            "requester": {
                "customer_id": who.customer_id,
                "name": who.name,
                "email": who.email,
                "phone": who.phone,
                "locale": who.locale,
                "account_created_at": who.created,
                "addresses": [who.address],
                "devices": [
                    {
                        "serial": d.serial,
                        "type": d.type,
                        "name": d.name,
                        "registered_at": d.registered_at,
                    }
                    for d in who.devices
                ],
                "household": [{"name": n, "relation": r} for n, r in who.household],
            },
        }
    )


def recording_audio(utt: Utt, default_voice: str) -> bytes:
    opts = dict(utt.wav)
    rate = opts.pop("rate", 16000)
    channels = opts.pop("channels", 1)
    bits = opts.pop("bits", 16)
    pcm = kit.speak(utt.text, rate, voice=utt.voice or default_voice, pitch=utt.pitch)
    return kit.wav_bytes(pcm, rate, channels, bits, **opts)


DEVICE_TYPES: dict[str, str] = {}


@dataclass
class Export:
    """The members of a reference-layout export, before the ZIP is written."""

    members: dict[str, bytes]
    catalogue: list[tuple[str, str, str, str]]
    utts: list[Utt]


def unsorted(entries: list[Any], seed: str) -> list[Any]:
    """The catalogue is unsorted: shuffled with a fixed seed, never left in order."""
    out = list(entries)
    random.Random(seed).shuffle(out)
    if out == entries and len(out) > 1:
        out = out[1:] + out[:1]
    return out


def reference_export(
    case: str,
    owner: Account,
    utts: list[Utt],
    searches: list[tuple[str, str, str]],
    orders: list[tuple[str, str, str, str, str, str, str]],
) -> Export:
    """Account, devices, voice history, recordings, catalogue and retail tables of `owner`'s
    archive (rows may name other customers through `Utt.customer` and the retail rows)."""
    members: dict[str, bytes] = {}
    members["Account/Profile.json"] = json_bytes(
        {
            "customer_id": owner.customer_id,
            "name": owner.name,
            "email": owner.email,
            "locale": owner.locale,
        }
    )
    members["Devices/Devices.csv"] = csv_bytes(
        ["customer_id", "serial", "type", "registered_at"],
        [(owner.customer_id, d.serial, d.type, d.registered_at) for d in owner.devices],
    )
    rows = []
    for utt in sorted(utts, key=lambda u: u.ts):
        utt.uid = utt.uid or uid_for(case, utt)
        path = f"Alexa/Audio/{utt.uid}.wav" if utt.audio else ""
        if utt.audio:
            members[path] = recording_audio(utt, owner.voice)
        rows.append(
            (
                utt.uid,
                utt.ts,
                utt.customer or owner.customer_id,
                utt.serial,
                DEVICE_TYPES[utt.serial],
                path,
                utt.text,
            )
        )
    members["Alexa/VoiceHistory.csv"] = csv_bytes(
        [
            "utterance_id",
            "timestamp",
            "customer_id",
            "device_serial",
            "device_type",
            "audio_file",
            "transcript",
        ],
        rows,
    )
    catalogue = [(r[1], r[3], r[0], r[6]) for r in rows]
    catalogue = unsorted(catalogue, case)
    members["Retail/SearchHistory.csv"] = csv_bytes(["customer_id", "timestamp", "query"], searches)
    members["Retail/OrderHistory.csv"] = csv_bytes(
        ["customer_id", "order_id", "date", "items", "total", "currency", "ship_city"], orders
    )
    return Export(members, catalogue, sorted(utts, key=lambda u: u.ts))


def finish(
    exp: Export,
    export_id: str,
    customer_id: str,
    generated_at: str,
    *,
    catalogue: list[tuple[str, str, str, str]] | None = None,
    manifest_members: dict[str, bytes] | None = None,
) -> bytes:
    """Add the catalogue PDF and the manifest, and write the ZIP (members sorted)."""
    members = dict(exp.members)
    members["Alexa/Transcripts.pdf"] = kit.transcript_pdf(
        catalogue if catalogue is not None else exp.catalogue
    )
    listed = dict(members) if manifest_members is None else dict(manifest_members)
    if manifest_members is not None and "Alexa/Transcripts.pdf" not in listed:
        listed["Alexa/Transcripts.pdf"] = members["Alexa/Transcripts.pdf"]
    members["manifest.json"] = kit.manifest(
        export_id, customer_id, generated_at, sorted(listed.items())
    )
    return kit.zip_bytes(sorted(members.items()))


def device_types(*accounts: Account, extra: Iterable[Dev] = ()) -> None:
    for account in accounts:
        for d in account.devices:
            DEVICE_TYPES[d.serial] = d.type
    for d in extra:
        DEVICE_TYPES[d.serial] = d.type


# --------------------------------------------------------------------------- the cases


def case_clean() -> tuple[bytes, bytes]:
    """Everything right: the requester's recordings on her registered devices after
    registration, transcripts naming only the household, manifest exact."""
    kitchen = Dev("G090LF0964130QAB", "Echo Dot", "Kitchen", "2017-03-02")
    study = Dev("G000RA1103770K5V", "Echo Show", "Study", "2018-01-15")
    eleanor = Account(
        "A1QH7RZ3N8VW2E",
        "Eleanor Whitfield",
        "eleanor.whitfield@example.co.uk",
        "+44 20 7946 0321",
        "en-GB",
        "2013-06-19",
        addr("27 Cranley Gardens", "N10 3AP", "London", "GB"),
        (kitchen, study),
        (("Tom Whitfield", "spouse"), ("Maisie Whitfield", "daughter")),
        voice="en-gb",
    )
    device_types(eleanor)
    k, s = kitchen.serial, study.serial
    utts = [
        Utt("2018-03-14T07:12:40Z", k, "what's the weather like tomorrow"),
        Utt("2018-03-14T18:03:05Z", k, "add oat milk to the shopping list", wav={"rate": 11025}),
        Utt(
            "2018-04-02T17:45:19Z",
            k,
            "set a timer for twelve minutes",
            wav={"list_info": {"INAM": "Voice recording", "ISFT": "Lavf57.83.100"}},
        ),
        Utt("2018-04-21T09:30:52Z", s, "call Tom", pitch=40),
        Utt("2018-05-06T19:58:11Z", s, "remind Maisie to pack her swimming kit"),
        Utt("2018-05-19T08:05:33Z", k, "play the news", wav={"extensible": True}),
        Utt("2018-06-10T21:40:07Z", s, "turn the study lights off", pitch=40),
        Utt("2018-06-30T12:14:48Z", k, "how many teaspoons are in a tablespoon", audio=False),
        Utt("2018-07-12T16:22:30Z", k, "what time does the sun set today", wav={"rate": 8000}),
    ]
    cid = eleanor.customer_id
    searches = [
        (cid, "2018-03-13T20:11:02Z", "oat milk"),
        (cid, "2018-05-05T10:41:56Z", "kids swimming goggles"),
        (cid, "2018-06-22T14:02:37Z", "garden kneeler"),
    ]
    orders = [
        (cid, "202-4417309-5518734", "2018-03-15", "Oat milk 1 l x 6", "11.94", "GBP", "London"),
        (
            cid,
            "202-6630298-1142257",
            "2018-05-07",
            "Kids swimming goggles",
            "7.99",
            "GBP",
            "London",
        ),
        (
            cid,
            "202-9018824-7736610",
            "2018-06-23",
            "Garden kneeler; Trowel",
            "24.48",
            "GBP",
            "London",
        ),
    ]
    exp = reference_export("clean", eleanor, utts, searches, orders)
    archive = finish(exp, "EXP-2018-0398-1", cid, "2018-07-30T06:00:00Z")
    req = request_json("DSAR-2018-0398", "2018-07-28T10:02:00Z", "2018-08-27T10:02:00Z", eleanor)
    return req, archive


def case_wrong_customer() -> tuple[bytes, bytes]:
    """The incident: a requester who owns no Alexa device receives another account's whole
    archive, with that stranger's recordings and transcripts."""
    jonas = Account(
        "A3KX9ZQ2M7T1LB",
        "Jonas Weber",
        "jonas.weber@example.de",
        "+49 511 5550199",
        "de-DE",
        "2014-03-11",
        addr("Lister Meile 12", "30161", "Hannover", "DE"),
        (),
        (("Anna Weber", "partner"),),
    )
    dot = Dev("G090LF1173430QK7", "Echo Dot", "Wohnzimmer", "2017-09-16")
    echo = Dev("G0911W0772451A3T", "Echo", "Kueche", "2017-12-25")
    lukas = Account(
        "A2MZ8T4KQ9XR3P",
        "Lukas Brandt",
        "lukas.brandt@example.de",
        "+49 40 5550147",
        "de-DE",
        "2012-10-02",
        addr("Bahrenfelder Strasse 210", "22765", "Hamburg", "DE"),
        (dot, echo),
        voice="de",
    )
    device_types(lukas)
    d, e = dot.serial, echo.serial
    eight = {"rate": 8000, "bits": 8}
    utts = [
        Utt("2017-09-16T20:14:03Z", d, "wie wird das Wetter morgen in Hamburg", wav=eight),
        Utt("2017-10-01T06:31:47Z", d, "stell einen Wecker auf sechs Uhr", wav=eight),
        Utt("2017-10-22T19:02:15Z", d, "schalte das Licht im Wohnzimmer aus", wav=eight),
        Utt("2017-11-05T11:48:59Z", d, "wie lange brauche ich zur Arbeit", wav=eight),
        Utt("2017-12-25T17:20:36Z", e, "füge Milch zur Einkaufsliste hinzu", pitch=70, wav=eight),
        Utt("2017-12-31T23:58:02Z", e, "ruf Lena an", wav={"rate": 8000, "channels": 2}),
        Utt("2018-01-14T08:09:41Z", e, "spiele Radio Hamburg", wav=eight),
        Utt("2018-02-03T21:33:20Z", d, "erinnere mich morgen an den Zahnarzt", wav=eight),
        Utt("2018-03-18T07:05:12Z", e, "wie spät ist es", pitch=70, wav=eight),
        Utt("2018-04-09T22:15:44Z", d, "mach die Heizung auf zweiundzwanzig Grad", wav=eight),
        Utt("2018-05-27T13:40:29Z", e, "spiele Musik zum Kochen", pitch=70, wav=eight),
        Utt("2018-06-17T18:26:51Z", d, "ist morgen Stau auf der A7", wav=eight),
    ]
    cid = lukas.customer_id
    searches = [
        (cid, "2017-09-10T19:44:12Z", "echo dot"),
        (cid, "2018-02-11T10:05:40Z", "heizkoerper thermostat"),
    ]
    orders = [
        (
            cid,
            "302-1183342-7750126",
            "2017-09-12",
            "Echo Dot (2. Generation)",
            "59.99",
            "EUR",
            "Hamburg",
        ),
        (
            cid,
            "302-5520987-3310468",
            "2018-02-12",
            "Heizkoerperthermostat x 2",
            "39.90",
            "EUR",
            "Hamburg",
        ),
    ]
    exp = reference_export("wrong-customer", lukas, utts, searches, orders)
    archive = finish(exp, "EXP-2018-0412-1", cid, "2018-08-06T04:00:00Z")
    req = request_json("DSAR-2018-0412", "2018-08-02T09:14:00Z", "2018-09-01T09:14:00Z", jonas)
    return req, archive


def case_mixed_records() -> tuple[bytes, bytes]:
    """The requester's own archive with another account's voice rows, recordings, searches
    and orders mixed in."""
    salon = Dev("G090LF1056280M4P", "Echo Dot", "Salon", "2018-01-06")
    chambre = Dev("G0A0UQ0321880B6C", "Echo Spot", "Chambre", "2018-03-20")
    camille = Account(
        "A7DN2WQ5PZ4K8C",
        "Camille Laurent",
        "camille.laurent@example.fr",
        "+33 4 72 10 55 88",
        "fr-FR",
        "2016-09-27",
        addr("8 rue Mercière", "69002", "Lyon", "FR"),
        (salon, chambre),
        (("Julien Laurent", "partner"),),
        voice="fr",
    )
    other = Dev("G090LF1193520M7X", "Echo Dot", "", "2017-11-11")
    device_types(camille, extra=[other])
    s, c, o = salon.serial, chambre.serial, other.serial
    foreign = "A5RT8XK2M9QW4N"
    utts = [
        Utt("2018-01-06T18:22:10Z", s, "quel temps fera-t-il demain"),
        Utt("2018-01-19T07:40:55Z", s, "mets un minuteur de cinq minutes", wav={"rate": 12000}),
        Utt("2018-02-08T19:12:31Z", s, "ajoute du pain à la liste de courses"),
        Utt(
            "2018-02-14T20:45:03Z", o, "quelle est la météo à Bordeaux", customer=foreign, pitch=30
        ),
        Utt("2018-03-21T22:05:48Z", c, "appelle Julien", wav={"channels": 2}),
        Utt("2018-04-11T06:58:20Z", c, "quelle heure est-il"),
        Utt(
            "2018-04-30T08:17:36Z",
            o,
            "rappelle-moi de passer au garage demain",
            customer=foreign,
            pitch=30,
        ),
        Utt("2018-05-16T19:30:14Z", s, "joue de la musique douce"),
        Utt("2018-06-03T21:10:09Z", s, "allume la lumière du salon", wav={"extensible": True}),
    ]
    cid = camille.customer_id
    searches = [
        (cid, "2018-01-03T21:14:50Z", "enceinte connectée"),
        (foreign, "2018-02-20T12:31:07Z", "pneus hiver 205/55 R16"),
        (cid, "2018-04-02T09:55:26Z", "réveil lumineux"),
    ]
    orders = [
        (cid, "171-4420913-2286435", "2018-01-04", "Echo Dot", "59.99", "EUR", "Lyon"),
        (
            foreign,
            "171-8810457-6630129",
            "2018-02-21",
            "Pneus hiver x 4",
            "312.00",
            "EUR",
            "Bordeaux",
        ),
        (cid, "171-2265310-9947702", "2018-04-03", "Réveil lumineux", "44.90", "EUR", "Lyon"),
        (foreign, "171-3390562-1178304", "2018-05-02", "Essuie-glaces", "18.50", "EUR", "Bordeaux"),
    ]
    exp = reference_export("mixed-records", camille, utts, searches, orders)
    archive = finish(exp, "EXP-2018-0431-1", cid, "2018-08-20T05:30:00Z")
    req = request_json("DSAR-2018-0431", "2018-08-16T15:47:00Z", "2018-09-15T15:47:00Z", camille)
    return req, archive


def case_previous_owner() -> tuple[bytes, bytes]:
    """A second-hand Echo Plus: its history from before the requester registered it came
    along with hers (same account id on the rows, dates before registration)."""
    plus = Dev("G0922H0481220PLM", "Echo Plus", "Living room", "2018-02-10")
    stick = Dev("G070VM2B55410093", "Fire TV Stick", "Bedroom TV", "2016-11-20")
    priya = Account(
        "A9PL4MX7C2QR5T",
        "Priya Raman",
        "priya.raman@example.co.uk",
        "+44 113 496 0712",
        "en-GB",
        "2015-02-03",
        addr("41 Cardigan Road", "LS6 1DJ", "Leeds", "GB"),
        (plus, stick),
        (("Arjun Raman", "brother"),),
        voice="en-gb",
    )
    device_types(priya)
    p, t = plus.serial, stick.serial
    old: dict[str, Any] = {"voice": "en-us", "pitch": 25}
    utts = [
        Utt("2017-10-07T21:15:42Z", p, "play some jazz", **old, wav={"rate": 8000, "channels": 2}),
        Utt("2017-11-19T16:02:18Z", p, "what's the score in the match", **old),
        Utt("2017-12-12T05:31:09Z", p, "set an alarm for half five", **old, wav={"rate": 8000}),
        Utt("2018-01-28T22:47:33Z", p, "turn the volume up", **old),
        Utt("2017-06-03T20:11:26Z", t, "open the film app", pitch=65),
        Utt("2018-02-10T14:20:05Z", p, "what's on the telly tonight", pitch=65),
        Utt("2018-03-04T08:44:51Z", p, "call Arjun", pitch=65, wav={"rate": 22050}),
        Utt("2018-04-15T18:36:12Z", p, "add rice to the shopping list", pitch=65),
        Utt("2018-05-26T10:02:47Z", t, "search for cooking programmes", pitch=65),
    ]
    cid = priya.customer_id
    searches = [
        (cid, "2018-02-06T19:31:04Z", "echo plus refurbished"),
        (cid, "2018-04-14T11:25:40Z", "basmati rice 5kg"),
    ]
    orders = [
        (cid, "203-7732051-4418860", "2016-11-18", "Fire TV Stick", "39.99", "GBP", "Leeds"),
        (cid, "203-1109358-2265047", "2018-04-14", "Basmati rice 5 kg", "9.50", "GBP", "Leeds"),
    ]
    exp = reference_export("previous-owner", priya, utts, searches, orders)
    archive = finish(exp, "EXP-2018-0447-1", cid, "2018-09-03T03:45:00Z")
    req = request_json("DSAR-2018-0447", "2018-08-29T12:30:00Z", "2018-09-28T12:30:00Z", priya)
    return req, archive


def case_unknown_device() -> tuple[bytes, bytes]:
    """Recordings under the requester's account from an Echo Spot he never registered.
    One of his own recordings is truncated, as real exports sometimes are; the manifest
    matches it."""
    cucina = Dev("G090LF0998470B2W", "Echo Dot", "Cucina", "2017-11-30")
    marco = Account(
        "A4WS6NB3HJ8E2Y",
        "Marco Bianchi",
        "marco.bianchi@example.it",
        "+39 02 5550 1847",
        "it-IT",
        "2011-04-08",
        addr("Via Paolo Sarpi 22", "20154", "Milano", "IT"),
        (cucina,),
        (("Giulia Bianchi", "wife"), ("Luca Bianchi", "son")),
        voice="it",
    )
    spot = Dev("G0A0UQ0458810E1R", "Echo Spot", "", "2018-02-17")
    device_types(marco, extra=[spot])
    c, x = cucina.serial, spot.serial
    utts = [
        Utt("2017-12-01T19:04:31Z", c, "che tempo fa domani"),
        Utt("2017-12-20T12:33:08Z", c, "metti un timer di dieci minuti", wav={"bits": 8}),
        Utt("2018-01-07T20:15:56Z", c, "chiama Giulia"),
        Utt("2018-02-18T07:22:40Z", x, "riproduci musica rilassante", pitch=80),
        Utt(
            "2018-03-02T18:49:13Z",
            c,
            "aggiungi il latte alla lista della spesa",
            wav={"truncate_to": 30000},
        ),
        Utt("2018-03-25T06:51:27Z", x, "imposta la sveglia alle sette", pitch=80),
        Utt("2018-04-14T08:10:02Z", c, "accendi la luce in cucina", wav={"rate": 11025}),
        Utt("2018-05-09T07:35:44Z", x, "quanto traffico c'è per andare in ufficio", pitch=80),
        Utt("2018-06-21T21:02:19Z", c, "che ore sono"),
    ]
    cid = marco.customer_id
    searches = [
        (cid, "2017-11-25T22:10:33Z", "altoparlante intelligente"),
        (cid, "2018-03-01T13:44:51Z", "moka sei tazze"),
    ]
    orders = [
        (cid, "405-2287716-0053341", "2017-11-27", "Echo Dot", "59.99", "EUR", "Milano"),
        (cid, "405-6612094-8840072", "2018-03-02", "Moka 6 tazze", "24.90", "EUR", "Milano"),
    ]
    exp = reference_export("unknown-device", marco, utts, searches, orders)
    archive = finish(exp, "EXP-2018-0455-1", cid, "2018-09-12T02:15:00Z")
    req = request_json("DSAR-2018-0455", "2018-09-08T08:05:00Z", "2018-10-08T08:05:00Z", marco)
    return req, archive


def case_third_party() -> tuple[bytes, bytes]:
    """The requester's own data, but transcripts name people outside her household."""
    hall = Dev("G0911W0815530C6D", "Echo", "Hall", "2017-05-14")
    aisha = Account(
        "A6GB9TR2LK5M3V",
        "Aisha Okafor",
        "aisha.okafor@example.ie",
        "+353 1 555 0143",
        "en-IE",
        "2014-12-01",
        addr("12 Leinster Avenue", "D03 X2K8", "Dublin", "IE"),
        (hall,),
        (("Chidi Okafor", "husband"), ("Ada Okafor", "daughter")),
        voice="en-gb",
    )
    device_types(aisha)
    h = hall.serial
    utts = [
        Utt(
            "2017-05-14T19:20:44Z",
            h,
            "what's the weather tomorrow",
            wav={"rate": 16000, "channels": 2},
        ),
        Utt("2017-06-02T08:12:09Z", h, "call Dr. Miriam Kowalski", pitch=60),
        Utt("2017-07-19T17:55:31Z", h, "call Chidi", pitch=60),
        Utt(
            "2017-09-08T18:40:26Z",
            h,
            "send a message to Declan Murphy saying I'll be twenty minutes late",
            pitch=60,
            wav={"extensible": True, "channels": 2},
        ),
        Utt("2017-10-30T09:03:15Z", h, "add nappies to the shopping list", pitch=60),
        Utt("2017-12-11T20:28:54Z", h, "remind me to pay Fiona Gallagher back on Friday", pitch=60),
        Utt("2018-02-05T16:14:37Z", h, "remind Ada about her piano lesson", pitch=60),
        Utt("2018-04-22T10:47:02Z", h, "play some music", pitch=60, wav={"rate": 8000}),
    ]
    cid = aisha.customer_id
    searches = [
        (cid, "2017-10-29T21:05:48Z", "nappies size 4"),
        (cid, "2018-01-30T19:22:11Z", "beginner piano book"),
    ]
    orders = [
        (cid, "404-1145562-3380917", "2017-10-30", "Nappies size 4 x 2", "27.98", "EUR", "Dublin"),
        (cid, "404-7720433-6615528", "2018-01-31", "Beginner piano book", "12.99", "EUR", "Dublin"),
    ]
    exp = reference_export("third-party", aisha, utts, searches, orders)
    archive = finish(exp, "EXP-2018-0463-1", cid, "2018-09-20T04:10:00Z")
    req = request_json("DSAR-2018-0463", "2018-09-17T11:26:00Z", "2018-10-17T11:26:00Z", aisha)
    return req, archive


def case_tampered() -> tuple[bytes, bytes]:
    """Changed after the manifest was written: one member changed, one missing, one
    unlisted; and two catalogue entries disagree with the voice history (one in its text,
    one in its device)."""
    dot = Dev("G090LF1150260D9K", "Echo Dot", "Bedroom", "2018-04-02")
    show = Dev("G000RA1177420P3S", "Echo Show", "Kitchen", "2018-04-02")
    lars = Account(
        "A8VC3JK6NW2P9R",
        "Lars Johansson",
        "lars.johansson@example.se",
        "+46 8 555 012 34",
        "sv-SE",
        "2015-08-22",
        addr("Södermannagatan 18", "116 23", "Stockholm", "SE"),
        (dot, show),
        (("Ingrid Johansson", "wife"),),
        voice="en-us",
    )
    device_types(lars)
    d, s = dot.serial, show.serial
    utts = [
        Utt("2018-04-02T20:30:14Z", s, "what's the weather in Stockholm tomorrow"),
        Utt(
            "2018-04-18T21:55:37Z", d, "play some relaxing music", wav={"pad_odd": True, "bits": 8}
        ),
        Utt("2018-05-03T17:12:50Z", s, "set a timer for eight minutes"),
        Utt("2018-05-21T19:41:06Z", s, "call Ingrid", pitch=35),
        Utt("2018-06-08T08:26:33Z", s, "add coffee to the shopping list", wav={"rate": 11025}),
        Utt("2018-07-01T13:03:58Z", d, "what time is it in New York", pitch=35),
        Utt("2018-07-24T22:49:21Z", d, "turn off the bedroom lights"),
    ]
    cid = lars.customer_id
    searches = [
        (cid, "2018-03-28T18:02:45Z", "smart speaker"),
        (cid, "2018-06-07T20:17:12Z", "coffee grinder"),
    ]
    orders = [
        (
            cid,
            "406-3378124-5521960",
            "2018-03-29",
            "Echo Dot; Echo Show",
            "2498.00",
            "SEK",
            "Stockholm",
        ),
        (cid, "406-8841207-1190335", "2018-06-08", "Coffee grinder", "449.00", "SEK", "Stockholm"),
    ]
    exp = reference_export("tampered", lars, utts, searches, orders)
    listed = dict(exp.members)  # what the manifest was written for
    by_text = {u.text: u for u in exp.utts}
    # Missing: a recording the manifest and the voice history list, not in the archive.
    missing = by_text["call Ingrid"]
    del exp.members[f"Alexa/Audio/{missing.uid}.wav"]
    # Changed: an order total edited after the manifest was written.
    exp.members["Retail/OrderHistory.csv"] = exp.members["Retail/OrderHistory.csv"].replace(
        b"449.00", b"4490.00"
    )
    # Unlisted: a table added after the manifest was written.
    exp.members["Retail/Wishlist.csv"] = csv_bytes(
        ["customer_id", "added_at", "item"],
        [(cid, "2018-07-02T19:44:10Z", "Espresso machine")],
    )
    # The catalogue disagrees with the voice history in one text and one device.
    coffee, lights = (
        by_text["add coffee to the shopping list"],
        by_text["turn off the bedroom lights"],
    )
    catalogue = []
    for ts, serial, uid, text in exp.catalogue:
        if uid == coffee.uid:
            text = "add cognac to the shopping list"
        if uid == lights.uid:
            serial = s
        catalogue.append((ts, serial, uid, text))
    archive = finish(
        exp,
        "EXP-2018-0470-1",
        cid,
        "2018-09-28T01:20:00Z",
        catalogue=catalogue,
        manifest_members=listed,
    )
    req = request_json("DSAR-2018-0470", "2018-09-25T07:58:00Z", "2018-10-25T07:58:00Z", lars)
    return req, archive


def _central_records(data: bytes) -> list[tuple[int, str]]:
    """(offset, name) of every central directory record, in order."""
    out = []
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        name = data[pos + 46 : pos + 46 + name_len].decode("utf-8", "replace")
        out.append((pos, name))
        pos = data.find(b"PK\x01\x02", pos + 46 + name_len + extra_len + comment_len)
    return out


def _patch(
    data: bytearray,
    name: str,
    *,
    flag_or: int = 0,
    crc_xor: int = 0,
    deflated_prefix_of: bytes | None = None,
) -> None:
    """Patch one member (first of that name) in both its local and central headers."""
    for cd, cd_name in _central_records(bytes(data)):
        if cd_name != name:
            continue
        local = struct.unpack_from("<I", data, cd + 42)[0]
        if flag_or:
            for off in (local + 6, cd + 8):
                struct.pack_into("<H", data, off, struct.unpack_from("<H", data, off)[0] | flag_or)
        if crc_xor:
            for off in (local + 14, cd + 16):
                struct.pack_into("<I", data, off, struct.unpack_from("<I", data, off)[0] ^ crc_xor)
        if deflated_prefix_of is not None:
            # The member was stored holding a prefix of the deflate stream of the full
            # content; declare it deflated, with the full content's size and CRC.
            full = deflated_prefix_of
            for method_off, crc_off, usize_off in (
                (local + 8, local + 14, local + 22),
                (cd + 10, cd + 16, cd + 24),
            ):
                struct.pack_into("<H", data, method_off, zipfile.ZIP_DEFLATED)
                struct.pack_into("<I", data, crc_off, zlib.crc32(full))
                struct.pack_into("<I", data, usize_off, len(full))
        return
    raise KeyError(name)


def case_hostile() -> tuple[bytes, bytes]:
    """An archive built to harm the reader, around an otherwise ordinary export."""
    dot = Dev("G090LF1021770F4H", "Echo Dot", "Wohnzimmer", "2017-08-19")
    noah = Account(
        "A2HX7PD4QM9K6S",
        "Noah Fischer",
        "noah.fischer@example.ch",
        "+41 44 555 03 21",
        "de-CH",
        "2016-01-14",
        addr("Langstrasse 84", "8004", "Zürich", "CH"),
        (dot,),
        (),
        voice="en-us",
    )
    device_types(noah)
    d = dot.serial
    utts = [
        Utt("2017-08-19T19:40:11Z", d, "what's the weather tomorrow"),
        Utt("2017-11-02T07:15:36Z", d, "set an alarm for seven", wav={"rate": 8000}),
        Utt("2018-01-23T18:58:04Z", d, "play the radio"),
    ]
    cid = noah.customer_id
    searches = [(cid, "2017-08-15T20:21:19Z", "smart speaker")]
    orders = [(cid, "408-5530142-7781926", "2017-08-16", "Echo Dot", "59.99", "CHF", "Zürich")]
    exp = reference_export("hostile", noah, utts, searches, orders)
    members = dict(exp.members)
    members["Alexa/Transcripts.pdf"] = kit.transcript_pdf(exp.catalogue)
    bad_crc = f"Alexa/Audio/{exp.utts[0].uid}.wav"
    silence = kit.wav_bytes(b"\0\0" * (2 << 20), 16000)  # 4 MiB of silence: ~1,000:1
    device_log = csv_bytes(
        ["customer_id", "serial", "event", "timestamp"],
        [(cid, d, "wake", f"2018-01-{i % 28 + 1:02d}T0{i % 10}:00:00Z") for i in range(400)],
    )
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    stream = packer.compress(device_log) + packer.flush()
    cut_stream = stream[: len(stream) // 2]  # the member's deflate stream stops half way
    profile_again = json_bytes(
        {"customer_id": cid, "name": noah.name, "email": noah.email, "locale": "en-US"}
    )
    entries: list[tuple[str | zipfile.ZipInfo, bytes]] = [(p, members[p]) for p in sorted(members)]
    entries += [
        ("../../../../tmp/dsar-reviewer-escape.txt", b"written outside the extraction folder\n"),
        ("/etc/cron.d/dsar-reviewer", b"* * * * * root touch /tmp/dsar-reviewer-owned\n"),
        ("..\\..\\Users\\Public\\escape.bat", b"echo written outside the extraction folder\r\n"),
        (kit.zip_info("Alexa/Audio/latest.wav", mode=0o120777), b"/etc/passwd"),
        ("Account/Profile.json", profile_again),
        ("Alexa/Audio/padding.wav", silence),
        ("Retail/PaymentMethods.csv", csv_bytes(["customer_id", "card"], [(cid, "VISA ****4417")])),
        (kit.zip_info("Devices/DeviceLog.csv", compression=zipfile.ZIP_STORED), cut_stream),
    ]
    # The manifest lists every member with the content it was meant to have.
    listed = [(n if isinstance(n, str) else n.filename, b) for n, b in entries]
    listed = [(n, device_log if b is cut_stream else b) for n, b in listed]
    manifest = kit.manifest("EXP-2018-0488-1", cid, "2018-10-04T02:00:00Z", listed)
    entries.insert(0, ("manifest.json", manifest))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the duplicate name is deliberate
        raw = bytearray(kit.zip_bytes(entries))
    _patch(raw, "Retail/PaymentMethods.csv", flag_or=0x1)  # claims to be encrypted
    _patch(raw, bad_crc, crc_xor=0x5A5A5A5A)  # stored CRC does not match the data
    _patch(raw, "Devices/DeviceLog.csv", deflated_prefix_of=device_log)  # truncated member
    req = request_json("DSAR-2018-0488", "2018-10-01T13:12:00Z", "2018-10-31T13:12:00Z", noah)
    return req, bytes(raw)


def case_other_layout() -> tuple[bytes, bytes]:
    """The requester's own data from another pipeline: no manifest, other folder and file
    names, JSON instead of CSV, Ogg Vorbis recordings, retail data in a nested ZIP."""
    dot = Dev("G090LF1203380H2N", "Echo Dot", "Salón", "2018-10-31")
    sofia = Account(
        "A5YB8NC3TK7W1D",
        "Sofía García Romero",
        "sofia.garcia@example.es",
        "+34 91 555 0198",
        "es-ES",
        "2013-05-30",
        addr("Calle de Ponzano 41", "28003", "Madrid", "ES"),
        (dot,),
        (("Javier Ruiz", "partner"),),
        voice="es",
    )
    device_types(sofia)
    d, cid = dot.serial, sofia.customer_id
    utts = [
        Utt("2018-11-01T20:05:12Z", d, "qué tiempo hará mañana"),
        Utt("2018-11-15T07:48:39Z", d, "pon un temporizador de diez minutos"),
        Utt("2018-12-02T21:16:50Z", d, "llama a Javier", pitch=40),
        Utt("2018-12-20T18:31:27Z", d, "añade leche a la lista de la compra"),
        Utt("2019-01-06T11:09:03Z", d, "pon música relajante", pitch=40),
        Utt("2019-01-21T08:02:44Z", d, "qué hora es"),
    ]
    members: dict[str, bytes] = {}
    history = []
    for utt in utts:
        utt.uid = uid_for("other-layout", utt)
        path = f"alexa/recordings/{utt.uid}.ogg"
        members[path] = kit.ogg_bytes(
            kit.speak(utt.text, 16000, voice=sofia.voice, pitch=utt.pitch), 16000
        )
        history.append(
            {
                "id": utt.uid,
                "time": utt.ts,
                "customerId": cid,
                "device": {"serial": d, "type": dot.type},
                "text": utt.text,
                "recording": path,
            }
        )
    members["alexa/voice-history.json"] = json_bytes(history)
    catalogue = [(u.ts, d, u.uid, u.text) for u in utts]
    catalogue = unsorted(catalogue, "other-layout")
    members["alexa/transcripts.pdf"] = kit.transcript_pdf(catalogue, title="Transcripciones de voz")
    members["alexa/devices.json"] = json_bytes(
        [
            {
                "customerId": cid,
                "serial": d,
                "type": dot.type,
                "name": dot.name,
                "registered": dot.registered_at,
            }
        ]
    )
    members["account/customer.json"] = json_bytes(
        {
            "customerId": cid,
            "fullName": sofia.name,
            "emailAddress": sofia.email,
            "phone": sofia.phone,
            "language": sofia.locale,
            "marketplace": "amazon.es",
            "addresses": [sofia.address],
        }
    )
    members["LEEME.txt"] = (
        "Exportación de datos personales\n"
        f"Cliente: {sofia.name} ({cid})\n"
        "Generado: 2019-02-04\n"
        "Contenido: cuenta, dispositivos Alexa, historial de voz, grabaciones (Ogg Vorbis),\n"
        "compras y búsquedas (shopping/compras-2018.zip).\n"
    ).encode()
    retail = [
        (
            "orders.json",
            json_bytes(
                [
                    {
                        "customerId": cid,
                        "orderId": "171-0093314-5528061",
                        "date": "2018-10-29",
                        "items": ["Echo Dot"],
                        "total": "59.99",
                        "currency": "EUR",
                        "shipTo": "Madrid",
                    },
                    {
                        "customerId": cid,
                        "orderId": "171-6652081-3307745",
                        "date": "2018-12-19",
                        "items": ["Leche semidesnatada 1 l x 6"],
                        "total": "5.34",
                        "currency": "EUR",
                        "shipTo": "Madrid",
                    },
                ]
            ),
        ),
        (
            "searches.json",
            json_bytes(
                [
                    {
                        "customerId": cid,
                        "time": "2018-10-27T22:41:05Z",
                        "query": "altavoz inteligente",
                    },
                    {
                        "customerId": cid,
                        "time": "2018-12-19T09:12:58Z",
                        "query": "leche semidesnatada",
                    },
                ]
            ),
        ),
    ]
    members["shopping/compras-2018.zip"] = kit.zip_bytes(retail)
    archive = kit.zip_bytes(sorted(members.items()))
    req = request_json("DSAR-2019-0107", "2019-02-01T10:40:00Z", "2019-03-03T10:40:00Z", sofia)
    return req, archive


CASES: dict[str, Callable[[], tuple[bytes, bytes]]] = {
    "clean": case_clean,
    "wrong-customer": case_wrong_customer,
    "mixed-records": case_mixed_records,
    "previous-owner": case_previous_owner,
    "unknown-device": case_unknown_device,
    "third-party": case_third_party,
    "tampered": case_tampered,
    "hostile": case_hostile,
    "other-layout": case_other_layout,
}
FILES = ("request.json", "export.zip")


# --------------------------------------------------------------------------- command line


def build(out: Path, cases: Iterable[str] = CASES) -> list[Path]:
    written = []
    for name in cases:
        request, archive = CASES[name]()
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        for file, data in zip(FILES, (request, archive), strict=True):
            (folder / file).write_bytes(data)
            written.append(folder / file)
    return written


def check(committed: Path) -> list[str]:
    """Rebuild into a temporary folder; describe every difference from `committed`."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="dsar-samples-") as tmp:
        build(Path(tmp))
        for name in CASES:
            for file in FILES:
                fresh, old = Path(tmp) / name / file, committed / name / file
                if not old.is_file():
                    problems.append(f"{name}/{file}: missing from {committed}")
                elif not filecmp.cmp(fresh, old, shallow=False):
                    problems.append(
                        f"{name}/{file}: differs ({old.stat().st_size} bytes committed, "
                        f"{fresh.stat().st_size} rebuilt)"
                    )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the sample request folders (request.json + export.zip per case).",
        epilog="Needs espeak-ng and sox on PATH. Cases: " + ", ".join(CASES),
    )
    parser.add_argument(
        "--out", type=Path, default=HERE, help="where to write (default: %(default)s)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="rebuild in a temporary folder and compare with the folders in --out; exit 1 on any difference",
    )
    args = parser.parse_args(argv)
    if not kit.have_speech_tools():
        print(
            "error: espeak-ng and sox are needed (apt-get install espeak-ng sox)", file=sys.stderr
        )
        return 2
    try:
        if args.check:
            problems = check(args.out)
            for line in problems:
                print(line)
            if problems:
                return 1
            print(f"{len(CASES)} sample folders in {args.out} match a fresh build")
            return 0
        written = build(args.out)
    except (OSError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(CASES)} sample folders to {args.out} ({total:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
