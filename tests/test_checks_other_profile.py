"""Another account's profile in the requester's export, with no customer id or e-mail to
give it away: a member named as an account's profile ("account/perfil-2.json",
"account/cuenta.json", "account/perfil.html") naming someone who is neither the requester nor
of the household blocks, in JSON, a text, HTML, XML or CSV, under the field names exports in
other languages use. A looser sign (another phone number in such a member, another person's
name with their contact details in some other record) is a warning. Other people a right
export names with their details (contacts, an order's recipient, a seller, a support line, a
device named after someone, the household's own profiles) hold nothing up.

Each test rewrites the other-layout sample's export.zip (Sofía García Romero, A5YB8NC3TK7W1D,
household: Javier Ruiz) and reviews it as the app does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from cleancopy import changed, review_members, sample_members, sample_ticket

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.review import Review

OTHER_LAYOUT = "other-layout"
STRANGER = "Carlos Pérez Molina"
STRANGER_PHONE = "+34 93 555 0777"
REQUESTER = "Sofía García Romero"
ME = "A5YB8NC3TK7W1D"
PARTNER = "Javier Ruiz"  # the ticket's household


def _review(tmp_path: Path, changes: Mapping[str, bytes | str | None], keep: bool = True) -> Review:
    """The other-layout export with `changes` (member -> new bytes or text, None: removed);
    `keep=False`: only the recordings of it, with `changes`."""
    members = sample_members(OTHER_LAYOUT)
    if not keep:
        members = {p: b for p, b in members.items() if p.endswith(".ogg")}
    members = changed(members, changes)
    tmp_path.mkdir(exist_ok=True)
    return review_members(tmp_path, members, sample_ticket(OTHER_LAYOUT))


def _not_info(review: Review) -> list[tuple[str, str]]:
    return [(f.code, f.detail) for f in review.report.findings if f.severity is not Severity.INFO]


def _dumps(doc: object) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


# ------------------------------------------------------------ another account's profile


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("account/perfil-2.json", _dumps({"name": STRANGER, "phone": STRANGER_PHONE})),
        ("account/perfil-2.json", _dumps({"nombre": STRANGER, "telefono": STRANGER_PHONE})),
        ("account/perfil-2.json", _dumps({"titular": STRANGER})),
        (
            "account/perfil-2.json",
            _dumps({"firstName": "Carlos", "lastName": "Pérez Molina", "phone": STRANGER_PHONE}),
        ),
        ("account/cuenta.json", _dumps({"nombre": "Carlos", "apellidos": "Pérez Molina"})),
        ("account/perfil.txt", f"Nombre: {STRANGER}\nTeléfono: {STRANGER_PHONE}\n"),
        ("account/perfil.html", f"<table><tr><th>Name</th><td>{STRANGER}</td></tr></table>"),
        ("account/perfil.html", f"<table><tr><th>Nombre</th><td>{STRANGER}</td></tr></table>"),
        ("account/perfil.html", f"<dl><dt>Name</dt><dd>{STRANGER}</dd></dl>"),
        (
            "account/perfil.html",
            "<html><body><h1>Mi cuenta</h1><dl><dt>Nombre</dt><dd>"
            f"{STRANGER}</dd><dt>Teléfono</dt><dd>{STRANGER_PHONE}</dd></dl></body></html>",
        ),
        ("account/perfil.xml", f"<perfil><nombre>{STRANGER}</nombre></perfil>"),
        ("account/perfil.csv", f"nombre,telefono\n{STRANGER},{STRANGER_PHONE}\n"),
        ("account/perfil.csv", f"name,phone\n{STRANGER},{STRANGER_PHONE}\n"),
        ("mein-konto.json", _dumps({"vorname": "Carlos", "nachname": "Pérez Molina"})),
        ("Account/Info.json", _dumps({"name": STRANGER})),
        ("data.json", _dumps({"cuenta": {"titular": STRANGER, "idioma": "es-ES"}})),
    ],
)
def test_another_persons_profile_blocks(tmp_path: Path, path: str, text: str) -> None:
    """A member named as an account's profile, or an object under an account's key, giving
    another person's full name: another account's profile, though no id or e-mail is in it."""
    review = _review(tmp_path, {path: text})
    assert review.report.verdict is Verdict.BLOCK, _not_info(review)
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert f.severity is Severity.CRITICAL
    assert STRANGER in f.detail and f.members == (path,)


def test_a_second_cover_letter_naming_another_customer_blocks(tmp_path: Path) -> None:
    text = f"Exportación de datos personales\nCliente: {STRANGER}\n"
    review = _review(tmp_path, {"LEEME2.txt": text})
    assert review.report.verdict is Verdict.BLOCK, _not_info(review)
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert STRANGER in f.detail and f.members == ("LEEME2.txt",)


def _history(account_key: str | None) -> str:
    """The voice history with its account under `account_key` as a number no check knows
    for an account's (None: no account at all)."""
    rows = json.loads(sample_members(OTHER_LAYOUT)["alexa/voice-history.json"])
    for row in rows:
        del row["customerId"]
        if account_key is not None:
            row[account_key] = "40817734"
    return _dumps(rows)


@pytest.mark.parametrize(
    ("cover", "holder_key", "account_key"),
    [
        ("LEEME.txt", "titular", "idCuenta"),
        ("LEEME.txt", "titular", "referencia"),
        ("LEEME.txt", "nombre", None),
        ("README.txt", "name", "kontonummer"),
    ],
)
def test_a_wrong_archive_with_a_cover_letter_naming_the_requester_blocks(
    tmp_path: Path, cover: str, holder_key: str, account_key: str | None
) -> None:
    """Another person's account and voice history, sent with a cover letter addressed to the
    requester: the letter makes it no less another account's."""
    account = {holder_key: STRANGER, "idioma": "es-ES"}
    if account_key is not None:
        account[account_key] = "40817734"
    changes = {
        cover: f"Estimada {REQUESTER}:\nAdjuntamos la copia de sus datos personales.\n",
        "account/cuenta.json": _dumps(account),
        "alexa/voice-history.json": _history(account_key),
    }
    review = _review(tmp_path, changes, keep=False)
    assert review.report.verdict is Verdict.BLOCK, _not_info(review)
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert STRANGER in f.detail and "account/cuenta.json" in f.members
    assert "identity-evidence" not in [f.code for f in review.report.findings]


# ------------------------------------------------------------------ looser signs: a warning


def test_another_phone_number_in_a_profile_member_is_a_warning(tmp_path: Path) -> None:
    review = _review(tmp_path, {"account/perfil-2.json": _dumps({"phone": STRANGER_PHONE})})
    assert review.report.verdict is Verdict.REVIEW, _not_info(review)
    [f] = [f for f in review.report.findings if f.severity is not Severity.INFO]
    assert (f.code, f.severity) == ("other-person-details", Severity.WARNING)
    assert f.members == ("account/perfil-2.json",) and STRANGER_PHONE in f.detail


@pytest.mark.parametrize(
    "record",
    [
        {"name": STRANGER, "phone": STRANGER_PHONE},
        {"nombre": STRANGER, "direccion": "Carrer de Mallorca 200", "codigoPostal": "08036"},
    ],
)
def test_another_persons_name_with_contact_details_elsewhere_is_a_warning(
    tmp_path: Path, record: dict[str, str]
) -> None:
    """A record outside the profile giving someone else's name with their phone number or
    address: perhaps another account's, perhaps someone the requester deals with."""
    review = _review(tmp_path, {"alexa/ajustes.json": _dumps({"ajustes": {"es": 1}, **record})})
    assert review.report.verdict is Verdict.REVIEW, _not_info(review)
    [f] = [f for f in review.report.findings if f.severity is not Severity.INFO]
    assert (f.code, f.severity) == ("other-person-details", Severity.WARNING)
    assert f.members == ("alexa/ajustes.json",) and STRANGER in f.detail


# -------------------------------------------------------------- right exports stay a pass


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # the requester's own profile, however written
        ("account/perfil-2.json", _dumps({"nombre": REQUESTER, "telefono": "+34 91 555 0198"})),
        ("account/perfil.txt", "Nombre: SOFIA GARCIA ROMERO\nTeléfono: 91 555 01 98\n"),
        ("account/perfil.html", "<table><tr><th>Name</th><td>García Romero, Sofía</td></tr>"),
        ("account/perfil.xml", "<perfil><nombre>Sofía García</nombre></perfil>"),
        # the household's own profile, with his own number
        ("account/perfil-2.json", _dumps({"name": PARTNER, "phone": "+34 600 555 123"})),
        ("account/perfil.txt", f"Nombre: {PARTNER}\nTeléfono: +34 600 555 123\n"),
        # the requester's contacts and address book (each row the requester's, as tables
        # that name no account are `unattributed-member` whatever they hold)
        (
            "alexa/contactos.json",
            _dumps([{"customerId": ME, "name": STRANGER, "phone": STRANGER_PHONE}]),
        ),
        (
            "account/direcciones.json",
            _dumps(
                [
                    {
                        "customerId": ME,
                        "name": STRANGER,
                        "street": "Carrer de Mallorca 200",
                        "postcode": "08036",
                    }
                ]
            ),
        ),
        # a gift sent to a friend, a seller, a support line
        (
            "shopping/pedidos.json",
            _dumps(
                [
                    {
                        "orderId": "171-0023917-2244312",
                        "customerId": ME,
                        "shipTo": {"name": STRANGER, "street": "Calle Mayor 5", "city": "Madrid"},
                        "seller": {"name": "Tienda Pérez SL", "phone": "+34 93 555 0100"},
                    }
                ]
            ),
        ),
        (
            "alexa/regalo.json",
            _dumps(
                {"recipient": {"name": STRANGER, "phone": STRANGER_PHONE}, "asin": "B07PHPXHQS"}
            ),
        ),
        (
            "alexa/ayuda.json",
            _dumps({"support": {"name": "Atención al Cliente", "phone": "+34 900 803 711"}}),
        ),
        # the household's voice profiles
        (
            "alexa/VoiceProfiles.json",
            _dumps({"profiles": [{"customerId": ME, "name": n} for n in (PARTNER, "Lucía")]}),
        ),
    ],
)
def test_a_right_export_naming_others_with_their_details_passes(
    tmp_path: Path, path: str, text: str
) -> None:
    review = _review(tmp_path, {path: text})
    assert review.report.verdict is Verdict.PASS, _not_info(review)


def test_a_device_named_after_someone_passes(tmp_path: Path) -> None:
    devices = json.loads(sample_members(OTHER_LAYOUT)["alexa/devices.json"])
    devices[0]["name"] = "Echo de Carlos"
    devices[0]["owner"] = {"name": REQUESTER, "phone": "+34 91 555 0198"}
    review = _review(tmp_path, {"alexa/devices.json": _dumps(devices)})
    assert review.report.verdict is Verdict.PASS, _not_info(review)


def test_the_cover_letter_naming_the_requester_by_name_passes(tmp_path: Path) -> None:
    text = f"Exportación de datos personales\nCliente: {REQUESTER} (A5YB8NC3TK7W1D)\n"
    review = _review(tmp_path, {"LEEME.txt": text})
    assert review.report.verdict is Verdict.PASS, _not_info(review)
