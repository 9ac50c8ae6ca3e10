"""Essay ids and section ids made from names, at load time only (the functions only check them).

Latin-script text keeps the slugs it always had: letters folded to a-z (accents dropped),
digits kept, anything else a separator. Letters of other scripts are transliterated by
python-slugify (text-unidecode), so Russian, Chinese and Arabic names get distinct, readable
ids ("История" -> "istoriia", "历史" -> "li-shi") instead of all becoming the same empty slug.

In scripts whose marks carry sound (the vowel signs of Hindi, Bengali, Tamil and the other Indic
scripts; Japanese voicing marks; Thai vowels), the text is NFKC-normalised and its marks kept
(accents are still dropped from Latin letters): "がくせい" -> "gakusei", not "kakusei". Indic
scripts are transliterated syllable by syllable, with the inherent vowel a consonant carries
unless a vowel sign or virama says otherwise (dropped at the end of a Hindi or Bengali word,
as they are spoken): "निराला की कविता" -> "nirala-ki-kavita", "தமிழ்" -> "tamizh".
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from slugify import slugify as transliterate
from text_unidecode import unidecode

from shared.library.marks import MARKS
from shared.library.text import fold

_ASCII_WORD = re.compile(r"[a-z0-9]+")
_NON_LATIN_RUN = re.compile(r"[^\W_]+")
_RUN_WITH_MARKS = re.compile(f"(?:[^\\W_]|[{MARKS}])+")
# Indic scripts, Thai and Lao, Myanmar, Khmer, kana: their marks are sounds, not accents
_SOUNDING_MARKS = re.compile("[\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\uff66-\uff9f]")
_INDIC = (
    "DEVANAGARI",
    "BENGALI",
    "GURMUKHI",
    "GUJARATI",
    "ORIYA",
    "TAMIL",
    "TELUGU",
    "KANNADA",
    "MALAYALAM",
    "SINHALA",
)
# the inherent vowel of a word's last consonant is not said ("vidroh"), unless it ends a cluster ("sahitya")
_FINAL_VOWEL_SILENT = ("DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI")
_VOWELS = {
    "A": "a", "AA": "a", "I": "i", "II": "i", "U": "u", "UU": "u", "E": "e", "EE": "e", "AI": "ai", "O": "o",
    "OO": "o", "AU": "au", "VOCALIC R": "ri", "VOCALIC RR": "ri", "VOCALIC L": "li", "VOCALIC LL": "li",
    "CANDRA E": "e", "CANDRA O": "o", "SHORT E": "e", "SHORT O": "o", "SHORT A": "a",
}  # fmt: skip
_CONSONANTS = {
    "NGA": "ng", "NYA": "ny", "CA": "ch", "CHA": "chh", "TTA": "t", "TTHA": "th", "DDA": "d", "DDHA": "dh",
    "NNA": "n", "NNNA": "n", "SSA": "sh", "SHA": "sh", "LLA": "l", "LLLA": "zh", "RRA": "r", "RRHA": "rh",
    "KHANDA TA": "t", "JNYA": "gy",
}  # fmt: skip


def _is_latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


def _transliterated(run: str) -> str:
    if all(_is_latin(ch) for ch in run):
        return run
    # Each stretch of another script becomes its own words; Latin letters in the run stay as they were.
    parts = re.split(r"((?:(?![\x00-\x7f])[^\W_])+)", run)
    return " ".join(transliterate(p) if p and not all(_is_latin(c) for c in p) else p for p in parts)


def _sounded(run: str) -> str:
    """A run of a script whose marks carry sound (NFKC, marks kept): Indic syllable by syllable,
    anything else by text-unidecode, which reads composed kana with their voicing ("が" -> "ga")."""
    parts = re.split(f"((?:(?![\\x00-\\x7f])(?:[^\\W_]|[{MARKS}]))+)", run)
    return " ".join(_spoken(p) if p and not all(_is_latin(c) for c in p) else p for p in parts)


def _spoken(part: str) -> str:
    script = unicodedata.name(part[0], "").split(" ")[0]
    if script in _INDIC:
        return _indic(part, script)
    return transliterate(unidecode(part))


def _indic(word: str, script: str) -> str:
    """An Indic word in Latin letters: each consonant with its vowel sign, or its inherent "a"."""
    out: list[str] = []
    waiting = False  # a consonant whose vowel is not said yet
    cluster = joined = False  # the last consonant ends a cluster (after a virama)
    for ch in word:
        name = unicodedata.name(ch, "").removeprefix(script + " ")
        kind, _, rest = name.partition(" ")
        if kind == "VOWEL" and rest.startswith("SIGN "):
            out.append(_VOWELS.get(rest.removeprefix("SIGN "), ""))
            waiting = False
        elif name == "SIGN VIRAMA":
            waiting, joined = False, True
        elif name in ("SIGN NUKTA", "AU LENGTH MARK", "AI LENGTH MARK", "ADDAK"):
            pass
        elif kind == "LETTER" and rest in _VOWELS:
            out += ["a"] * waiting + [_VOWELS[rest]]
            waiting = joined = False
        elif kind == "LETTER":
            out += ["a"] * waiting + [_CONSONANTS.get(rest, rest.lower().removesuffix("a") or rest.lower())]
            waiting, cluster, joined = True, joined, False
        elif name in ("SIGN ANUSVARA", "SIGN CANDRABINDU", "SIGN VISARGA", "TIPPI"):
            out += ["a"] * waiting + ["h" if name == "SIGN VISARGA" else "n"]
            waiting = joined = False
        elif kind == "DIGIT":
            out += ["a"] * waiting + [str(unicodedata.digit(ch, 0))]
            waiting = joined = False
        else:  # OM, signs without a sound of their own
            out += ["a"] * waiting + [unidecode(ch)]
            waiting = joined = False
    if waiting and (script not in _FINAL_VOWEL_SILENT or cluster):
        out.append("a")
    if script not in _FINAL_VOWEL_SILENT and unicodedata.name(word[-1], "").endswith("ANUSVARA"):
        out[-1] = "m"  # in the south a word's last anusvara is said m ("malayalam"); in Hindi "men"
    return "".join(out)


def slugify(text: str, max_length: int = 80) -> str:
    if _SOUNDING_MARKS.search(text):
        # NFKC keeps the marks composed (が, Devanagari vowel signs); other letters folded as ever
        normal = unicodedata.normalize("NFKC", text)
        folded = "".join(ch if _SOUNDING_MARKS.match(ch) else fold(ch) for ch in normal)
        folded = _RUN_WITH_MARKS.sub(lambda m: _sounded(m.group()), folded)
    else:
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


@functools.lru_cache(maxsize=4096)  # a load asks it of each essay ~8 times, over a few hundred sections at most
def section_id(level: str, subject: str, section: str) -> str:
    """The stable slug of level/subject/section, e.g. "gcse--english--poetry"."""
    return "--".join(
        (slugify(level, 60) or "level", slugify(subject, 60) or "subject", slugify(section, 100) or "section")
    )


def name_key(name: str) -> str:
    """What two spellings of a level, subject or section name must share to be the same one:
    its slug, so "GCSE" and "gcse ", or "Medicine Through Time" and "medicine through time", match."""
    return slugify(name, 100)
