"""Identifiers: the shapes of essay ids and section ids, checked before any read. The loader makes
them (essays_cli.loading.slugs)."""

from __future__ import annotations

import re

ESSAY_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$"
SECTION_ID_PATTERN = r"^[a-z0-9-]{1,60}--[a-z0-9-]{1,60}--[a-z0-9-]{1,100}$"
_ESSAY_ID = re.compile(ESSAY_ID_PATTERN)
_SECTION_ID = re.compile(SECTION_ID_PATTERN)


def is_essay_id(value: str) -> bool:
    return bool(_ESSAY_ID.match(value))


def is_section_id(value: str) -> bool:
    return bool(_SECTION_ID.match(value))
