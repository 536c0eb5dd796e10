"""Making a flagged export right: build the corrected archive (`build`), prove that what was
removed is gone (`proof`), with the catalogue rebuilt (`catalogue`). The rules (marks,
corrections, what follows from them, how a text is redacted) are the domain's
(`reviewer.domain.corrections`); this package does the reading and writing."""

from reviewer.correct.build import NOTICE_MEMBER, BuildError, Built, build_corrected
from reviewer.correct.proof import Proof, prove

__all__ = ["NOTICE_MEMBER", "BuildError", "Built", "Proof", "build_corrected", "prove"]
