"""Which recordings a device's owner can have made: the one rule both the previous-owner check
and the review screen's timeline apply.

A recording on one of the requester's devices is the requester's only from the device's
floor on: the day they registered it, or, for a device the ticket gives no registration date,
the day they created the account (when the ticket says). Before it, the voice is a previous
owner's. Serials are compared by `serial_key`, the one rule every check and the timeline use
(case and whatever groups a serial aside; a device given as an object yields
its serial).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from reviewer.domain.archive.tabular import split_device
from reviewer.domain.model import Recording, Requester

_GROUPING = re.compile(r"[\W_]+")


def serial_key(value: object) -> str:
    """A device serial as compared: its letters and digits in upper case, in their plain
    forms (NFKC: full-width digits are digits), without whatever groups them: spaces, dashes,
    dots, slashes, underscores ("g070-vm1a.8312_0045" is G070VM1A83120045)."""
    if value is None:
        return ""
    return _serial_key(str(value))


SERIALS_CACHED = 4096  # thousands of recordings and entries share a few devices


@lru_cache(maxsize=SERIALS_CACHED)
def _serial_key(text: str) -> str:
    return _GROUPING.sub("", unicodedata.normalize("NFKC", text)).upper()


def serial_of(rec: Recording) -> str:
    """The recording's device serial; a device given as an object (``{"serial": ...}``, as
    some layouts nest it) yields its serial, read as the reader reads it (`split_device`)."""
    return split_device(rec.device_serial)[0].strip()


def recording_serial(rec: Recording) -> str:
    """`serial_key(serial_of(rec))`: the recording's device serial as compared, worked out
    once per serial cell as written."""
    return _cell_serial(rec.device_serial)


@lru_cache(maxsize=SERIALS_CACHED)
def _cell_serial(cell: str) -> str:
    return serial_key(split_device(cell)[0].strip())


@dataclass(frozen=True, slots=True)
class Floor:
    since: date
    what: str  # "registered it" or "created the account"


@dataclass(frozen=True, slots=True)
class DeviceFloors:
    floors: dict[str, Floor]  # normalised serial -> the first day it can be the requester's
    undated: frozenset[str]  # the requester's devices with no registration date

    def of(self, rec: Recording) -> Floor | None:
        return self.floors.get(recording_serial(rec))

    def is_early(self, rec: Recording) -> bool:
        """Made on one of the requester's devices before its floor (a previous owner's)."""
        floor = self.of(rec)
        return (
            rec.timestamp is not None and floor is not None and rec.timestamp.date() < floor.since
        )


def device_floors(req: Requester) -> DeviceFloors:
    floors: dict[str, Floor] = {}
    undated: set[str] = set()
    for d in req.devices:
        serial = serial_key(d.serial)
        if d.registered_at is not None:
            floors[serial] = Floor(d.registered_at, "registered it")
            undated.discard(serial)
            continue
        if serial not in floors:
            undated.add(serial)
            if req.account_created_at is not None:
                floors[serial] = Floor(req.account_created_at, "created the account")
    return DeviceFloors(floors, frozenset(undated))
