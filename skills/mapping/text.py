"""Phrases in comparable form: normalised text, Danish folding, filler and stop words, light stems."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

#: Words that say "this is a skill" without saying which one; dropped before comparing.
FILLER_WORDS: Final = frozenset(
    {
        # English
        "skill", "skills", "knowledge", "of", "in", "the", "a", "an", "ability", "to", "competence",
        "competences", "competencies", "understanding", "experience", "with", "basic", "advanced",
        "training", "course", "for",
        # Danish
        "kompetence", "kompetencer", "færdighed", "færdigheder", "kendskab", "til", "viden", "om",
        "i", "af", "med", "erfaring", "forståelse", "grundlæggende", "avanceret", "kursus", "uddannelse",
        "en", "et",
    }
)  # fmt: skip
#: Function words ignored when phrases are compared word by word (English and Danish).
STOP_WORDS: Final = FILLER_WORDS | frozenset(
    {
        "and", "or", "on", "at", "from", "by", "how", "why", "what", "who", "our", "we", "you", "your",
        "can", "need", "needs", "someone", "want", "be", "is", "are", "new", "out", "up",
        "as", "that", "this", "all", "using", "use", "og", "eller", "på", "fra", "den", "det", "de",
        "der", "som", "kan", "skal", "vi", "vores", "vil", "er", "har", "ny", "nye", "efter",
        "ved", "hos", "brug", "man", "sig", "ud", "op",
    }
)  # fmt: skip
#: Words that mean "and" in the two languages, and symbols for it.
_AND = re.compile(r"\s*(?:&|\+)\s*|\b(?:og|and|und)\b")
_NON_WORD = re.compile(r"[^0-9a-zæøå]+")
#: a standard's letters glued to its number: iso9001, iec62443, en50110
_CODE_NUMBER = re.compile(r"\b([a-z]{2,4})(\d{3,})\b")
_DANISH_FOLD: Final = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
_SUFFIXES: Final = ("erne", "ene", "ering", "ing", "er", "es", "et", "en", "e", "s")
_VOWELS: Final = frozenset("aeiouyæøå")


def _strip_accents(text: str) -> str:
    """Drop accents (é → e, ü → u) but keep Danish letters: å (a + ring) survives, æ and ø have no accent."""
    decomposed = unicodedata.normalize("NFD", text)
    kept: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char):
            if char == "\u030a" and kept and kept[-1] == "a":  # å
                kept[-1] = "å"
            continue
        kept.append(char)
    return "".join(kept)


def normalise(text: object) -> str:
    """Phrase in comparable form: lower case, accents off (æøå kept), ``&``/``og`` → ``and``, punctuation → space.

    >>> normalise("CNC-Fræsning & Drejning"), normalise("Robot  programming (basic)")
    ('cnc fræsning and drejning', 'robot programming basic')
    """
    if text is None:
        return ""
    return _normalise_text(str(text))


@functools.lru_cache(maxsize=200_000)
def _normalise_text(text: str) -> str:
    cleaned = _strip_accents(unicodedata.normalize("NFKC", text).casefold())
    cleaned = _AND.sub(" and ", cleaned)
    cleaned = _CODE_NUMBER.sub(r"\1 \2", cleaned)
    return " ".join(_NON_WORD.sub(" ", cleaned).split())


def fold_danish(text: str) -> str:
    """``æ ø å`` written as ``ae oe aa`` (what people type without a Danish keyboard)."""
    return text.translate(_DANISH_FOLD)


def core(normalised: str) -> str:
    """A normalised phrase without filler words (``knowledge of``, ``kompetencer i``)."""
    words = [word for word in normalised.split() if word not in FILLER_WORDS]
    return " ".join(words) if words else normalised


@functools.lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """A light English/Danish stem: one plural/definite/verbal suffix off, a doubled final consonant undone.

    >>> [stem(t) for t in ("robotter", "robots", "programming", "programmering", "PLC".lower())]
    ['robot', 'robot', 'program', 'program', 'plc']
    """
    if len(token) <= 4 or token.isdigit():
        return token
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            token = token[: -len(suffix)]
            break
    if len(token) >= 5 and token[-1] == token[-2] and token[-1] not in _VOWELS:
        token = token[:-1]
    return token


def content_stems(normalised: str) -> list[str]:
    """Stems of the words that carry meaning (stop and filler words dropped)."""
    return [stem(word) for word in normalised.split() if word not in STOP_WORDS]


#: Longest phrase (in words) read as a label whose verbs and product words can be dropped.
REWRITE_WORDS: Final = 5
#: Verbs that say only "works with" (ESCO labels, job ads): dropped from the front of a phrase.
GENERIC_VERBS: Final = frozenset(
    {
        "use", "using", "operate", "operating", "apply", "applying", "utilise", "utilize", "handle",
        "handling", "bruge", "anvende", "benytte", "betjene", "betjening", "anvendelse", "brug",
    }
)  # fmt: skip
#: Verbs whose noun names the skill: "maintain X" reads as "X maintenance".
NOMINAL_VERBS: Final = {
    "maintain": "maintenance", "maintaining": "maintenance", "service": "servicing",
    "repair": "repair", "repairing": "repair", "install": "installation", "installing": "installation",
    "program": "programming", "programme": "programming", "inspect": "inspection",
    "inspecting": "inspection", "calibrate": "calibration", "calibrating": "calibration",
    "troubleshoot": "troubleshooting", "monitor": "monitoring", "monitoring": "monitoring",
    "test": "testing", "weld": "welding", "manage": "management", "managing": "management",
    "plan": "planning", "analyse": "analysis", "analyze": "analysis", "measure": "measurement",
    "vedligeholde": "vedligeholdelse", "programmere": "programmering", "installere": "installation",
    "reparere": "reparation", "kalibrere": "kalibrering", "svejse": "svejsning",
}  # fmt: skip
#: Words naming the kind of product rather than the skill: dropped from the end of a phrase.
PRODUCT_WORDS: Final = frozenset(
    {
        "software", "tool", "tools", "equipment", "system", "systems", "application", "applications",
        "platform", "platforms", "solution", "solutions", "package", "packages", "programs",
        "værktøj", "værktøjer", "udstyr", "systemer", "programmer", "løsninger",
    }
)  # fmt: skip
#: Words naming a user role: "SAP superbruger", "ERP super user" ask for the system's skill.
ROLE_WORDS: Final = frozenset(
    {"superbruger", "superbrugere", "superuser", "superusers", "nøglebruger", "nøglebrugere"}
)
_ROLE_PAIRS: Final = re.compile(r"\b(?:super|key|power|end)\s+users?\b")
#: An acronym in the plural or Danish definite form: AGVs, PLC's, PLC'er, PLC'erne.
_ACRONYM_INFLECTED: Final = re.compile(r"\b([A-Z]{2,6})(?:['’]?s|['’](?:er|erne|en|ne))\b")


def phrase_rewrites(text: str) -> list[str]:
    """Normalised readings of a phrase with the words that say how a skill is used made plain.

    Acronym plurals lose their ending (``AGVs`` → ``agv``), a role word goes (``SAP
    superbruger`` → ``sap``), a product word at the end goes (``spreadsheets software``), a
    generic verb at the front goes (``use``, ``operate``), and a verb whose noun names the
    skill moves behind its object (``maintain robotic equipment`` → ``robotic maintenance``).
    Only phrases of at most :data:`REWRITE_WORDS` words (labels, not sentences) are read again,
    and only readings that differ from :func:`normalise` and keep a word are returned.

    >>> phrase_rewrites("Maintain robotic equipment"), phrase_rewrites("AGVs")
    (['robotic maintenance'], ['agv'])
    """
    base = normalise(text)
    words = normalise(_ACRONYM_INFLECTED.sub(r"\1", text)).split()
    words = _ROLE_PAIRS.sub(" ", " ".join(words)).split()
    words = [word for word in words if word not in ROLE_WORDS] or words
    while len(words) > 1 and words[-1] in PRODUCT_WORDS:
        words = words[:-1]
    if len(words) > REWRITE_WORDS:  # a sentence, not a label: its verbs carry meaning
        words = []
    elif len(words) > 1 and words[0] in GENERIC_VERBS:
        words = words[1:]
    elif len(words) > 1 and words[0] in NOMINAL_VERBS:
        words = [*words[1:], NOMINAL_VERBS[words[0]]]
        while len(words) > 2 and words[-2] in PRODUCT_WORDS:
            words = [*words[:-2], words[-1]]
    rewritten = " ".join(words)
    return [rewritten] if rewritten and rewritten != base else []
