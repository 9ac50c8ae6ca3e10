"""Essay ids and section ids made from names, at load time only (the functions only check them).

Latin-script text keeps the slugs it always had: letters folded to a-z (accents dropped),
digits kept, anything else a separator. Letters of other scripts are transliterated by
python-slugify (text-unidecode), so Russian, Chinese and Arabic names get distinct, readable
ids ("История" -> "istoriia", "历史" -> "li-shi") instead of all becoming the same empty slug.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from slugify import slugify as transliterate

from shared.library.text import fold

_ASCII_WORD = re.compile(r"[a-z0-9]+")
_NON_LATIN_RUN = re.compile(r"[^\W_]+")


def _is_latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


def _transliterated(run: str) -> str:
    if all(_is_latin(ch) for ch in run):
        return run
    # Each stretch of another script becomes its own words; Latin letters in the run stay as they were.
    parts = re.split(r"((?:(?![\x00-\x7f])[^\W_])+)", run)
    return " ".join(transliterate(p) if p and not all(_is_latin(c) for c in p) else p for p in parts)


def slugify(text: str, max_length: int = 80) -> str:
    folded = fold(text)
    if not folded.isascii():
        folded = _NON_LATIN_RUN.sub(lambda m: _transliterated(m.group()), folded)
    slug = "-".join(_ASCII_WORD.findall(folded))
    return slug[:max_length].strip("-")


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


def name_key(name: str) -> str:
    """What two spellings of a level, subject or section name must share to be the same one:
    its slug, so "GCSE" and "gcse ", or "Medicine Through Time" and "medicine through time", match."""
    return slugify(name, 100)
