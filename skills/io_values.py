"""Cell values as users type them: header names and synonyms, locale numbers, English/Danish words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import pandas as pd

from skills.levels import parse_level

TEMPLATE_VERSION: Final = "2"
#: Defined name (and instructions-sheet cell label) that carries the template version.
TEMPLATE_VERSION_NAME: Final = "vetplan_template_version"

#: Danish and English synonyms of column names, keyed by the canonical column.
#: Keys and synonyms are in normalised form (see :func:`normalise_header`).
HEADER_SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "company_id": (
        "company_code",
        "cvr",
        "cvr_nr",
        "cvr_nummer",
        "virksomheds_id",
        "virksomhed_id",
    ),
    "name": ("company_name", "navn", "virksomhedsnavn", "virksomhed"),
    "company_name": ("name", "navn", "virksomhedsnavn", "virksomhed"),
    "region": ("nuts", "nuts_code", "region_code", "regionskode"),
    "sector": ("nace", "nace_code", "branche", "branchekode", "sektor"),
    "employees": (
        "ansatte",
        "antal_ansatte",
        "medarbejdere",
        "antal_medarbejdere",
        "employee_count",
    ),
    "skill": ("skill_id", "skill_name", "kompetence", "færdighed"),
    "role": ("rolle", "stilling", "isco"),
    "headcount": ("antal", "antal_personer", "persons"),
    "current_level": ("nuværende_niveau", "niveau_i_dag", "current"),
    "required_level": ("krævet_niveau", "ønsket_niveau", "target_level", "required"),
    "needed_by": ("year", "år", "behov_år", "senest"),
    "priority": ("prioritet",),
    "course_id": ("kursus_id", "kursusnummer", "kursusnr", "amu_nr", "amu_nummer"),
    "title": ("titel", "kursustitel", "course_title"),
    "provider": ("udbyder", "skole"),
    "mode": ("form", "undervisningsform", "delivery"),
    "hours": ("timer",),
    "cost_per_participant": ("pris_per_deltager", "deltagerpris", "deltagerbetaling"),
    "fixed_cost_per_run": ("fast_omkostning_per_hold", "holdomkostning"),
    "min_participants": ("min_deltagere", "minimum_deltagere"),
    "max_participants": ("max_deltagere", "maksimum_deltagere"),
    "max_runs_per_year": ("max_hold_per_år",),
    "language": ("sprog",),
    "level": ("niveau", "slutniveau"),
    "entry_level": ("startniveau", "adgangsniveau"),
    "occupation": ("erhverv", "stillingsbetegnelse"),
    "hires_available_per_year": ("hires_per_year", "ansættelser_per_år"),
    "cost_per_hire": ("pris_per_ansættelse", "rekrutteringsomkostning"),
    "lead_time_months": ("lead_time", "måneder_til_ansættelse"),
    "balance": ("arbejdsmarkedsbalance",),
    "label": ("navn", "label_en", "engelsk_navn"),
    "label_da": ("dansk_navn", "label_dansk"),
    "group": ("gruppe", "skill_group"),
    "aliases": ("alias", "synonymer"),
    "esco_uri": ("esco",),
    "description": ("beskrivelse", "description_en"),
    "description_da": ("dansk_beskrivelse", "beskrivelse_da"),
}

PRIORITY_WORDS: Final[dict[str, str]] = {
    "high": "high", "høj": "high", "hoej": "high", "medium": "medium", "middel": "medium",
    "mellem": "medium", "low": "low", "lav": "low",
}  # fmt: skip
MODE_WORDS: Final[dict[str, str]] = {
    "in-person": "in-person", "in person": "in-person", "classroom": "in-person",
    "fremmøde": "in-person", "tilstedeværelse": "in-person", "online": "online",
    "e-learning": "online", "fjernundervisning": "online", "blended": "blended",
    "hybrid": "blended", "kombineret": "blended",
}  # fmt: skip
BALANCE_WORDS: Final[dict[str, str]] = {
    "shortage": "shortage", "mangel": "shortage", "balanced": "balanced", "balance": "balanced",
    "i balance": "balanced", "surplus": "surplus", "overskud": "surplus",
}  # fmt: skip
#: column -> words accepted for it (canonical value on the right)
WORD_COLUMNS: Final[dict[str, Mapping[str, str]]] = {
    "priority": PRIORITY_WORDS,
    "mode": MODE_WORDS,
    "balance": BALANCE_WORDS,
}
LEVEL_COLUMNS: Final = ("current_level", "required_level", "level", "entry_level")

_SEPARATORS = re.compile(r"[^0-9a-zæøåäöüé]+")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def normalise_header(text: object) -> str:
    """A header cell in comparable form: lower case, units in brackets dropped, ``_`` between words.

    >>> normalise_header(" Current level (0-4) "), normalise_header("Antal-ansatte")
    ('current_level', 'antal_ansatte')
    """
    if text is None:
        return ""
    cleaned = unicodedata.normalize("NFC", str(text)).replace("\ufeff", "").strip().lower()
    cleaned = _BRACKETS.sub(" ", cleaned)
    return _SEPARATORS.sub("_", cleaned).strip("_")


def header_lookup(columns: Iterable[str]) -> dict[str, str]:
    """Normalised header -> canonical column, for the canonical ``columns`` of one table.

    Canonical names win over synonyms; a synonym that two columns share is not used
    (it would be a guess).
    """
    wanted = list(columns)
    lookup: dict[str, str] = {}
    claimed: dict[str, list[str]] = {}
    for name in wanted:
        for synonym in HEADER_SYNONYMS.get(name, ()):
            claimed.setdefault(normalise_header(synonym), []).append(name)
    for synonym, owners in claimed.items():
        if len(owners) == 1:
            lookup[synonym] = owners[0]
    for name in wanted:
        lookup[normalise_header(name)] = name
    return lookup


def normalise_word(text: object) -> str:
    """Lower-case, trimmed, single-spaced text of a cell (empty for blanks)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).lower()


def translate_words(series: pd.Series, words: Mapping[str, str]) -> pd.Series:
    """Replace English/Danish words by the canonical value; other cells are kept as typed.

    Works on the distinct values only, so it is cheap on long columns.
    """
    return map_cells(series, lambda value: words.get(normalise_word(value), value))


def translate_levels(series: pd.Series) -> pd.Series:
    """Levels written as names (``avanceret``, ``basic``) become numbers; unknown text is kept."""

    def level_or_text(value: object) -> object:
        level = parse_level(value)
        return value if level is None else level

    return map_cells(series, level_or_text)


# --- numbers -----------------------------------------------------------------------------------

_CURRENCY = re.compile(r"^(?:€|eur|dkk|kr\.?)\s*|\s*(?:€|eur|dkk|kr\.?)$", re.IGNORECASE)
_SPACE_GROUPS = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?$")
_POINT_STYLE = re.compile(r"^[+-]?(?:[1-9]\d{0,2}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_COMMA_STYLE = re.compile(r"^[+-]?(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,\d+)?$")
_POINT_STYLE_PATTERN = _POINT_STYLE.pattern
_COMMA_STYLE_PATTERN = _COMMA_STYLE.pattern
_HAS_SEPARATOR = r"[.,]"


@dataclass(frozen=True)
class ParsedNumbers:
    """Numbers read from one column: values (NaN where blank or bad) and a message per bad cell."""

    values: pd.Series
    errors: pd.Series  # message text where the cell is not a usable number, <NA> elsewhere


def _clean_number_text(text: pd.Series) -> pd.Series:
    cleaned = text.str.strip().str.replace(_CURRENCY, "", regex=True).str.strip()
    spaced = cleaned.str.fullmatch(_SPACE_GROUPS.pattern).fillna(False).astype(bool)
    cleaned = cleaned.where(~spaced, cleaned.str.replace(r"[ \u00a0\u202f]", "", regex=True))
    return cleaned


def _text_cells(series: pd.Series) -> pd.Series:
    """The cells of ``series`` that are text (CSV cells, or text typed into Excel number columns)."""
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return series.dropna().astype(str)
    is_text = series.map(lambda value: isinstance(value, str))
    return series[is_text.astype(bool)].astype(str)


def decimal_evidence(columns: Iterable[pd.Series]) -> tuple[int, int]:
    """Count cells that can only be read with a decimal comma, and with a decimal point.

    ``3,5`` and ``1.250,5`` are comma evidence; ``3.5`` and ``1,250.5`` point evidence;
    ``1.250`` (thousands or decimals?) and ``1250`` are neither.
    """
    comma = point = 0
    for series in columns:
        text = _text_cells(series)
        if text.empty:
            continue
        distinct = pd.Series(pd.unique(_clean_number_text(text)), dtype=object).astype(str)
        as_point = distinct.str.fullmatch(_POINT_STYLE_PATTERN)
        as_comma = distinct.str.fullmatch(_COMMA_STYLE_PATTERN)
        comma += int((as_comma & ~as_point).sum())
        point += int((as_point & ~as_comma).sum())
    return comma, point


def choose_decimal_mark(evidence: tuple[int, int], default: str | None) -> str | None:
    """The decimal mark of a file: ``","``, ``"."`` or ``None`` (undecided: cells that read two ways are errors).

    ``default`` is the separator's convention (``","`` for ``;`` files, ``"."`` for ``,``
    files, ``None`` for tab and Excel). Cells that can only be read one way are the
    evidence: evidence of one kind decides when there is no convention or it agrees;
    evidence against the convention leaves the mark undecided, so that ``1.250`` in a
    ``;`` file full of ``3.5`` is reported rather than read as either 1250 or 1.25.
    """
    comma, point = evidence
    found = "," if comma and not point else "." if point and not comma else None
    if found is None:
        return default
    if default is None or default == found:
        return found
    return None


def parse_numbers(series: pd.Series, decimal_mark: str | None) -> ParsedNumbers:
    """Read a column of numbers typed as numbers or as text in English or Danish style.

    Parameters
    ----------
    series
        Raw cells: Python numbers (Excel) and/or text (CSV, or text in Excel).
    decimal_mark
        ``","`` (``1.250`` = 1250, ``3,5`` = 3.5), ``"."`` (``1,250`` = 1250, ``3.5``),
        or ``None`` when the file does not say: then a cell that reads two ways is an error.

    Returns
    -------
    ParsedNumbers
        Float values (NaN for blanks and bad cells) and an error message per bad cell.

    Examples
    --------
    >>> parsed = parse_numbers(pd.Series(["1.250", "3,5", "", "1.5"]), ",")
    >>> parsed.values.tolist()[:2], parsed.errors.notna().tolist()
    ([1250.0, 3.5], [False, False, False, True])
    """
    values = pd.Series(float("nan"), index=series.index, dtype="float64")
    errors = pd.Series(pd.NA, index=series.index, dtype="string")
    if series.empty:
        return ParsedNumbers(values, errors)

    present = series.notna()
    if series.dtype == object:
        is_text = series.map(lambda value: isinstance(value, str)).astype(bool)
        is_bool = series.map(lambda value: isinstance(value, bool)).astype(bool)
        is_number = series.map(
            lambda value: isinstance(value, int | float) and not isinstance(value, bool)
        ).astype(bool)
    elif pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    ):
        is_text = pd.Series(False, index=series.index)
        is_bool = pd.Series(False, index=series.index)
        is_number = present
    else:
        is_text = present
        is_bool = pd.Series(False, index=series.index)
        is_number = pd.Series(False, index=series.index)

    numbers = pd.to_numeric(series[is_number], errors="coerce").astype("float64")
    values[is_number] = numbers
    other = present & ~is_text & ~is_number
    other = other | is_bool
    errors[other] = "must be a number"

    if is_text.any():
        text = _clean_number_text(series[is_text].astype(str))
        blank = text == ""
        as_point = text.str.fullmatch(_POINT_STYLE_PATTERN).astype(bool)
        as_comma = text.str.fullmatch(_COMMA_STYLE_PATTERN).astype(bool)
        has_separator = text.str.contains(_HAS_SEPARATOR, regex=True).astype(bool)
        point_value = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
        comma_value = pd.to_numeric(
            text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False),
            errors="coerce",
        )
        if decimal_mark == ",":
            read = comma_value.where(as_comma)
            ambiguous = ~as_comma & as_point
            message = "ambiguous number: this file writes decimals with a comma (3,5) and thousands with a point (1.250)"
        elif decimal_mark == ".":
            read = point_value.where(as_point)
            ambiguous = ~as_point & as_comma
            message = "ambiguous number: this file writes decimals with a point (3.5) and thousands with a comma (1,250)"
        else:
            both = as_point & as_comma
            read = point_value.where(as_point & ~as_comma).fillna(
                comma_value.where(as_comma & ~as_point)
            )
            read = read.where(~both | ~has_separator, float("nan")).fillna(
                point_value.where(both & ~has_separator)
            )
            ambiguous = both & has_separator
            message = "ambiguous number: it reads as thousands or as decimals; write it without separators (1250) or with an unambiguous decimal"
        values[text.index] = read.astype("float64")
        bad_text = ~blank & read.isna()
        text_errors = pd.Series(pd.NA, index=text.index, dtype="string")
        text_errors[bad_text] = "must be a number"
        text_errors[bad_text & ambiguous] = message
        errors[text.index] = text_errors
    return ParsedNumbers(values, errors)


def _text_of(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if pd.isna(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") or len(text) == 10 else text
    return str(value).strip() or None


def text_cells(series: pd.Series) -> pd.Series:
    """Cells as text the way a user reads them: ``48911`` not ``48911.0``, dates as ISO, blanks as None."""
    return map_cells(series, _text_of)


def map_cells(series: pd.Series, function: Callable[[object], object]) -> pd.Series:
    """Apply ``function`` to the non-blank cells; on text-only columns once per distinct value.

    Mixed columns (Excel numbers next to text) are mapped cell by cell, because
    ``1``, ``1.0`` and ``True`` would collide as dictionary keys.
    """
    series = series.astype(object)
    present = series.notna()
    values = series[present]
    if values.map(lambda value: isinstance(value, str)).all():
        table = {value: function(value) for value in pd.unique(values)}
        mapped = values.map(table)
    else:
        mapped = values.map(function)
    result = pd.Series(None, index=series.index, dtype=object)
    result[present] = mapped.astype(object)
    return result
