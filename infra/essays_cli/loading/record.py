"""What the content team loads: one essay record, validated with pydantic (loader side only;
the functions never import this module; the limits are shared/library/limits.py's)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from essays_cli.loading.slugs import essay_id_from_title, section_id
from shared.library.ids import ESSAY_ID_PATTERN
from shared.library.limits import (
    MAX_ANNOTATIONS,
    MAX_BODY_CHARS,
    MAX_COMMENT_CHARS,
    MAX_NAME_CHARS,
    MAX_QUOTE_CHARS,
    MAX_TEACHER_COMMENT_CHARS,
    MAX_TITLE_CHARS,
)
from shared.library.text import word_count

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_CHARS)]
Rating = Annotated[int, Field(ge=1, le=5)]
TeacherComment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEACHER_COMMENT_CHARS)]
# a curly double quote where JSON needs a straight one: around a name or a value
CURLY_DELIMITER = re.compile(r"[{\[,:]\s*[“”„‟]|[“”„‟]\s*[:,}\]]")


class Annotation(BaseModel):
    """A teacher's note on a passage: where it is (paragraph, 1-based, and the exact quote) and what
    the teacher says. Whether the quote is really in that paragraph is checked by
    essays_cli.loading.annotations, which also finds its offsets."""

    model_config = ConfigDict(extra="forbid", strict=True)

    paragraph: Annotated[int, Field(ge=1)]
    quote: Annotated[str, StringConstraints(min_length=1, max_length=MAX_QUOTE_CHARS)]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_COMMENT_CHARS)]
    kind: Literal["strength", "improvement", "note"] = "note"
    # which place of the quote in its paragraph (1 = the first), needed when it is there more than once
    occurrence: Annotated[int, Field(ge=1)] | None = None
    # or where it starts in the paragraph (0-based, as the full essay serves it): an exported annotation
    start: Annotated[int, Field(ge=0)] | None = None

    @field_validator("quote")
    @classmethod
    def _one_line(cls, value: str) -> str:
        # Paragraphs are stored with their line breaks and runs of spaces made single spaces: so are quotes.
        return " ".join(value.split())


class EssayRecord(BaseModel):
    """One essay as the content team supplies it (a JSON Lines line or a CSV row)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: Annotated[str, StringConstraints(pattern=ESSAY_ID_PATTERN)] | None = None
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_CHARS)]
    level: Name
    subject: Name
    section: Name
    body: Annotated[str, StringConstraints(max_length=MAX_BODY_CHARS)]
    rating: Rating | None = None
    teacher_comment: TeacherComment | None = Field(default=None, alias="teacherComment")
    annotations: Annotated[list[Annotation], Field(max_length=MAX_ANNOTATIONS)] = Field(default_factory=list)
    # the name a contributor chose to be credited under (a published submission); none for the library's own
    contributor: Name | None = None

    @field_validator("annotations", mode="before")
    @classmethod
    def _annotations_list(cls, value: Any) -> Any:
        # A CSV cell holds the list as JSON text; empty means none.
        if value is None or (isinstance(value, str) and not value.strip()):
            return []
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as error:
                if CURLY_DELIMITER.search(value):
                    raise ValueError(
                        "is not valid JSON: it has curly quotes (“ ” ‘ ’), which spreadsheets and word "
                        'processors put in as you type; use straight quotes (") around every name and text, '
                        'e.g. [{"paragraph": 1, "quote": "...", "comment": "..."}] (in Excel: File > Options > '
                        "Proofing > AutoCorrect Options > AutoFormat As You Type, untick smart quotes)"
                    ) from error
                raise ValueError(
                    f"is not valid JSON ({error.msg} at character {error.pos + 1}); write the list as "
                    '[{"paragraph": 1, "quote": "...", "comment": "...", "kind": "note"}]'
                ) from error
        return value

    @field_validator("id", "rating", "teacher_comment", "contributor", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any) -> Any:
        # CSV cells and hand-edited JSON often carry "" for "no value".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("rating", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError("must be a whole number from 1 to 5")
        return value

    @field_validator("body")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the essay text is empty")
        return value

    @property
    def essay_id(self) -> str:
        return self.id or essay_id_from_title(self.title)

    @property
    def section_id(self) -> str:
        return section_id(self.level, self.subject, self.section)

    def content_hash(self, derivation: str) -> str:
        """Fingerprint of everything that shapes the stored items, so reruns can skip unchanged essays."""
        # no contributor leaves it out: the library's essays keep the fingerprints they were loaded with
        left_out = {"id"} if self.contributor else {"id", "contributor"}
        fields = self.model_dump(exclude=left_out) | {"derivation": derivation}
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode("utf-8")).hexdigest()[:32]

    @property
    def word_count(self) -> int:
        return word_count(self.body)
