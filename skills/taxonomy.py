"""The project's Industry 4.0 skills taxonomy (``data/taxonomy/skills.csv``), loaded as the typed ``skills`` table."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from skills.schemas import validate
from skills.settings import DATA_DIR

TAXONOMY_PATH = DATA_DIR / "taxonomy" / "skills.csv"


@lru_cache(maxsize=4)
def _load(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    typed, _ = validate("skills", raw, file=str(path.name))
    return typed.set_index("skill_id")


def load_taxonomy(path: Path | None = None) -> pd.DataFrame:
    """The taxonomy as the typed ``skills`` table indexed by ``skill_id`` (a copy).

    >>> taxonomy = load_taxonomy()
    >>> taxonomy.loc["plc_programming", "group"]
    'automation_robotics'
    """
    return _load(path or TAXONOMY_PATH).copy()

