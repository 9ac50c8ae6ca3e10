"""The limits of an essay's fields and how a refusal says so: the loader's records
(infra/essays_cli/loading/record.py) and the contributors' submissions (functions/submissions)
are held to the same numbers, in the same words."""

from __future__ import annotations

MAX_TITLE_CHARS = 200
MAX_NAME_CHARS = 100  # level, subject, section
MAX_BODY_CHARS = 200_000  # ~35,000 words
# What an essay's text may take in UTF-8, so that its item fits DynamoDB's 400 KB with the rest: a
# Chinese character takes 3 bytes, so MAX_BODY_CHARS of them do not fit where English letters do.
MAX_BODY_BYTES = 360 * 1024
MAX_TEACHER_COMMENT_CHARS = 2_000
MAX_ANNOTATIONS = 50
MAX_COMMENT_CHARS = 1_000
MAX_QUOTE_CHARS = 1_000  # a passage, not a chapter: keeps 50 annotations well inside the body item

EMPTY = "is empty; please fill it in"


def too_large(size: int) -> str:
    return (
        f"is too large to store: it takes {size / 1024:,.0f} KB in UTF-8, and an essay may take at most "
        f"{MAX_BODY_BYTES / 1024:,.0f} KB (about 360,000 English letters, or 120,000 Chinese characters, which "
        "take 3 bytes each); shorten it or send it as two essays"
    )


def too_long(limit: int, length: int | None) -> str:
    has = f"{length:,}" if length is not None else "?"
    return f"is too long: at most {limit:,} characters, this one has {has}"
