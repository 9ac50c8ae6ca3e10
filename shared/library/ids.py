"""Identifiers: the shapes of essay ids and section ids, checked before any read. The loader makes
them (essays_cli.loading.slugs)."""

from __future__ import annotations

import re

# Anchored for JSON Schema and pydantic; Python checks them with fullmatch, since `$` alone would
# also match before a trailing newline ("stalin-rise-to-power\n").
ESSAY_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$"
SECTION_ID_PATTERN = r"^[a-z0-9-]{1,60}--[a-z0-9-]{1,60}--[a-z0-9-]{1,100}$"
_ESSAY_ID = re.compile(ESSAY_ID_PATTERN)
_SECTION_ID = re.compile(SECTION_ID_PATTERN)


def is_essay_id(value: str) -> bool:
    return _ESSAY_ID.fullmatch(value) is not None


def is_section_id(value: str) -> bool:
    return _SECTION_ID.fullmatch(value) is not None
