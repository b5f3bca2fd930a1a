"""Settings read from the environment (``VETPLAN_*``, ``DATABASE_URL``) with sensible defaults."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"


class Settings(BaseModel):
    """Tunable settings; every field can be set as ``VETPLAN_<FIELD>`` in the environment."""

    database_url: str = Field(default="", description="SQLAlchemy URL; empty means the embedded SQLite file.")
    data_home: Path = Field(default=PROJECT_ROOT / "var", description="Folder for the embedded database.")
    currency: str = Field(default="EUR", description="Currency of every money column.")
    priority_weights: dict[str, float] = Field(
        default={"high": 3.0, "medium": 2.0, "low": 1.0},
        description="Weight of one gap unit by priority.",
    )
    min_companies_per_cell: int = Field(default=3, ge=1, description="Disclosure: fewest companies behind a published cell.")
    dominance_n: int = Field(default=2, ge=1, description="Disclosure: the n of the (n, k) dominance rule.")
    dominance_k: float = Field(default=0.85, gt=0, le=1, description="Disclosure: the k of the (n, k) dominance rule.")
    max_upload_mb: float = Field(default=50.0, gt=0, description="Largest file accepted for import, in MB.")
    max_unzipped_mb: float = Field(default=500.0, gt=0, description="Largest uncompressed size of an xlsx, in MB.")
    mapping_threshold: float = Field(default=88.0, ge=0, le=100, description="Matcher score (0–100) below which a phrase goes to review; for fuzzy matches the score is the calibrated chance, in per cent, that the suggestion is right.")

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_home / 'vetplan.sqlite'}"


def load_settings() -> Settings:
    """Settings from the environment (``DATABASE_URL`` and ``VETPLAN_*``)."""
    values: dict[str, object] = {}
    if os.environ.get("DATABASE_URL"):
        values["database_url"] = os.environ["DATABASE_URL"]
    for name in Settings.model_fields:
        env = os.environ.get(f"VETPLAN_{name.upper()}")
        if env is not None and env != "":
            values[name] = env
    return Settings.model_validate(values)
