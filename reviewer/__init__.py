"""DSAR Reviewer: check a data subject access export against the person who asked."""

__version__ = "0.1.0"
