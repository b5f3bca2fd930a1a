"""The 0–4 proficiency scale shared by surveys, courses and the optimiser."""

from __future__ import annotations

from typing import Final

MIN_LEVEL: Final = 0
MAX_LEVEL: Final = 4

#: level -> (English name, Danish name, descriptor)
LEVELS: Final[dict[int, tuple[str, str, str]]] = {
    0: ("none", "ingen", "Has not met the skill at work."),
    1: ("basic", "grundlæggende", "Performs simple tasks with the skill under supervision."),
    2: ("independent", "selvstændig", "Performs routine tasks with the skill without help."),
    3: ("advanced", "avanceret", "Handles non-routine problems and adapts the methods."),
    4: ("expert", "ekspert", "Improves practice, trains others and sets standards."),
}


def level_name(level: int, language: str = "en") -> str:
    """Return the name of ``level`` in English (``"en"``) or Danish (``"da"``).

    >>> level_name(2), level_name(2, "da")
    ('independent', 'selvstændig')
    """
    english, danish, _ = LEVELS[level]
    return danish if language == "da" else english


def parse_level(text: object) -> int | None:
    """Read a level written as a number (``"3"``, ``3.0``) or a name in English or Danish.

    Returns ``None`` when ``text`` is not a level.

    >>> parse_level("Avanceret"), parse_level(" 2 "), parse_level("lots")
    (3, 2, None)
    """
    if isinstance(text, bool) or text is None:
        return None
    if isinstance(text, int | float):
        as_float = float(text)
        if as_float.is_integer() and MIN_LEVEL <= as_float <= MAX_LEVEL:
            return int(as_float)
        return None
    cleaned = str(text).strip().lower()
    if not cleaned:
        return None
    try:
        as_float = float(cleaned.replace(",", "."))
    except ValueError:
        for level, (english, danish, _) in LEVELS.items():
            if cleaned in (english, danish):
                return level
        return None
    return parse_level(as_float)
