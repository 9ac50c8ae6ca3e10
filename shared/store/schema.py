"""The content table's single-table layout: every key shape in one place.

  pk                 sk                   what
  ESSAY#<id>         CARD                 header + compressed preview extracts + snippet (< 4 KB; what previews read)
  ESSAY#<id>         RELATED              the ranked related essays of the same section, compressed (< 4 KB)
  BODY#<id>          BODY                 the full essay (compressed), its annotations, a copy of the header: paywalled
  SECTION#<secId>    <title>#<id>         a section's essays in title order (listing + related ranking)
  TERM#<term>        <9-rating>#<id>      search postings of a title word, best rated first
  SUGGEST#<prefix>   TOP                  the best-rated titles with a word under the prefix, compressed (< 4 KB)
  TAXONOMY           SECTION#<sectionId>  a section with its level, subject, name and essay count
  LOADER             DIRTY#<sectionId>    a section whose derived data a load has still to rebuild
  LOADER             SUGGEST#<load>#<n>   suggest lists a load has still to rebuild, with replaced titles' prefixes

Bodies sit under their own partition-key prefix so IAM can keep every public function away
from them (dynamodb:LeadingKeys), while the full-essay function may read nothing else.
Section members are items of the table rather than a GSI so the loader can read them back
strongly consistent right after writing.
"""

from __future__ import annotations

CARD = "CARD"
RELATED = "RELATED"
TAXONOMY = "TAXONOMY"
LOADER = "LOADER"
BODY = "BODY"
SUGGEST_TOP = "TOP"
SUGGEST_PENDING = "SUGGEST"
BODY_PREFIX = "BODY#"


def essay_pk(essay_id: str) -> str:
    return f"ESSAY#{essay_id}"


def card_key(essay_id: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": essay_pk(essay_id)}, "sk": {"S": CARD}}


def related_key(essay_id: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": essay_pk(essay_id)}, "sk": {"S": RELATED}}


def body_pk(essay_id: str) -> str:
    return f"{BODY_PREFIX}{essay_id}"


def body_key(essay_id: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": body_pk(essay_id)}, "sk": {"S": BODY}}


def term_pk(term: str) -> str:
    return f"TERM#{term}"


def rated_sk(essay_id: str, rating: int | None) -> str:
    """The sort key of a search posting or a suggest entry: 9 - rating sorts rating 5 first and
    unrated (0) last within a term's or a prefix's partition."""
    return f"{9 - (rating or 0)}#{essay_id}"


def of_rated_sk(sk: str) -> tuple[str, int | None] | None:
    """(essay id, rating or None) of a rated_sk; None when sk is not one."""
    rank, _, essay_id = sk.partition("#")
    if not (rank.isdigit() and 4 <= int(rank) <= 9 and essay_id):
        return None
    return essay_id, (9 - int(rank)) or None


def suggest_pk(prefix: str) -> str:
    return f"SUGGEST#{prefix}"


def suggest_key(prefix: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": suggest_pk(prefix)}, "sk": {"S": SUGGEST_TOP}}


def section_pk(section_id: str) -> str:
    return f"SECTION#{section_id}"


def member_sk(title: str, essay_id: str) -> str:
    from shared.library.text import fold  # the loader's alone: the routes that read items need no text module

    return f"{fold(title)[:100]}#{essay_id}"


def taxonomy_sk(section_id: str) -> str:
    return f"SECTION#{section_id}"


def dirty_sk(section_id: str) -> str:
    return f"DIRTY#{section_id}"
