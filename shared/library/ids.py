"""Identifiers: essay ids and section ids (stable slugs), and their validation."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from shared.library.text import slugify

ESSAY_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$"
SECTION_ID_PATTERN = r"^[a-z0-9-]{1,60}--[a-z0-9-]{1,60}--[a-z0-9-]{1,100}$"
_ESSAY_ID = re.compile(ESSAY_ID_PATTERN)
_SECTION_ID = re.compile(SECTION_ID_PATTERN)


def is_essay_id(value: str) -> bool:
    return bool(_ESSAY_ID.match(value))


def is_section_id(value: str) -> bool:
    return bool(_SECTION_ID.match(value))


def essay_id_from_title(title: str) -> str:
    """A readable, stable id: the title's slug plus a short hash of the exact title.

    The same title always gives the same id; titles that only differ in accents or
    punctuation still get different ids.
    """
    canonical = " ".join(unicodedata.normalize("NFC", title).split())
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]
    slug = slugify(canonical, max_length=60) or "essay"
    return f"{slug}-{digest}"


def section_id(level: str, subject: str, section: str) -> str:
    """The stable slug of level/subject/section, e.g. "gcse--english--poetry"."""
    return "--".join(
        (slugify(level, 60) or "level", slugify(subject, 60) or "subject", slugify(section, 100) or "section")
    )
