"""Errors the history database raises, so callers can tell "try later" from "cannot use"."""

from __future__ import annotations


class StoreError(Exception):
    """The history database cannot be used: not a database, unknown schema, unknown run."""


class StoreBusy(StoreError):
    """Another process holds the database for writing longer than the caller would wait."""


class SchemaTooNew(StoreError):
    """The database was written by a newer qa-audit; this code would misread it, so it refuses."""
