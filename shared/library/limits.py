"""The limits of an essay's fields and how a refusal says so: the loader's records
(infra/essays_cli/loading/record.py) and the contributors' submissions (functions/submissions)
are held to the same numbers, in the same words."""

from __future__ import annotations

MAX_TITLE_CHARS = 200
MAX_NAME_CHARS = 100  # level, subject, section
MAX_BODY_CHARS = 200_000  # ~35,000 words; keeps the full-essay item far below DynamoDB's 400 KB
MAX_TEACHER_COMMENT_CHARS = 2_000
MAX_ANNOTATIONS = 50
MAX_COMMENT_CHARS = 1_000
MAX_QUOTE_CHARS = 1_000  # a passage, not a chapter: keeps 50 annotations well inside the body item

EMPTY = "is empty; please fill it in"


def too_long(limit: int, length: int | None) -> str:
    has = f"{length:,}" if length is not None else "?"
    return f"is too long: at most {limit:,} characters, this one has {has}"
