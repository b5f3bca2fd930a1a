"""Settings read from the environment (``VETPLAN_*``, ``DATABASE_URL``) with pydantic-settings: one source of defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as EnvironmentParseError

from skills.errors import Problem, SettingsError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
ENV_PREFIX = "VETPLAN_"
#: Largest priority weight (settings and scenarios): a ratio of 1 000 between priorities already means "this first".
MAX_PRIORITY_WEIGHT = 1000.0


class Settings(BaseSettings):
    """Tunable settings; every field can be set as ``VETPLAN_<FIELD>`` in the environment.

    Dictionaries are written as JSON, e.g. ``VETPLAN_PRIORITY_WEIGHTS='{"high": 4, "medium": 2, "low": 1}'``;
    an empty variable counts as unset.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="ignore", validate_default=True
    )

    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_URL", "VETPLAN_DATABASE_URL", "database_url"),
        description="SQLAlchemy URL; empty means the embedded SQLite file.",
    )
    data_home: Path = Field(default=PROJECT_ROOT / "var", description="Folder for the embedded database.")
    language: Literal["en", "da"] = Field(default="en", description="Interface language a new browser session starts in.")
    currency: str = Field(
        default="EUR", pattern=r"^[A-Z]{3}$", description="Currency of every money column (ISO 4217 code)."
    )
    priority_weights: dict[str, Annotated[float, Field(gt=0, le=MAX_PRIORITY_WEIGHT, allow_inf_nan=False)]] = Field(
        default={"high": 3.0, "medium": 2.0, "low": 1.0},
        description="Weight of one gap unit by priority (JSON: high, medium and low).",
    )
    min_companies_per_cell: int = Field(default=3, ge=1, le=100, description="Disclosure: fewest companies behind a published cell.")
    dominance_n: int = Field(default=2, ge=1, le=10, description="Disclosure: the n of the (n, k) dominance rule.")
    dominance_k: float = Field(default=0.85, gt=0, le=1, description="Disclosure: the k of the (n, k) dominance rule.")
    disclosure_method: Literal["perturbation", "suppression"] = Field(default="perturbation", description="Disclosure: 'perturbation' (cell-key noise on cells of enough companies, bands on the others) or 'suppression' (primary and secondary suppression).")
    noise_scale: float = Field(default=0.5, gt=0, lt=1, description="Disclosure (perturbation): the largest noise, as a share of the largest company's part of the cell.")
    cell_key_secret: str = Field(default="vetplan-cell-key", min_length=1, description="Disclosure (perturbation): secret from which each company's record key is drawn; set your own per deployment.")
    max_upload_mb: float = Field(default=50.0, gt=0, le=2048, allow_inf_nan=False, description="Largest file accepted for import, in MB.")
    max_unzipped_mb: float = Field(default=500.0, gt=0, le=8192, allow_inf_nan=False, description="Largest uncompressed size of an xlsx, in MB.")
    session_hours: float = Field(default=8.0, gt=0, le=24 * 30, allow_inf_nan=False, description="Sign-in: a session ends this many hours after sign-in.")
    session_idle_minutes: float = Field(default=60.0, gt=0, le=24 * 60, allow_inf_nan=False, description="Sign-in: a session ends after this many minutes without a page view.")
    sign_in_free_failures: int = Field(default=4, ge=1, le=100, description="Sign-in: wrong passwords in a row before each further attempt must wait.")
    sign_in_wait_s: float = Field(default=30.0, gt=0, le=3600, allow_inf_nan=False, description="Sign-in: the first wait after too many failures, in seconds; it doubles with each further failure (at most 15 minutes).")
    mapping_threshold: float = Field(default=88.0, ge=0, le=100, description="Matcher score (0–100) below which a phrase goes to review; for fuzzy matches the score is the calibrated chance, in per cent, that the suggestion is right.")
    dask_scheduler: str = Field(default="", description="Address of a Dask scheduler (e.g. tcp://10.0.0.5:8786) that runs sweeps and batches of solves; empty = local processes.")

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_home / 'vetplan.sqlite'}"


def _variable(field_name: str) -> str:
    return "DATABASE_URL" if field_name == "database_url" else f"{ENV_PREFIX}{field_name.upper()}"


def load_settings() -> Settings:
    """Settings from the environment (``DATABASE_URL`` and ``VETPLAN_*``).

    Raises
    ------
    SettingsError
        Naming each environment variable whose value is not acceptable, and why.

    Examples
    --------
    With ``VETPLAN_DOMINANCE_K=2`` set, the message reads::

        the environment holds 1 setting vetplan cannot use
          - VETPLAN_DOMINANCE_K: Input should be less than or equal to 1 (value '2')
    """
    try:
        return Settings()
    except ValidationError as error:
        problems = [
            Problem(
                ": ".join([_variable(str(item["loc"][0])), *map(str, item["loc"][1:]), item["msg"]]),
                value=str(item.get("input", "")) if not isinstance(item.get("input"), dict) else "",
            )
            for item in error.errors()
        ]
    except EnvironmentParseError as error:
        # a dictionary setting that is not JSON: pydantic-settings names the field in its message
        field_name = next((name for name in Settings.model_fields if f'"{name}"' in str(error)), "")
        problems = [Problem(f"{_variable(field_name)}: must be JSON, e.g. '{{\"high\": 3, \"medium\": 2, \"low\": 1}}'")]
    count = len(problems)
    msg = f"the environment holds {count} setting{'s' if count != 1 else ''} vetplan cannot use"
    raise SettingsError(msg, problems)
