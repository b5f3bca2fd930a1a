"""ESCO CSV downloads (skills, collections, occupations, relations) read by column name, in any language."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Final

import pandas as pd
from rapidfuzz import fuzz, process

from skills.errors import InputError, Problem
from skills.io_csv import decode_text
from skills.mapping import normalise
from skills.schemas import ESCO_PATTERN, validate

ESCO_SKILL_PREFIX: Final = "esco_"
_UUID = re.compile(
    r"([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})$"
)
_LANGUAGE = re.compile(r"_([a-z]{2})(?:-[a-z]+)?\.csv$", re.IGNORECASE)

#: Columns each ESCO file kind must have (read by name; other columns are ignored).
REQUIRED_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "esco-skills": ("conceptUri", "preferredLabel"),
    "esco-occupations": ("conceptUri", "preferredLabel"),
    "esco-relations": ("relationType",),
}

#: ``conceptType`` values each kind reads (ESCO writes them in English in every language).
CONCEPT_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "esco-skills": ("KnowledgeSkillCompetence",),
    "esco-occupations": ("Occupation", "ISCOGroup"),
}
#: What to tell a user whose file holds concepts of another type.
_OTHER_CONCEPT_TYPES: Final[dict[str, str]] = {
    "KnowledgeSkillCompetence": "ESCO skills: import it as esco-skills",
    "Occupation": "ESCO occupations: import it as esco-occupations",
    "ISCOGroup": "ISCO groups: import it as esco-occupations",
    "SkillGroup": "ESCO skill groups, which vetplan does not import",
}
#: Columns and types of :func:`propose_esco_links`' result, also when it is empty.
LINK_COLUMNS: Final[dict[str, str]] = {
    "skill_id": "string",
    "label": "string",
    "esco_uri": "string",
    "esco_label": "string",
    "score": "Float64",
    "method": "string",
}

#: Group rules, tried in order: the first group with a keyword in the label (or broader labels) wins.
GROUP_KEYWORDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    (
        "automation_robotics",
        (
            "robot",
            "automation",
            "automat",
            "plc",
            "programmable logic",
            "mechatronic",
            "control system",
            "sensor",
            "actuator",
            "scada",
            "cobot",
            "industrial control",
        ),
    ),
    (
        "green_sustainability",
        (
            "energy",
            "waste",
            "environment",
            "sustainab",
            "recycl",
            "emission",
            "circular",
            "carbon",
            "renewable",
            "pollution",
            "green",
        ),
    ),
    (
        "digital_data",
        (
            "software",
            "data",
            "digital",
            "computer",
            "ict",
            "programming",
            "database",
            "cyber",
            "cloud",
            "network",
            "internet",
            "web ",
            "algorithm",
            "machine learning",
            "artificial intelligence",
            "simulation",
            "cad ",
            "cad/",
            "3d model",
        ),
    ),
    (
        "lean_quality",
        (
            "quality",
            "lean",
            "inspection",
            "six sigma",
            "kaizen",
            "iso ",
            "audit",
            "standard",
            "continuous improvement",
            "defect",
        ),
    ),
    (
        "production_technology",
        (
            "machine",
            "machin",
            "weld",
            "cnc",
            "assembl",
            "manufactur",
            "metal",
            "production",
            "tool",
            "maintenance",
            "mechanical",
            "electrical",
            "hydraulic",
            "pneumatic",
            "fabricat",
            "casting",
            "mould",
            "additive",
            "3d print",
            "plastic",
        ),
    ),
    (
        "servitisation_business",
        (
            "customer",
            "sales",
            "business",
            "service",
            "market",
            "contract",
            "finance",
            "procure",
            "supply chain",
            "logistic",
            "budget",
            "client",
        ),
    ),
)


def esco_skill_id(uri: str) -> str:
    """Our skill id for an ESCO concept: ``esco_`` + the first 12 hex digits of its UUID (stable).

    >>> esco_skill_id("http://data.europa.eu/esco/skill/000f1d3d-220f-4789-9c0a-cc742521fb02")
    'esco_000f1d3d220f'
    """
    found = _UUID.search(str(uri).strip())
    if found is None:
        msg = f"not an ESCO concept URI with a UUID: {uri!r}"
        raise ValueError(msg)
    return ESCO_SKILL_PREFIX + "".join(found.groups()).lower()[:12]


def file_language(name: str) -> str:
    """Language of an ESCO download from its name (``skills_da.csv`` → ``da``); ``en`` when the name does not say."""
    found = _LANGUAGE.search(name)
    return found.group(1).lower() if found else "en"


def split_labels(cell: object) -> list[str]:
    """Labels of one ESCO cell: one per line in the main files, `` | ``-separated in collections."""
    if not isinstance(cell, str) or not cell.strip():
        return []
    parts = re.split(r"\r?\n| \| ", cell)
    return list(dict.fromkeys(part.strip().replace("|", "/") for part in parts if part.strip()))


def assign_group(label: str, broader: str = "", reuse_level: str = "", collection: str = "") -> str:
    """The skill group of an ESCO skill, by a documented rule.

    1. ``reuseLevel`` *transversal* (or a transversal/language collection) → ``transversal``;
    2. the first group of :data:`GROUP_KEYWORDS` with a keyword in the label, then in the
       broader concepts' labels (automation before green before digital ...);
    3. the collection: green → ``green_sustainability``, digital/DigComp → ``digital_data``;
    4. otherwise ``transversal``.
    """
    collection = collection.lower()
    if (
        reuse_level.strip().lower() == "transversal"
        or "transversal" in collection
        or "language" in collection
    ):
        return "transversal"
    for text in (label, broader):
        lowered = f" {text.lower()} "
        for group, keywords in GROUP_KEYWORDS:
            if any(keyword in lowered for keyword in keywords):
                return group
    if "green" in collection:
        return "green_sustainability"
    if "digital" in collection or "digcomp" in collection:
        return "digital_data"
    return "transversal"


def _check_row_widths(text: str, name: str) -> None:
    """Refuse rows with more cells than the header has columns, naming each row (pandas would shift them)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    problems = [
        Problem(
            f"the row has {len(record)} cells; the header has {len(header)} columns",
            file=name,
            row=reader.line_num,
            value=record[len(header)][:100],
        )
        for record in reader
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header):])
    ]
    if problems:
        msg = f"{name}: {len(problems)} row(s) have more cells than the header has columns"
        raise InputError(msg, problems)


def read_esco_csv(data: bytes, name: str, kind: str) -> pd.DataFrame:
    """Read an ESCO CSV (UTF-8, comma, quoted multi-line cells) as text, checking the columns it needs."""
    text, _ = decode_text(data, name)
    _check_row_widths(text, name)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            index_col=False,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as error:
        message = f"is not a readable ESCO CSV file ({error})"
        raise InputError(f"{name}: {message}", [Problem(message, file=name)]) from None
    frame.columns = [str(column).strip().lstrip("\ufeff") for column in frame.columns]
    if kind == "esco-relations":
        is_occupation = {"occupationUri", "skillUri"} <= set(frame.columns)
        is_skill = {"originalSkillUri", "relatedSkillUri"} <= set(frame.columns)
        if not (is_occupation or is_skill):
            message = "is not an ESCO relations file: it needs occupationUri and skillUri (or originalSkillUri and relatedSkillUri)"
            raise InputError(f"{name}: {message}", [Problem(message, file=name)])
    missing = [column for column in REQUIRED_COLUMNS[kind] if column not in frame.columns]
    if missing:
        problems = [
            Problem(f"required ESCO column {column!r} is missing", file=name, column=column)
            for column in missing
        ]
        msg = f"{name}: not an ESCO {kind.removeprefix('esco-')} file"
        raise InputError(msg, problems)
    _check_concept_types(frame, name, kind)
    return frame


def _check_concept_types(frame: pd.DataFrame, name: str, kind: str) -> None:
    """Refuse a file whose ``conceptType`` says it holds other concepts (occupations read as skills ...).

    Raises
    ------
    InputError
        Naming the types found and the kind to import the file as.
    """
    accepted = CONCEPT_TYPES.get(kind)
    if accepted is None or "conceptType" not in frame.columns:
        return
    found = frame["conceptType"].str.strip()
    other = sorted(set(found[(found != "") & ~found.isin(accepted)]))
    if not other:
        return
    named = ", ".join(f"{value} ({_OTHER_CONCEPT_TYPES[value]})" if value in _OTHER_CONCEPT_TYPES else value for value in other)
    message = f"is not an ESCO {kind.removeprefix('esco-')} file: column conceptType holds {named}, not {' or '.join(accepted)}"
    raise InputError(f"{name}: {message}", [Problem(message, file=name, column="conceptType")])


@dataclass
class EscoResult:
    """Tables read from one ESCO file, and what was worth saying about it."""

    tables: dict[str, pd.DataFrame]
    rows_read: int
    problems: list[Problem]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series("", index=frame.index, dtype=object)


def esco_skills_table(frame: pd.DataFrame, name: str) -> EscoResult:
    """ESCO skills (main file or a collection) as our ``skills`` table.

    ``skill_id`` from the URI (:func:`esco_skill_id`); ``label`` the preferred label
    (also ``label_da`` when the file is Danish); ``aliases`` the alternative labels
    joined with ``|``; ``group`` by :func:`assign_group`. Concepts not ``released``
    are left out (counted in a warning).
    """
    language = file_language(name)
    problems: list[Problem] = []
    status = _column(frame, "status").str.strip().str.lower()
    keep = (status == "") | (status == "released")
    dropped = int((~keep).sum())
    if dropped:
        problems.append(
            Problem(
                f"{dropped} concept(s) not released were left out",
                file=name,
                table="skills",
                severity="warning",
            )
        )
    kept = frame.loc[keep]
    rows = pd.Series(kept.index + 2, index=kept.index)
    uris = kept["conceptUri"].str.strip()
    ids = uris.map(lambda uri: esco_skill_id(uri) if _UUID.search(uri) else None)
    for index in kept.index[ids.isna()]:
        problems.append(
            Problem(
                "conceptUri has no UUID",
                file=name,
                table="skills",
                row=int(rows[index]),
                column="conceptUri",
                value=str(uris[index]),
            )
        )
    labels = kept["preferredLabel"].str.strip().str.replace("|", "/", regex=False)
    aliases = _column(kept, "altLabels").map(lambda cell: "|".join(split_labels(cell)) or None)
    broader = _column(kept, "broaderConceptPT").fillna("")
    reuse = _column(kept, "reuseLevel").fillna("")
    groups = [
        assign_group(label, str(wider), str(level), name)
        for label, wider, level in zip(labels, broader, reuse, strict=True)
    ]
    skills = pd.DataFrame(
        {
            "skill_id": ids,
            "label": labels,
            "label_da": labels if language == "da" else None,
            "group": groups,
            "aliases": aliases,
            "esco_uri": uris,
            "description": _column(kept, "description").str.strip().replace("", None),
        }
    )
    if problems and any(p.severity == "error" for p in problems):
        return EscoResult({}, len(frame), problems)
    try:
        typed, warnings = validate("skills", skills, file=name, row_numbers=rows)
    except InputError as error:
        return EscoResult({}, len(frame), problems + error.problems)
    return EscoResult({"skills": typed}, len(frame), problems + warnings)


def esco_occupations_table(frame: pd.DataFrame, name: str) -> EscoResult:
    """ESCO occupations as a frame: ``occupation_uri``, ``label``, ``isco_code``, ``code``, ``aliases``, ``description``."""
    rows = pd.Series(frame.index + 2, index=frame.index)
    uris = frame["conceptUri"].str.strip()

    def flagged(mask: pd.Series, message: str) -> list[Problem]:
        return [
            Problem(
                message,
                file=name,
                table="esco_occupations",
                row=int(rows[index]),
                column="conceptUri",
                value=str(uris[index]),
            )
            for index in frame.index[mask]
        ]

    problems = flagged(~uris.str.fullmatch(ESCO_PATTERN), "conceptUri is not an ESCO URI")
    occupations = pd.DataFrame(
        {
            "occupation_uri": uris,
            "label": frame["preferredLabel"].str.strip(),
            "isco_code": _column(frame, "iscoGroup").str.strip(),
            "code": _column(frame, "code").str.strip(),
            "aliases": _column(frame, "altLabels").map(
                lambda cell: "|".join(split_labels(cell)) or None
            ),
            "description": _column(frame, "description").str.strip(),
        }
    )
    problems += flagged(occupations["occupation_uri"].duplicated(), "duplicate conceptUri")
    if problems:
        return EscoResult({}, len(frame), problems)
    return EscoResult({"esco_occupations": occupations.reset_index(drop=True)}, len(frame), [])


def esco_relations_table(frame: pd.DataFrame, name: str) -> EscoResult:
    """Occupation–skill (4 or 6 columns) or skill–skill relations, as a long frame.

    Columns: ``source_uri`` (occupation or original skill), ``relation_type``
    (essential/optional), ``skill_type``, ``skill_uri``, ``skill_id`` (our id).
    """
    if "occupationUri" in frame.columns:
        source, target, kind = (
            frame["occupationUri"],
            frame["skillUri"],
            _column(frame, "skillType"),
        )
    else:
        source, target, kind = (
            frame["originalSkillUri"],
            frame["relatedSkillUri"],
            _column(frame, "relatedSkillType"),
        )
    rows = pd.Series(frame.index + 2, index=frame.index)
    relations = pd.DataFrame(
        {
            "source_uri": source.str.strip(),
            "relation_type": frame["relationType"].str.strip().str.lower(),
            "skill_type": kind.str.strip(),
            "skill_uri": target.str.strip(),
        }
    )
    problems: list[Problem] = []
    header = {"source_uri": str(source.name), "skill_uri": str(target.name)}  # the file's own column names
    for column in ("source_uri", "skill_uri"):
        bad = ~relations[column].str.fullmatch(ESCO_PATTERN)
        if column == "skill_uri":
            # a skill's id comes from the UUID its URI ends in
            bad |= ~relations[column].map(lambda uri: _UUID.search(uri) is not None).astype(bool)
        for index in frame.index[bad]:
            problems.append(
                Problem(
                    "not an ESCO URI" if column == "source_uri" else "not an ESCO skill URI ending in the concept's UUID",
                    file=name,
                    table="esco_relations",
                    row=int(rows[index]),
                    column=header[column],
                    value=str(relations.at[index, column]),
                )
            )
    bad_type = ~relations["relation_type"].isin(["essential", "optional"])
    for index in frame.index[bad_type]:
        problems.append(
            Problem(
                "relationType must be essential or optional",
                file=name,
                table="esco_relations",
                row=int(rows[index]),
                column="relationType",
                value=str(relations.at[index, "relation_type"]),
            )
        )
    if problems:
        return EscoResult({}, len(frame), problems)
    relations["skill_id"] = relations["skill_uri"].map(esco_skill_id)
    return EscoResult({"esco_relations": relations.reset_index(drop=True)}, len(frame), [])


def read_esco(data: bytes, name: str, kind: str) -> EscoResult:
    """Read one ESCO download of ``kind`` (``esco-skills``, ``esco-occupations``, ``esco-relations``)."""
    frame = read_esco_csv(data, name, kind)
    if kind == "esco-skills":
        return esco_skills_table(frame, name)
    if kind == "esco-occupations":
        return esco_occupations_table(frame, name)
    return esco_relations_table(frame, name)


def propose_esco_links(
    taxonomy: pd.DataFrame,
    esco_skills: pd.DataFrame,
    *,
    threshold: float = 90.0,
) -> pd.DataFrame:
    """Propose an ``esco_uri`` for each of our skills that lacks one, by label and alias match.

    A link is a claim that two concepts are the same, so the rule is stricter than the
    phrase matcher (no "name inside a longer phrase"):

    1. our English label equals an ESCO preferred label (score 100, ``label``);
    2. our label equals an ESCO alternative label (95, ``alt_label``);
    3. one of our aliases equals an ESCO preferred label (92, ``alias``);
    4. our label is close to an ESCO preferred label as a whole (``token_sort_ratio``,
       at least ``threshold``; ``fuzzy``).

    Names shared by several ESCO concepts are skipped. Proposals are for review.

    Parameters
    ----------
    taxonomy
        Our ``skills`` table (flat or indexed by ``skill_id``).
    esco_skills
        ESCO skills as a ``skills`` table (see :func:`esco_skills_table`), with ``esco_uri``.

    Returns
    -------
    pandas.DataFrame
        ``skill_id``, ``label``, ``esco_uri``, ``esco_label``, ``score``, ``method``
        (:data:`LINK_COLUMNS`: text columns as ``string``, ``score`` as ``Float64``, also
        when no skill gets a proposal); one row per skill that gets a proposal.
    """
    ours = taxonomy.reset_index() if "skill_id" not in taxonomy.columns else taxonomy
    esco = esco_skills.reset_index() if "skill_id" not in esco_skills.columns else esco_skills
    preferred: dict[str, set[int]] = {}
    alternative: dict[str, set[int]] = {}
    for position, (label, aliases) in enumerate(zip(esco["label"], esco["aliases"], strict=True)):
        preferred.setdefault(normalise(label), set()).add(position)
        for alias in str(aliases).split("|") if isinstance(aliases, str) else []:
            alternative.setdefault(normalise(alias), set()).add(position)
    choices = list(preferred)

    def unique(found: set[int] | None) -> int | None:
        return next(iter(found)) if found is not None and len(found) == 1 else None

    has_uri = (
        ours["esco_uri"].notna() & (ours["esco_uri"].astype("string").str.strip() != "")
        if "esco_uri" in ours
        else pd.Series(False, index=ours.index)
    )
    records: list[dict[str, object]] = []
    for record in ours.loc[~has_uri].to_dict("records"):
        label = normalise(record.get("label"))
        aliases = [
            normalise(alias)
            for alias in str(record.get("aliases") or "").split("|")
            if alias.strip()
        ]
        proposal: tuple[int, float, str] | None = None
        as_label = unique(preferred.get(label))
        as_alternative = unique(alternative.get(label))
        if as_label is not None:
            proposal = (as_label, 100.0, "label")
        elif as_alternative is not None:
            proposal = (as_alternative, 95.0, "alt_label")
        else:
            hits = {hit for alias in aliases if (hit := unique(preferred.get(alias))) is not None}
            if len(hits) == 1:
                proposal = (hits.pop(), 92.0, "alias")
            elif label and choices:
                best = process.extractOne(
                    label, choices, scorer=fuzz.token_sort_ratio, score_cutoff=threshold
                )
                close = unique(preferred[best[0]]) if best is not None else None
                if best is not None and close is not None:
                    proposal = (close, round(float(best[1]), 1), "fuzzy")
        if proposal is not None:
            position, score, method = proposal
            records.append(
                {
                    "skill_id": record["skill_id"],
                    "label": record.get("label"),
                    "esco_uri": esco["esco_uri"].iloc[position],
                    "esco_label": esco["label"].iloc[position],
                    "score": score,
                    "method": method,
                }
            )
    return pd.DataFrame.from_records(records, columns=list(LINK_COLUMNS)).astype(LINK_COLUMNS)
