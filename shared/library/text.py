"""Text handling shared by previews, related essays and search: pure functions, no AWS."""

from __future__ import annotations

import functools
import re
import unicodedata

_WORD_CHARS = re.compile(r"[a-z0-9]+")
_BLANK_LINE = re.compile(r"\n\s*\n")

# Words too common to say anything about a title or an essay's topic.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "essay",
        "discuss",
        "explain",
        "extent",
        "far",
        "how",
        "far",
        "assess",
        "evaluate",
    ]
)

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "c",
        "ca",
        "cf",
        "vs",
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "no",
        "vol",
        "fig",
        "approx",
        "esp",
        "jr",
        "sr",
        "mt",
        "ed",
        "eds",
        "p",
        "pp",
    ]
)


def fold(text: str) -> str:
    """Lower-case and strip accents, so "Émile" and "emile" compare equal."""
    if text.isascii():  # the common case, ten times faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=65_536)  # a library's vocabulary is small; bodies repeat it endlessly
def singular(word: str) -> str:
    """Fold simple English plurals onto their singular ("revolutions" -> "revolution")."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The meaningful words of a text, normalised for matching; order kept, repeats kept."""
    return [
        singular(w)
        for w in _WORD_CHARS.findall(fold(text))
        if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())  # drops the "s" of "Stalin's"
    ]


def unique_terms(text: str) -> list[str]:
    return list(dict.fromkeys(terms(text)))


def paragraphs(body: str) -> list[str]:
    """Paragraphs separated by blank lines; line breaks inside a paragraph become spaces."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return [" ".join(p.split()) for p in _BLANK_LINE.split(body) if p.strip()]


def words(text: str) -> list[str]:
    return text.split()


def word_count(text: str) -> int:
    return len(text.split())


_MAY_END = frozenset(".!?\"')]’”")


def _ends_sentence(word: str, next_word: str | None) -> bool:
    if next_word is None:
        return True
    stripped = word.rstrip("\"')]’”")
    if not stripped or stripped[-1] not in ".!?":
        return False
    if stripped[-1] == ".":
        stem = stripped[:-1].lstrip("\"'([‘“").casefold()
        if stem in _ABBREVIATIONS or (len(stem) == 1 and stem.isalpha()):
            return False  # "e.g.", "Dr.", initials such as "J."
    first = next_word.lstrip("\"'([‘“")
    return bool(first) and (first[0].isupper() or first[0].isdigit())


def sentence_spans(tokens: list[str]) -> list[tuple[int, int]]:
    """Sentence boundaries over whitespace tokens, as [start, end) token index pairs."""
    spans: list[tuple[int, int]] = []
    start = 0
    last = len(tokens) - 1
    for i, token in enumerate(tokens):
        # Most words end in a letter: skip them before the full check.
        if (i == last or token[-1] in _MAY_END) and _ends_sentence(token, tokens[i + 1] if i < last else None):
            spans.append((start, i + 1))
            start = i + 1
    return spans


def slugify(text: str, max_length: int = 80) -> str:
    slug = "-".join(_WORD_CHARS.findall(fold(text)))
    return slug[:max_length].strip("-")


def shorten(text: str, max_chars: int) -> str:
    """Cut at a word boundary so the result (with an ellipsis if cut) fits in max_chars."""
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
