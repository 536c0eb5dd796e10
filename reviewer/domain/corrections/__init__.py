"""Making a flagged export right: the reviewer's marks, the corrections they propose, what the
findings suggest, and how a text is found and redacted. Pure: no I/O.

A *mark* is a reviewer's own finding on one item (a recording, a catalogue entry, a member):
not the requester's (foreign), a third party to redact, or doubtful. A foreign mark is as
strong as a critical finding: the version it is on can only be rejected or corrected.

A *correction* changes what goes out, with a reason category and a note:

- ``withhold-member``: one member is left out;
- ``withhold-utterance``: one voice interaction is left out everywhere: its voice-history row,
  its recording and its catalogue entry go together, so the export stays consistent;
- ``withhold-records``: every record (a row of any table, a voice interaction) that carries an
  identifier, such as another customer's id mixed into the export;
- ``redact-text``: a text (a name, a phone number) replaced by ``[redacted]`` everywhere it
  occurs, case- and accent-insensitively, as a whole word;
- ``silence``: a span of a recording (or all of it) replaced by digital silence.

`plan` turns a list of corrections and the export's index into what the builder does
(`CorrectionPlan`): which members and utterances go, which texts are redacted, which spans are
silenced, with every withheld recording's row and catalogue entry following it.

Each concern has its own module: `correction` (its kinds and reasons, and the check that one
applies), `planning`, `from_findings` (the suggestions), `redaction` and `marks`; every name
is importable from here.
"""

from __future__ import annotations

from reviewer.domain.corrections.correction import (
    MAX_NOTE_CHARS,
    Correction,
    CorrectionKind,
    Reason,
    correction_problem,
)
from reviewer.domain.corrections.from_findings import suggestions
from reviewer.domain.corrections.marks import (
    MARK_CODE,
    MarkFact,
    MarkKind,
    MarkTarget,
    mark_findings,
)
from reviewer.domain.corrections.planning import CorrectionPlan, Span, plan
from reviewer.domain.corrections.redaction import MIN_REDACT_CHARS, REDACTED, Redactor, fold

__all__ = [
    "MARK_CODE",
    "MAX_NOTE_CHARS",
    "MIN_REDACT_CHARS",
    "REDACTED",
    "Correction",
    "CorrectionKind",
    "CorrectionPlan",
    "MarkFact",
    "MarkKind",
    "MarkTarget",
    "Reason",
    "Redactor",
    "Span",
    "correction_problem",
    "fold",
    "mark_findings",
    "plan",
    "suggestions",
]
