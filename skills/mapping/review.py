"""The review queue's pure transitions: queued rows, accepted or set skills, new skills, learned aliases."""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, Final

import pandas as pd

from skills.errors import InputError, Problem
from skills.mapping.index import Matcher
from skills.mapping.matching import match_many
from skills.mapping.text import normalise
from skills.schemas import get_table, validate

#: Columns of a review-queue row, as the store keeps them (``mapping_queue``).
QUEUE_COLUMNS: Final = (
    "phrase",
    "table_name",
    "suggestion",
    "score",
    "source_file",
    "source_row",
    "row_json",
)


def alias_key(phrase: object) -> str:
    """The key a learned alias is stored under (the store's convention: trimmed, case-folded)."""
    return "" if phrase is None else str(phrase).strip().casefold()


def queue_rows(
    pending: pd.DataFrame,
    *,
    table: str,
    column: str = "skill",
    file: str = "",
    row_numbers: pd.Series | None = None,
) -> pd.DataFrame:
    """Review-queue rows (the store's columns) for typed rows whose skill is still a phrase.

    ``pending`` holds the typed rows of ``table`` (skill column = the phrase) plus
    ``suggestion`` and ``score``; each queue row keeps the whole row as JSON.
    """
    columns = get_table(table).columns
    records = (
        pending[columns].astype(object).where(pending[columns].notna(), None).to_dict("records")
    )
    rows = (
        row_numbers.reindex(pending.index)
        if row_numbers is not None
        else pd.Series(pd.NA, index=pending.index)
    )
    return pd.DataFrame(
        {
            "phrase": pending[column].astype("string").to_numpy(),
            "table_name": table,
            "suggestion": pending["suggestion"]
            .astype(object)
            .where(pending["suggestion"].notna(), None)
            .to_numpy(),
            "score": pending["score"].astype("float64").to_numpy(),
            "source_file": file,
            "source_row": rows.astype("Int64").to_numpy(),
            "row_json": [
                json.dumps(_plain_record(record), ensure_ascii=False, sort_keys=True)
                for record in records
            ],
        },
        columns=list(QUEUE_COLUMNS),
    )


def _plain_record(record: Mapping[Hashable, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for key, value in record.items():
        if value is None or (isinstance(value, float) and pd.isna(value)):
            plain[str(key)] = None
        elif hasattr(value, "item"):
            plain[str(key)] = value.item()
        else:
            plain[str(key)] = value
    return plain


def resolve_row(
    item: Mapping[str, Any], skill_id: str, known_skills: Iterable[str]
) -> dict[str, pd.DataFrame]:
    """The typed row a review decision stores: the queued row with its skill set to ``skill_id``.

    Used for ``mapping accept`` (``skill_id`` = the suggestion) and ``mapping set``.
    Raises :class:`InputError` when ``skill_id`` is not in the taxonomy or the row no
    longer validates. Returns ``{table_name: one-row frame}`` for the store.
    """
    known = set(known_skills)
    table = str(item["table_name"])
    if not skill_id or skill_id not in known:
        msg = f"unknown skill {skill_id!r}: choose a skill_id of the taxonomy (or add the skill first)"
        raise InputError(msg, [Problem(msg, table=table, column="skill", value=str(skill_id))])
    row = json.loads(str(item["row_json"]))
    row["skill"] = skill_id
    typed, _ = validate(table, pd.DataFrame([row]), file=str(item.get("source_file") or ""))
    return {table: typed}


def accept_suggestion(
    item: Mapping[str, Any], known_skills: Iterable[str]
) -> tuple[str, dict[str, pd.DataFrame]]:
    """``mapping accept``: the suggested skill and the row to store; error if there is no suggestion."""
    suggestion = item.get("suggestion")
    if (
        suggestion is None
        or (isinstance(suggestion, float) and pd.isna(suggestion))
        or str(suggestion) == ""
    ):
        msg = f"no suggestion for {item.get('phrase')!r}: use 'mapping set' with a skill_id"
        raise InputError(msg)
    return str(suggestion), resolve_row(item, str(suggestion), known_skills)


def new_skill(
    skill_id: str, label: str, group: str, *, label_da: str | None = None, phrase: str | None = None
) -> pd.DataFrame:
    """A validated one-row ``skills`` frame for a skill a reviewer adds while resolving a phrase.

    The phrase (when given and different from the label) becomes the skill's first alias.
    """
    aliases = phrase if phrase and normalise(phrase) != normalise(label) else None
    frame = pd.DataFrame(
        [
            {
                "skill_id": skill_id,
                "label": label,
                "label_da": label_da,
                "group": group,
                "aliases": aliases,
                "esco_uri": None,
                "description": None,
            }
        ]
    )
    typed, _ = validate("skills", frame)
    return typed


def learned_alias(phrase: object, skill_id: str) -> dict[str, str]:
    """The learned-alias record a review decision creates (``alias``, ``skill_id``)."""
    return {"alias": alias_key(phrase), "skill_id": skill_id}


def resolve_pending(pending: pd.DataFrame, matcher: Matcher) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split queued rows into those a (re-built) matcher now maps and those still pending.

    After a reviewer accepts ``"PLC progr."`` every other queued row with the same
    phrase maps too. Returns (resolved queue rows with ``skill_id``, still pending).
    """
    results = match_many(pending["phrase"], matcher)
    skill_ids = (
        pending["phrase"]
        .astype("string")
        .str.strip()
        .map({k: v.skill_id if v.accepted else None for k, v in results.items()})
    )
    resolved = pending.assign(skill_id=skill_ids).loc[skill_ids.notna()]
    return resolved, pending.loc[skill_ids.isna()]
