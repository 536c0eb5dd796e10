"""What exports name their fields: the names that hold an account id, and the one way a
field's name is compared (`norm_key`). Shared by the reader (which finds tables by their
customer column) and the checks."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Column or JSON key names (lower-case, letters and digits only) that hold an account id.
CUSTOMER_KEYS = frozenset(
    {
        "customerid",
        "customer",
        "customernumber",
        "customerno",
        "custid",
        "accountid",
        "account",
        "accountnumber",
        "ownerid",
        "userid",
        "clientid",
        "clientnumber",
        "clientno",
        # other languages' exports: German, French, Spanish, Italian, Dutch
        "kundennummer",
        "kundennr",
        "kundenid",
        "idclient",
        "numeroclient",
        "idcliente",
        "numerocliente",
        "codicecliente",
        "klantnummer",
        "numerodeclient",
        "iddeclient",
        "iddecliente",
        "numerodecliente",
    }
)


@lru_cache(maxsize=4096)
def norm_key(key: str) -> str:
    """`Customer_ID`, `customerId`, `customer-id` -> `customerid`; without accents, "ß" as
    "ss" (`Numéro de client` -> `numerodeclient`, `Seriennummer des Geräts` ->
    `seriennummerdesgerats`)."""
    lowered = key.lower()
    if not lowered.isascii():
        lowered = "".join(
            ch
            for ch in unicodedata.normalize("NFKD", lowered.replace("ß", "ss"))
            if not unicodedata.combining(ch)
        )
    return "".join(ch for ch in lowered if ch.isalnum())


# Names of an account that any service has, not only the exporter (and an app's OAuth client
# id): beside a field that names the service ("service": "Spotify", "accountId": "31kx7q2m9zf4h") such an id is that service's
# account, linked to the requester's, not another customer of the exporter.
GENERIC_ACCOUNT_KEYS = frozenset(
    {"accountid", "account", "accountnumber", "userid", "ownerid", "clientid"}
)
SERVICE_KEYS = frozenset(
    {
        "service",
        "servicename",
        "provider",
        "providername",
        "partner",
        "partnername",
        "skill",
        "skillname",
        "app",
        "appname",
        "platform",
        "vendor",
        "linkedservice",
    }
)


def is_linked_account(key: str, siblings: Iterable[str]) -> bool:
    """Whether a field (`key`, compared as `norm_key` gives it) holds a linked service's
    account id: a generic account key beside a field that names the service (`siblings`: the
    names of the fields beside it, or a table's columns)."""
    return key in GENERIC_ACCOUNT_KEYS and any(norm_key(s) in SERVICE_KEYS for s in siblings)
