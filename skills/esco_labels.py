"""ESCO labels for the matcher: the preferred and alternative labels of the ESCO concepts our skills link to."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from skills.esco import read_esco_csv, split_labels
from skills.mapping import normalise

#: ESCO skill downloads whose rows carry labels: the full skills file and the collections.
ESCO_SKILL_FILES: Final = ("skills_en.csv", "*SkillsCollection_en.csv")
#: Largest ESCO file read (the full English skills file is about 20 MB).
MAX_ESCO_BYTES: Final = 200_000_000


@dataclass(frozen=True)
class EscoLabels:
    """ESCO skill concepts as the matcher needs them.

    ``concepts`` has one row per concept URI: ``uri``, ``label`` (preferred), ``alt_labels``
    (tuple of alternative labels) and ``broader`` (tuple of broader concept URIs);
    ``files`` the files read.
    """

    concepts: pd.DataFrame
    files: tuple[str, ...]


def esco_skill_files(folder: str | Path) -> list[Path]:
    """The ESCO skill files in ``folder`` (none when the folder is absent)."""
    root = Path(folder)
    if not root.is_dir():
        return []
    found = {path for pattern in ESCO_SKILL_FILES for path in root.glob(pattern) if path.is_file()}
    return sorted(found)


def load_esco_labels(folder: str | Path) -> EscoLabels | None:
    """Read the labels of every ESCO skill concept in ``folder``; ``None`` when it holds no ESCO skill file.

    Columns are read by name (``conceptUri``, ``preferredLabel``, optional ``altLabels`` and
    ``broaderConceptUri``), as :func:`skills.esco.read_esco_csv` checks them: a file that is not
    an ESCO skills file raises :class:`~skills.errors.InputError` naming it. Nothing is copied
    anywhere: the labels live in memory for the matcher.
    """
    from skills.errors import InputError, Problem

    files = esco_skill_files(folder)
    if not files:
        return None
    frames = []
    for path in files:
        if path.stat().st_size > MAX_ESCO_BYTES:
            message = f"an ESCO file larger than {MAX_ESCO_BYTES / 1e6:g} MB is not read"
            raise InputError(f"{path.name}: {message}", [Problem(message, file=path.name)])
        frame = read_esco_csv(path.read_bytes(), path.name, "esco-skills")
        frames.append(
            pd.DataFrame(
                {
                    "uri": frame["conceptUri"].str.strip(),
                    "label": frame["preferredLabel"].str.strip(),
                    "alt_labels": frame.get("altLabels", pd.Series("", index=frame.index)).map(
                        lambda cell: tuple(split_labels(cell))
                    ),
                    "broader": frame.get("broaderConceptUri", pd.Series("", index=frame.index)).map(
                        lambda cell: tuple(split_labels(cell))
                    ),
                }
            )
        )
    concepts = pd.concat(frames, ignore_index=True)
    concepts = concepts[concepts["uri"] != ""].drop_duplicates("uri").reset_index(drop=True)
    return EscoLabels(concepts=concepts, files=tuple(path.name for path in files))


def _names(record: Mapping[Hashable, object]) -> list[str]:
    aliases = record.get("aliases")
    own = [record.get("skill_id"), record.get("label"), record.get("label_da")]
    if isinstance(aliases, str):
        own += aliases.split("|")
    return [str(name).strip() for name in own if isinstance(name, str) and name.strip()]


def esco_names(
    skills: pd.DataFrame, labels: EscoLabels | None, *, narrower: bool = False
) -> dict[str, str]:
    """ESCO label -> skill_id: the labels of each skill's ``esco_uri`` concept that the taxonomy lacks.

    A label another skill of the taxonomy already names (or that two linked concepts share)
    is left out, so ESCO never makes a name ambiguous. With ``narrower`` the preferred labels
    of concepts whose broader concept is the linked one (and that no skill links to) are
    added too. Empty when ``labels`` is None.
    """
    if labels is None:
        return {}
    frame = skills.reset_index() if "skill_id" not in skills.columns else skills
    if "esco_uri" not in frame.columns:
        return {}
    by_uri = labels.concepts.set_index("uri")
    linked = {
        str(uri): str(skill_id)
        for skill_id, uri in zip(frame["skill_id"], frame["esco_uri"], strict=True)
        if isinstance(uri, str) and uri
    }
    narrower_of: dict[str, list[str]] = {}
    if narrower:
        for uri, label, broader in zip(
            by_uri.index, by_uri["label"], by_uri["broader"], strict=True
        ):
            if uri in linked:
                continue
            for wider in broader:
                if wider in linked:
                    narrower_of.setdefault(wider, []).append(str(label))
    owner: dict[str, set[str]] = {}
    for record in frame.to_dict("records"):
        for name in _names(record):
            owner.setdefault(normalise(name), set()).add(str(record["skill_id"]))
    proposed: dict[str, list[str]] = {}
    for uri, skill_id in linked.items():
        texts: Iterable[str] = ()
        if uri in by_uri.index:
            concept = by_uri.loc[uri]
            texts = [str(concept["label"]), *concept["alt_labels"]]
        proposed[skill_id] = [*texts, *narrower_of.get(uri, [])]
    claimed: dict[str, set[str]] = {}
    for skill_id, texts in proposed.items():
        for text in texts:
            claimed.setdefault(normalise(text), set()).add(skill_id)
    names: dict[str, str] = {}
    for skill_id, texts in proposed.items():
        for text in texts:
            key = normalise(text)
            if not key or key in owner or claimed[key] != {skill_id}:
                continue  # one of the taxonomy's names already, or claimed by two skills
            names[text.replace("|", "/")] = skill_id
            owner[key] = {skill_id}
    return names


def with_esco_aliases(
    skills: pd.DataFrame, labels: EscoLabels | None, *, narrower: bool = False
) -> pd.DataFrame:
    """The taxonomy (flat) with :func:`esco_names` added to each skill's ``aliases``; ``skills`` as
    given when ``labels`` is None. For the matcher only: the aliases may exceed the stored length."""
    if labels is None:
        return skills
    frame = skills.reset_index() if "skill_id" not in skills.columns else skills.copy()
    added: dict[str, list[str]] = {}
    for text, skill_id in esco_names(frame, labels, narrower=narrower).items():
        added.setdefault(skill_id, []).append(text)

    own = frame["aliases"] if "aliases" in frame.columns else pd.Series(None, index=frame.index)
    frame["aliases"] = [
        "|".join([*([text] if isinstance(text, str) and text else []), *added[str(skill_id)]])
        if str(skill_id) in added
        else text
        for skill_id, text in zip(frame["skill_id"], own, strict=True)
    ]
    return frame
