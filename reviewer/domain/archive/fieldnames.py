"""What exports name their fields: the names that hold an account id, and the one way a
field's name is compared (`norm_key`). Shared by the reader (which finds tables by their
customer column) and the checks."""

from __future__ import annotations

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
    }
)


@lru_cache(maxsize=4096)
def norm_key(key: str) -> str:
    """`Customer_ID`, `customerId`, `customer-id` -> `customerid`."""
    return "".join(ch for ch in key.lower() if ch.isalnum())
