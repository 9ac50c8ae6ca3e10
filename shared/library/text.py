"""Text handling shared by previews, related essays and search: pure functions, no AWS."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Sequence

from shared.library.marks import MARKS

# Patterns as strings, compiled by `re` on first use (and cached there): most functions import this
# module for `fold` alone, and compiling the Unicode classes would cost every cold start milliseconds.
# A word: letters and digits of any script with the marks that belong to them (the same as
# [a-z0-9]+ for ASCII). \w alone would cut Hindi, Bengali, Tamil or Thai words at every vowel sign.
_WORD_CHARS = f"[^\\W_](?:[^\\W_]|[{MARKS}])*"
_ASCII_WORD_CHARS = r"[^\W_]+"
_JOINERS = "\u200c\u200d"  # zero-width (non-)joiners: how a word is drawn, not where it ends
_BLANK_LINE = r"\n\s*\n"
# Scripts written without spaces between words: Han, kana, Thai, Lao, Khmer, Myanmar, with their
# full-width punctuation. In them each character is a unit of text (a "word" for counting) and
# search terms are pairs of characters (bigrams).
_UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f"
)
_UNSPACED_CHAR = f"[{_UNSPACED}]"
_UNIT = f"[{_UNSPACED}][{MARKS}]*|[^\\s{_UNSPACED}]+"  # a character with its marks (a Thai vowel above it...)
_CLUSTER = f".[{MARKS}]*"
_CLOSING_MARKS = "\"')]’”」』）〉》】"
_FULL_STOPS = frozenset("。！？．")

# Words too common to say anything about a title or an essay's topic (each once).
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


MAX_TERM_CHARS = 40  # longer "words" are not words (a pasted URL, a run of letters): never a term


def terms(text: str, *, bigram_step: int = 1) -> list[str]:
    """The meaningful words of a text, normalised for matching; order kept, repeats kept.

    Folded (case, accents, compatibility forms), then letters and digits of any script. Runs of
    an unspaced script (Chinese, Japanese, Thai...) give their character bigrams, or the
    character alone in a run of one. `bigram_step` 2 keeps every other bigram (and the last),
    which still covers every character: enough for a query.
    """
    found: list[str] = []
    for word in words_in(fold(text)):
        if word.isascii() or not re.search(_UNSPACED_CHAR, word):
            if word not in STOP_WORDS and (len(word) > 1 or word.isdigit()) and len(word) <= MAX_TERM_CHARS:
                found.append(singular(word))  # (drops the "s" of "Stalin's")
            continue
        for part in re.findall(f"[{_UNSPACED}]+|[^{_UNSPACED}]+", word):
            if not re.match(_UNSPACED_CHAR, part):
                found += terms(part)
            else:
                found += _bigrams(re.findall(_CLUSTER, part), bigram_step)
    return found


def _bigrams(characters: Sequence[str], step: int) -> list[str]:
    """Pairs of neighbouring characters (each with its marks), or the character alone in a run of one."""
    if len(characters) == 1:
        return [characters[0]]
    starts = list(range(0, len(characters) - 1, step))
    if starts[-1] != len(characters) - 2:
        starts.append(len(characters) - 2)
    return [characters[i] + characters[i + 1] for i in starts]


def words_in(folded: str) -> list[str]:
    """The words of a folded text by Unicode's rules: runs of letters and digits of any script, with
    the marks that belong to them (vowel signs, Thai vowels and tones); zero-width joiners dropped.
    Search terms, keywords and suggestions all split text here, so a query and an index agree."""
    if folded.isascii():  # no marks: the small pattern, so an English query compiles no Unicode class
        return re.findall(_ASCII_WORD_CHARS, folded)
    for joiner in _JOINERS:
        folded = folded.replace(joiner, "")
    return re.findall(_WORD_CHARS, folded)


def unique_terms(text: str) -> list[str]:
    return list(dict.fromkeys(terms(text)))


def query_terms(query: str) -> list[str]:
    """A search query's terms: as a title's, but with only the bigrams a match needs."""
    return list(dict.fromkeys(terms(query, bigram_step=2)))


def paragraphs(body: str) -> list[str]:
    """Paragraphs separated by blank lines; line breaks inside a paragraph become spaces."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return [" ".join(p.split()) for p in re.split(_BLANK_LINE, body) if p.strip()]


def units(text: str) -> list[str]:
    """The units a text is counted and cut in: its words, and each character of a script written
    without spaces (so a Chinese essay's preview share counts characters). For text in spaced
    scripts this is exactly text.split()."""
    if text.isascii() or not re.search(_UNSPACED_CHAR, text):
        return text.split()
    return re.findall(_UNIT, text)


def join_units(tokens: list[str]) -> str:
    """The text of consecutive units: spaces between words, none between unspaced characters."""
    if not tokens:
        return ""
    text = " ".join(tokens)
    if text.isascii():  # no unspaced script: a space between every two (most essays; a load joins every extract)
        return text
    out = [tokens[0]]
    for before, token in itertools.pairwise(tokens):
        glued = re.match(_UNSPACED_CHAR, before[-1]) or re.match(_UNSPACED_CHAR, token[0])
        out.append(token if glued else " " + token)
    return "".join(out)


def word_count(text: str) -> int:
    return len(units(text))


_MAY_END = frozenset(".!?\"')]’”") | _FULL_STOPS | frozenset(_CLOSING_MARKS)


def _ends_sentence(word: str, next_word: str | None) -> bool:
    if next_word is None:
        return True
    stripped = word.rstrip(_CLOSING_MARKS)
    if stripped and stripped[-1] in _FULL_STOPS:
        return True  # full-width full stops end a sentence whatever follows (no capitals there)
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


def shorten(text: str, max_chars: int) -> str:
    """Cut at a word boundary so the result (with an ellipsis if cut) fits in max_chars."""
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"
