"""Seeded generator of the sample region and of the benchmark tiers S, M, L and NS (North Sea)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from skills.dataset import Dataset
from skills.levels import level_name
from skills.schemas import SKILL_GROUPS, TABLES
from skills.settings import DATA_DIR
from skills.taxonomy import load_taxonomy

SAMPLE_DIR: Final = DATA_DIR / "sample"
START_YEAR: Final = 2027


@dataclass(frozen=True)
class Tier:
    """Size of a generated region."""

    companies: int
    courses: int
    skills: int | None  # None: the whole taxonomy
    years: int
    regions: tuple[str, ...]
    providers: int


TIERS: Final[dict[str, Tier]] = {
    # Central Denmark (DK04): Vestjylland and Østjylland.
    "sample": Tier(companies=72, courses=180, skills=None, years=3, regions=("DK041", "DK042"), providers=9),
    "S": Tier(companies=40, courses=150, skills=120, years=1, regions=("DK041", "DK042"), providers=8),
    "M": Tier(companies=300, courses=1000, skills=300, years=3, regions=("DK041", "DK042", "DK032"), providers=20),
    "L": Tier(
        companies=1200, courses=3000, skills=500, years=3,
        regions=("DK011", "DK022", "DK032", "DK041", "DK050"), providers=40,
    ),
    # North Sea: seven NUTS-2 regions around it (Syddanmark, Midtjylland, Nordjylland, Weser-Ems,
    # Groningen, Vestlandet, North Eastern Scotland).
    "NS": Tier(
        companies=5000, courses=6000, skills=800, years=3,
        regions=("DK03", "DK04", "DK05", "DE94", "NL11", "NO0A", "UKM5"), providers=120,
    ),
}

#: NACE C divisions common among Danish manufacturing SMEs, with relative frequency.
SECTORS: Final[dict[str, float]] = {
    "C10": 0.12,  # food products
    "C16": 0.05,  # wood products
    "C20": 0.04,  # chemicals
    "C22": 0.09,  # rubber and plastics
    "C25": 0.24,  # fabricated metal products
    "C26": 0.05,  # electronics
    "C27": 0.07,  # electrical equipment
    "C28": 0.18,  # machinery
    "C31": 0.06,  # furniture
    "C33": 0.10,  # repair and installation of machinery
}

#: How strongly each sector asks for each skill group (relative weights).
SECTOR_GROUP_WEIGHTS: Final[dict[str, tuple[float, ...]]] = {
    #        auto  digi  prod  lean  green serv  trans
    "C10": (0.8, 1.0, 0.8, 1.4, 1.2, 0.4, 1.0),
    "C16": (0.8, 0.6, 1.4, 1.0, 1.0, 0.4, 0.8),
    "C20": (1.0, 1.2, 0.8, 1.2, 1.4, 0.4, 0.8),
    "C22": (1.4, 0.8, 1.2, 1.2, 1.0, 0.4, 0.8),
    "C25": (1.2, 0.8, 1.8, 1.0, 0.6, 0.4, 0.8),
    "C26": (1.0, 1.6, 1.0, 1.0, 0.6, 0.8, 0.8),
    "C27": (1.4, 1.2, 1.0, 1.0, 0.8, 0.6, 0.8),
    "C28": (1.6, 1.0, 1.4, 1.0, 0.6, 1.0, 0.8),
    "C31": (0.8, 0.8, 1.4, 1.2, 1.0, 0.6, 0.8),
    "C33": (1.2, 1.0, 1.0, 0.8, 0.6, 1.6, 1.0),
}

_NAME_FIRST: Final = (
    "Holst", "Vestergaard", "Skov", "Bech", "Lund", "Dahl", "Mølgaard", "Kjær", "Brandt", "Thorsen",
    "Fjord", "Hede", "Ådal", "Bakke", "Nørre", "Søndergaard", "Eg", "Lyng", "Krogh", "Balle",
)
_NAME_SECOND: Final = {
    "C10": ("Fødevarer", "Mejeri", "Bageri", "Foods"),
    "C16": ("Træ", "Timber", "Savværk"),
    "C20": ("Kemi", "Coatings", "Lab"),
    "C22": ("Plast", "Polymer", "Form"),
    "C25": ("Stål", "Metal", "Smedie", "Svejs"),
    "C26": ("Elektronik", "Sensor", "Tronic"),
    "C27": ("El-teknik", "Power", "Tavlebyg"),
    "C28": ("Maskinfabrik", "Automation", "Maskiner"),
    "C31": ("Møbler", "Interiør", "Snedkeri"),
    "C33": ("Service", "Montage", "Reparation"),
}
_PROVIDER_NAMES: Final = (
    "Midtjysk Erhvervsskole", "Aarhus Tekniske Skole", "Vestjysk AMU-center", "Kattegat Tech",
    "Herning Industriskole", "Skive Teknisk Center", "Randers Produktionsakademi", "Silkeborg Digital Akademi",
    "Limfjord Uddannelsescenter", "Østjysk Voksenuddannelse",
)


def generate_region(tier: str = "sample", seed: int = 7) -> Dataset:
    """Generate a validated region.

    Parameters
    ----------
    tier
        ``"sample"`` (the Central-Denmark-like sample region) or a benchmark
        tier ``"S"``, ``"M"``, ``"L"``, ``"NS"`` (see :data:`TIERS`).
    seed
        Seed of the random generator: the same seed gives the same region.

    Examples
    --------
    >>> region = generate_region("S")
    >>> len(region.companies), len(region.courses)
    (40, 150)
    """
    if tier not in TIERS:
        msg = f"unknown tier {tier!r}; expected one of {', '.join(TIERS)}"
        raise ValueError(msg)
    size = TIERS[tier]
    rng = np.random.default_rng(seed)
    skills = _skills(size, rng)
    companies = _companies(size, rng)
    demand = _demand(size, companies, skills, rng)
    courses, course_skills = _courses(size, skills, demand, rng)
    supply = _supply(size, skills, demand, rng)
    return Dataset.from_frames(
        {
            "skills": skills,
            "companies": companies,
            "demand": demand,
            "courses": courses,
            "course_skills": course_skills,
            "supply": supply,
        }
    )


def _skills(size: Tier, rng: np.random.Generator) -> pd.DataFrame:
    taxonomy = load_taxonomy().reset_index()
    if size.skills is None:
        return taxonomy
    if size.skills <= len(taxonomy):
        chosen = np.sort(rng.choice(len(taxonomy), size=size.skills, replace=False))
        return taxonomy.iloc[chosen].reset_index(drop=True)
    extra = size.skills - len(taxonomy)
    base = taxonomy.iloc[np.arange(extra) % len(taxonomy)].reset_index(drop=True)
    variant = np.arange(extra) // len(taxonomy) + 2
    synthetic = pd.DataFrame(
        {
            "skill_id": [f"{sid}_v{v}" for sid, v in zip(base["skill_id"], variant, strict=True)],
            "label": [f"{label} (variant {v})" for label, v in zip(base["label"], variant, strict=True)],
            "label_da": [f"{label} (variant {v})" for label, v in zip(base["label_da"], variant, strict=True)],
            "group": base["group"],
            "aliases": "",
            "esco_uri": "",
            "description": "Synthetic benchmark variant of a taxonomy skill.",
            "description_da": "Syntetisk variant af en færdighed i taksonomien (til benchmark).",
        }
    )
    return pd.concat([taxonomy, synthetic], ignore_index=True)


def _companies(size: Tier, rng: np.random.Generator) -> pd.DataFrame:
    sectors = rng.choice(list(SECTORS), size=size.companies, p=np.array(list(SECTORS.values())))
    # Size bands of Danish manufacturing SMEs: many small, some medium, few micro in surveys.
    band = rng.choice(3, size=size.companies, p=[0.25, 0.50, 0.25])
    low = np.array([3, 10, 50])[band]
    high = np.array([10, 50, 250])[band]
    employees = np.floor(np.exp(rng.uniform(np.log(low), np.log(high)))).astype(int)
    regions = rng.choice(size.regions, size=size.companies)
    names = [
        f"{rng.choice(_NAME_FIRST)} {rng.choice(_NAME_SECOND[sector])} {rng.choice(['ApS', 'A/S', 'I/S'], p=[0.6, 0.35, 0.05])}"
        for sector in sectors
    ]
    width = max(3, len(str(size.companies)))
    return pd.DataFrame(
        {
            "company_id": [f"C{i:0{width}d}" for i in range(1, size.companies + 1)],
            "name": names,
            "region": regions,
            "sector": sectors,
            "employees": employees,
        }
    )


def _demand(size: Tier, companies: pd.DataFrame, skills: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    group_index = {group: i for i, group in enumerate(SKILL_GROUPS)}
    skill_group = skills["group"].map(group_index).to_numpy()
    # A few "hot" skills everybody asks for, as real surveys show.
    popularity = rng.gamma(shape=0.8, scale=1.0, size=len(skills))
    years = np.arange(START_YEAR, START_YEAR + size.years)
    rows: list[pd.DataFrame] = []
    for company_id, sector, employees in zip(
        companies["company_id"].tolist(), companies["sector"].tolist(), companies["employees"].tolist(), strict=True
    ):
        weights = np.asarray(SECTOR_GROUP_WEIGHTS[str(sector)], dtype=float)[skill_group] * popularity
        n_needs = int(np.clip(rng.poisson(2 + 2 * np.log10(employees)), 2, 14))
        n_needs = min(n_needs, len(skills))
        chosen = rng.choice(len(skills), size=n_needs, replace=False, p=weights / weights.sum())
        current = rng.choice(4, size=n_needs, p=[0.35, 0.35, 0.22, 0.08])
        step = rng.choice([0, 1, 2], size=n_needs, p=[0.06, 0.62, 0.32])
        required = np.minimum(current + step, 4)
        headcount = np.maximum(1, np.round(rng.uniform(0.02, 0.15, size=n_needs) * employees)).astype(int)
        rows.append(
            pd.DataFrame(
                {
                    "company_id": company_id,
                    "skill": skills["skill_id"].to_numpy()[chosen],
                    "role": "",
                    "headcount": headcount,
                    "current_level": current,
                    "required_level": required,
                    "needed_by": rng.choice(years, size=n_needs),
                    "priority": rng.choice(["high", "medium", "low"], size=n_needs, p=[0.35, 0.45, 0.20]),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _courses(
    size: Tier, skills: pd.DataFrame, demand: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    providers = [
        _PROVIDER_NAMES[i] if i < len(_PROVIDER_NAMES) else f"Erhvervsskole {i + 1:02d}"
        for i in range(size.providers)
    ]
    provider_region = {p: size.regions[i % len(size.regions)] for i, p in enumerate(providers)}
    # Courses follow demand, but about one skill in eight has no course at all (curriculum gaps).
    asked = demand.groupby("skill")["headcount"].sum().reindex(skills["skill_id"]).fillna(0).to_numpy()
    weights = asked + asked.mean() * 0.3 + 1.0
    taught = rng.random(len(skills)) > 0.12
    weights = np.where(taught, weights, 0.0)
    main_skill = rng.choice(len(skills), size=size.courses, p=weights / weights.sum())
    levels = rng.choice([1, 2, 3, 4], size=size.courses, p=[0.25, 0.35, 0.28, 0.12])
    entry = np.array([rng.integers(0, lvl) for lvl in levels])
    days = rng.choice([1, 2, 3, 4, 5, 10], size=size.courses, p=[0.15, 0.25, 0.2, 0.1, 0.2, 0.1])
    mode = rng.choice(["in-person", "online", "blended"], size=size.courses, p=[0.72, 0.16, 0.12])
    provider = rng.choice(providers, size=size.courses)
    min_participants = rng.choice([4, 5, 6, 8], size=size.courses, p=[0.2, 0.3, 0.35, 0.15])
    max_participants = min_participants + rng.choice([6, 8, 10], size=size.courses)
    hours = np.round(days * 7.4, 1)
    courses = pd.DataFrame(
        {
            "course_id": [f"K{i:05d}" for i in range(1, size.courses + 1)],
            "title": [
                f"{skills['label'].iat[s]} – {level_name(int(lvl))}" for s, lvl in zip(main_skill, levels, strict=True)
            ],
            "provider": provider,
            "region": [provider_region[p] for p in provider],
            "mode": mode,
            "hours": hours,
            # AMU-like: a modest participant fee plus a per-hour component; runs carry trainer and room.
            "cost_per_participant": np.round(days * rng.uniform(60, 140, size=size.courses), -1),
            "fixed_cost_per_run": np.round(days * rng.uniform(700, 1500, size=size.courses), -1),
            "min_participants": min_participants,
            "max_participants": max_participants,
            "max_runs_per_year": rng.choice([1, 2, 3, 4, 6], size=size.courses, p=[0.2, 0.3, 0.25, 0.15, 0.1]),
            "language": rng.choice(["da", "en"], size=size.courses, p=[0.9, 0.1]),
        }
    )
    # A third of the courses teach a second skill from the same group.
    same_group = skills.groupby("group").indices
    links = [
        pd.DataFrame({"course_id": courses["course_id"], "skill": skills["skill_id"].to_numpy()[main_skill],
                      "level": levels, "entry_level": entry})
    ]
    second = rng.random(size.courses) < 0.33
    pool = [same_group[skills["group"].iat[s]] for s in main_skill[second]]
    other = np.array([rng.choice(p) for p in pool], dtype=int)
    keep = other != main_skill[second]
    links.append(
        pd.DataFrame(
            {
                "course_id": courses["course_id"].to_numpy()[second][keep],
                "skill": skills["skill_id"].to_numpy()[other[keep]],
                "level": np.maximum(1, levels[second][keep] - 1),
                "entry_level": np.zeros(int(keep.sum()), dtype=int),
            }
        )
    )
    course_skills = pd.concat(links, ignore_index=True)
    return courses, course_skills


def _supply(size: Tier, skills: pd.DataFrame, demand: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    asked = demand.groupby("skill")["headcount"].sum()
    candidates = skills["skill_id"][skills["skill_id"].isin(asked.index)].to_numpy()
    rows = []
    for region in size.regions:
        chosen = candidates[rng.random(len(candidates)) < 0.45]
        n = len(chosen)
        balance = rng.choice(["shortage", "balanced", "surplus"], size=n, p=[0.45, 0.4, 0.15])
        scale = np.select([balance == "shortage", balance == "balanced"], [0.3, 1.0], 2.0)
        rows.append(
            pd.DataFrame(
                {
                    "skill": chosen,
                    "occupation": "",
                    "region": region,
                    "hires_available_per_year": np.round(rng.uniform(0, 6, size=n) * scale).astype(int),
                    "cost_per_hire": np.round(rng.uniform(5000, 16000, size=n) * np.where(balance == "shortage", 1.5, 1.0), -2),
                    "lead_time_months": rng.choice([2, 3, 4, 6, 9, 12], size=n),
                    "balance": balance,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def write_csv(dataset: Dataset, folder: Path = SAMPLE_DIR) -> list[Path]:
    """Write every table of ``dataset`` as ``<table>.csv`` (UTF-8) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        path = folder / f"{name}.csv"
        dataset.flat(name).to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    return written


def read_csv_folder(folder: Path = SAMPLE_DIR) -> Dataset:
    """Read a folder of ``<table>.csv`` files (as written by :func:`write_csv`) into a validated Dataset."""
    frames = {
        name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")
        for name in TABLES
        if (folder / f"{name}.csv").exists()
    }
    return Dataset.from_frames(frames)


if __name__ == "__main__":  # pragma: no cover - regenerate data/sample
    for written_path in write_csv(generate_region("sample")):
        print(written_path)
