"""Records of an account holder: which members are an account's profile by their name, the
fields a profile gives its holder's name and phone number under (in the languages exports are
written in), what is a person's full name rather than a title or a product, and which other
records give a person's name together with their contact details.

A profile-like member naming someone who is neither the requester nor of the household is
another account's (`evidence` reports it as `foreign-identifier`); a record elsewhere giving
such a person's name with a phone number or a postal address is a looser sign, a warning
(`other-person-details`), unless it is plainly somebody the requester deals with: a contact
of their address book, an order's recipient, a seller, a device, the household.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from reviewer.domain.checks._address import POSTCODE_KEYS
from reviewer.domain.checks._common import HOLDER_NAME_KEYS, norm_key
from reviewer.domain.checks._contacts import FIRST_NAME_KEYS as FIRST_NAMES_KNOWN
from reviewer.domain.checks._contacts import LAST_NAME_KEYS as LAST_NAMES_KNOWN
from reviewer.domain.checks._tag_words import NOT_A_PERSON
from reviewer.domain.model import Request

# Words of a member's file name (or, for a file named only by neutral words, its folder's)
# that say it is an account's profile: "profile.json", "account/cuenta.json",
# "perfil-2.json", "CustomerDetails.json", "Kundenkonto.xml", "mon-compte.html"
PROFILE_WORDS = frozenset(
    {"profile", "profil", "perfil", "account", "cuenta", "konto", "kundenkonto", "compte"}
    | {"conta", "conto", "rekening", "customer", "cliente", "client", "kunde", "kundin"}
    | {"klant", "titular", "holder", "accountholder", "user", "usuario", "utilisateur"}
    | {"benutzer", "nutzer", "utente", "gebruiker", "me"}
)
# Words that say nothing of what a file holds beside a profile word ("my-account-details",
# "perfil-2", "datos-de-la-cuenta"); a file name with any other word ("AccountHistory",
# "customer-orders", "VoiceProfiles") is not a profile by its name
NEUTRAL_WORDS = frozenset(
    {"info", "infos", "information", "informacion", "informations", "informationen", "details"}
    | {"detalles", "detail", "data", "datos", "daten", "donnees", "dati", "gegevens", "dados"}
    | {"personal", "personales", "personnelles", "personnel", "persoonlijke", "personali"}
    | {"persoenliche", "persönliche", "mi", "my", "mein", "meine", "mon", "ma", "mes", "mio"}
    | {"mijn", "de", "del", "la", "el", "du", "des", "der", "the", "of", "summary", "resumen"}
    | {"overview", "main", "primary", "principal", "export", "copy", "your", "su", "tu"}
    | {"votre", "ihr", "dein", "il", "tuo", "uw", "json", "xml", "html", "txt"}
)
# Keys a profile gives its holder's name under, beside `HOLDER_NAME_KEYS`: a name in English,
# Spanish, French, Italian, Dutch and German, and the holder by the words for one
PROFILE_NAME_KEYS = HOLDER_NAME_KEYS | frozenset(
    {"name", "displayname", "profilename", "personname", "ownername", "holdername"}
    | {"nombre", "nombrecompleto", "nombreyapellidos", "nombreapellidos", "nombretitular"}
    | {"nom", "nomcomplet", "nometprenom", "prenometnom", "nome", "nomecompleto", "naam"}
    | {"volledigenaam", "vollername", "vollstandigername", "titular", "holder", "inhaber"}
    | {"titulaire", "intestatario", "titolare"}
)
# A name given in two fields: the first name's and the family name's. A Spanish "nombre"
# beside "apellidos" is the first name.
# (the address book's, `_contacts`, and those of the other languages profiles are written in)
FIRST_NAME_KEYS = FIRST_NAMES_KNOWN | {"voornaam", "nombredepila"}
LAST_NAME_KEYS = LAST_NAMES_KNOWN | {
    "apellidos",
    "apellido",
    "achternaam",
    "cognome",
    "nomdefamille",
    "primerapellido",
}
# English keys of objects that are an account's or its holder's (whose "id" is the account's
# id, whose "name" its holder's name: `evidence`)
ACCOUNTISH_PARENTS = frozenset(
    {"customer", "account", "profile", "user", "holder", "owner", "requester", "accountholder"}
)
# Objects whose own name is the account's holder wherever they stand: under these keys
ACCOUNT_PARENTS = ACCOUNTISH_PARENTS | {
    "perfil",
    "cuenta",
    "cliente",
    "titular",
    "profil",
    "konto",
    "kunde",
    "compte",
    "client",
    "kontoinhaber",
    "titulaire",
    "titolare",
    "klant",
}
# The phone fields of the requester's own profile (`locale_match` compares its number), and
# those of the other languages a profile is written in
PROFILE_PHONE_KEYS = frozenset(
    {"phone", "phonenumber", "mobile", "mobilephone", "telephone", "tel"}
)
PHONE_KEYS = PROFILE_PHONE_KEYS | frozenset(
    {"mobilenumber", "telefono", "telefon", "telefonnummer", "numerodetelephone", "movil"}
    | {"celular", "handy", "mobil", "portable", "cellulare", "telefoonnummer", "mobiel"}
    | {"numerotelefono", "numerodetelefono", "phoneno", "contactnumber"}
)
# Keys of a postal address in a record (its street or postcode: a city alone is no address)
ADDRESS_KEYS = POSTCODE_KEYS | frozenset(
    {"address", "streetaddress", "street", "address1", "addressline1", "line1"}
    | {"codigopostal", "codepostal", "cap", "direccion", "domicilio", "calle", "adresse"}
    | {"anschrift", "strasse", "rue", "indirizzo", "via", "adres", "straat", "postalcodes"}
    | {"homeaddress"}
)
# Words of a key (`norm_key`) under which a record names somebody the requester deals with,
# not an account's holder: an order's recipient and its shipping or billing details, a
# contact, a seller or merchant, a device, the household, someone to call in an emergency
_OTHERS_PARENT = re.compile(
    r"recipient|ship|deliver|gift|envio|entrega|destinatari|liefer|versand|empfang|livraison"
    r"|contact|kontakt|friend|amigo|emergenc|notfall|seller|merchant|vendor|vendedor|vendeur"
    r"|verkauf|store|shop|tienda|device|dispositiv|gerat|household|hogar|haushalt|foyer"
    r"|family|familia|famille|member|miembro|mitglied|child|kids|nino|hijo|guest|invitad"
    r"|address|adresse|direcci|indirizz|sender|author|organi[sz]er|attendee|caller|callee"
    r"|participant|support|service|agent|driver|courier|carrier|payee|payer"
    r"|\A(?:to|cc|bcc|from|echo)\Z"
)
# Keys of a record that make it an order, a message, a call or a device's: the person it
# names is its recipient, its sender, its caller, not an account's holder
_OTHERS_RECORD = re.compile(
    r"order|pedido|bestell|commande|ordine|shipment|tracking|parcel|invoice|factura|rechnung"
    r"|message|mensaje|nachricht|call|llamada|anruf|serial|device|dispositivo|asin|sku|item"
    r"|product|producto|seller|merchant|subject|asunto"
)

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORDS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=4096)
def _name_words(name: str) -> tuple[str, ...]:
    """The words of a file or folder name, lower case and without accents ("perfil-2" ->
    ("perfil",), "CustomerDetails" -> ("customer", "details"))."""
    stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
    return tuple(norm_key(w) for w in _WORDS.findall(_CAMEL.sub(" ", stem)) if norm_key(w))


def _names_a_profile(name: str) -> bool | None:
    """True for a name of profile and neutral words only, holding a profile word; None for
    one of neutral words only (its folder decides); False otherwise."""
    words = set(_name_words(name))
    if not words <= PROFILE_WORDS | NEUTRAL_WORDS:
        return False
    return True if words & PROFILE_WORDS else None


# Any profile word within a text (one search settles most members: an ASCII file name
# without one, in a folder that is no profile's, is no profile's, whatever its words)
_ANY_PROFILE_WORD = re.compile("|".join(sorted(PROFILE_WORDS, key=len, reverse=True)))


@lru_cache(maxsize=4096)
def _folder_is_profile(folder: str) -> bool:
    return bool(_names_a_profile(folder))


def is_profile_member(member: str) -> bool:
    """Whether `member` is an account's profile by its name: a file named by profile words
    ("account/perfil-2.json", "customer.json", "Mi-Cuenta.html"), or one named by neutral
    words in a folder so named ("account/info.json"). (The folder's answer is cached for
    all its files.)"""
    parts = member.replace("!", "/").split("/")
    name = parts[-1]
    in_profile_folder = len(parts) > 1 and _folder_is_profile(parts[-2])
    if not in_profile_folder and name.isascii() and not _ANY_PROFILE_WORD.search(name.lower()):
        return False
    verdict = _names_a_profile(name)
    return in_profile_folder if verdict is None else verdict


# A person's full name: two to five words of letters ("Carlos Pérez Molina", "O'Brien",
# "Jean-Luc Picard", "García Romero, Sofía"), perhaps with an initial ("E. Whitfield")
_NAME_WORD = r"[^\W\d_]+(?:['’.-][^\W\d_]+)*\.?"
_FULL_NAME = re.compile(rf"{_NAME_WORD}(?:,?\s+{_NAME_WORD}){{1,4}}")
# Words of an account's type, a role or a title, not of a person's name ("Prime Household",
# "Mi cuenta", "Kids Profile")
_NOT_A_NAME = NOT_A_PERSON | frozenset(
    {"account", "member", "membership", "prime", "business", "primary", "secondary", "teen"}
    | {"adult", "shared", "personal", "student", "owner", "holder", "user", "admin", "default"}
    | {"joint", "mi", "my", "cuenta", "perfil", "konto", "compte", "cliente", "client", "main"}
    | {"amazon", "alexa", "echo", "none", "null", "unknown", "anonymous", "test", "demo"}
)
# What follows a name in a labelled line: an id or a remark in brackets ("Sofía García
# Romero (A5YB8NC3TK7W1D)"), after a dash or a bar
_REMARK = re.compile(r"\s*(?:[(\[<]|\s[-–|/]\s).*\Z", re.S)


def full_name(value: str) -> str:
    """`value` when it is a person's full name (`_FULL_NAME`, no word of a role, an account
    type, a room or a product), with a remark after it left out; else ""."""
    v = _REMARK.sub("", value.strip())
    if not _FULL_NAME.fullmatch(v):
        return ""
    words = {w.strip(".,'’").casefold() for w in v.replace("-", " ").split()}
    return "" if words & _NOT_A_NAME else v


def holder_name(obj: dict[str, Any]) -> str:
    """The name an object gives a person by its first and last name fields ("firstName":
    "Carlos", "lastName": "Pérez Molina"; "nombre" beside "apellidos"), or ""."""
    first = last = ""
    keys = {norm_key(str(k)): v for k, v in obj.items() if isinstance(v, str) and v.strip()}
    for key, value in keys.items():
        if key in FIRST_NAME_KEYS:
            first = value.strip()
        elif key in LAST_NAME_KEYS:
            last = value.strip()
    if last and not first and isinstance(keys.get("nombre"), str):
        first = keys["nombre"].strip()
    return f"{first} {last}" if first and last else ""


def profile_objects(
    doc: object, member: str, held: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """The objects of a JSON document that are an account's profile: the document itself,
    when it is one object and its member is a profile by name (`is_profile_member`), and the
    objects under a key that names an account or its holder (`ACCOUNT_PARENTS`), at any
    depth: `held`, found by the walk over the document's fields (`walk_json`'s `holders`)."""
    if isinstance(doc, dict) and is_profile_member(member):
        yield doc
    yield from held


def profile_names(obj: dict[str, Any]) -> Iterator[str]:
    """The full names (`full_name`) a profile object gives its holder, under a name field or
    in its first and last name fields."""
    for key, value in obj.items():
        is_name = isinstance(value, str) and norm_key(str(key)) in PROFILE_NAME_KEYS
        if is_name and (name := full_name(value)):
            yield name
    if name := full_name(holder_name(obj)):
        yield name


def phones(obj: dict[str, Any]) -> Iterator[str]:
    """The phone numbers an object gives under a phone field."""
    for key, value in obj.items():
        scalar = isinstance(value, str | int) and not isinstance(value, bool)
        if scalar and norm_key(str(key)) in PHONE_KEYS and str(value).strip():
            yield str(value).strip()


def is_other_phone(value: str, request: Request) -> bool:
    """Whether `value` is a phone number (seven digits or more), and not the requester's (by
    their last eight digits, however grouped)."""
    want = re.sub(r"\D", "", request.requester.phone)[-8:]
    have = re.sub(r"\D", "", value)[-8:]
    return len(want) >= 7 and len(have) >= 7 and have != want


def names_others(member: str) -> bool:
    """Whether `member`'s file or folder names say it holds people the requester deals with
    or what they order ("Account/Addresses.json", "shopping/pedidos.json", "Contacts/",
    "Devices.json"): a name and an address there are a recipient's, a contact's. (Asked of
    each part, folders first: a folder's answer is cached for all its files.)"""
    parts = member.replace("!", "/").split("/")
    return any(_part_names_others(part) for part in reversed(parts[:-1])) or (
        _part_names_others(parts[-1])
    )


@lru_cache(maxsize=4096)
def _part_names_others(part: str) -> bool:
    return any(_OTHERS_PARENT.search(w) or _OTHERS_RECORD.search(w) for w in _name_words(part))


def contact_records(doc: object) -> Iterator[tuple[dict[str, Any], str]]:
    """(object, the person's full name) for every object of a JSON document that gives a
    person's name (a name field, or first and last name fields) with their phone number or
    postal address, and is not somebody the requester deals with: under a key of a
    recipient, a contact, a seller, a device or the household (`_OTHERS_PARENT`), nor an
    order, a message or a device record itself (`_OTHERS_RECORD`)."""
    stack: list[tuple[object, str, int]] = [(doc, "", 0)]
    while stack:
        node, parent, depth = stack.pop()
        if depth > 32 or (parent and _OTHERS_PARENT.search(parent)):
            continue
        if isinstance(node, list):
            stack.extend(
                (item, parent, depth + 1) for item in node if isinstance(item, dict | list)
            )
            continue
        if not isinstance(node, dict):
            continue
        keys = [norm_key(str(k)) for k in node]
        if not any(_OTHERS_RECORD.search(k) for k in keys) and (
            any(k in PHONE_KEYS or k in ADDRESS_KEYS for k in keys)
        ):
            for name in profile_names(node):
                yield node, name
        for key, value in node.items():
            if isinstance(value, dict | list):
                stack.append((value, norm_key(str(key)), depth + 1))
