"""Identifiers: the shapes of essay ids and section ids, checked before any read. The loader makes
them (essays_cli.loading.slugs)."""

from __future__ import annotations

import re

# Anchored for JSON Schema and pydantic; Python checks them with fullmatch, since `$` alone would
# also match before a trailing newline ("stalin-rise-to-power\n").
ESSAY_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$"
SECTION_ID_PATTERN = r"^[a-z0-9-]{1,60}--[a-z0-9-]{1,60}--[a-z0-9-]{1,100}$"
_ESSAY_ID_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def is_essay_id(value: str) -> bool:
    """ESSAY_ID_PATTERN, checked without compiling it: its counted repeat cost the cold start of every
    essay route ~0.5 ms (tests/unit/test_text.py holds the two to the same answers)."""
    return 0 < len(value) <= 100 and value[0] != "-" and value[-1] != "-" and _ESSAY_ID_CHARACTERS.issuperset(value)


def is_section_id(value: str) -> bool:
    return re.fullmatch(SECTION_ID_PATTERN, value) is not None  # compiled on first use (re caches it)
