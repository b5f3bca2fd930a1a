"""The seeded generator: the sample region and the benchmark tiers have their promised size and shape."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from skills.sample import SAMPLE_DIR, TIERS, generate_region, read_csv_folder, write_csv
from skills.schemas import TABLES
from skills.taxonomy import load_taxonomy


def test_taxonomy_is_rich_enough() -> None:
    taxonomy = load_taxonomy()
    assert len(taxonomy) >= 150
    assert taxonomy["group"].nunique() == 7
    assert taxonomy["label_da"].notna().all()
    aliases = "|".join(taxonomy["aliases"].fillna("")).lower().split("|")
    for acronym in ["plc", "cnc", "scada", "mes", "erp", "5s", "spc", "cad/cam"]:
        assert acronym in aliases or acronym in taxonomy["label"].str.lower().tolist(), acronym
    assert taxonomy["esco_uri"].notna().mean() > 0.3


def test_sample_region_size() -> None:
    region = generate_region("sample")
    counts = region.counts()
    assert counts["companies"] >= 60
    assert counts["courses"] >= 150
    assert counts["providers"] >= 8
    assert counts["skills"] >= 150
    assert set(region.companies["sector"].str[0]) == {"C"}  # manufacturing, NACE section C
    assert region.companies["region"].str.startswith("DK04").all()  # Central Denmark
    assert (region.companies["employees"] < 250).all()  # SMEs
    hours = region.courses["hours"]
    assert hours.min() >= 7 and hours.max() <= 10 * 7.4 + 1e-9  # AMU-like 1-10 day courses
    assert (region.supply["balance"] == "shortage").any()


def test_sample_has_curriculum_gaps_and_coverable_gaps() -> None:
    region = generate_region("sample")
    demanded = set(region.demand["skill"])
    taught = set(region.course_skills["skill"])
    assert demanded - taught  # some skills no course teaches
    assert len(demanded & taught) > 0.6 * len(demanded)


def test_same_seed_same_region_other_seed_other_region() -> None:
    first, second = generate_region("S", seed=3), generate_region("S", seed=3)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name))
    other = generate_region("S", seed=4)
    assert not other.demand.equals(first.demand)


@pytest.mark.parametrize("tier", ["S", "M", "L"])
def test_tiers_have_their_sizes(tier: str) -> None:
    size = TIERS[tier]
    region = generate_region(tier)
    assert len(region.companies) == size.companies
    assert len(region.courses) == size.courses
    assert len(region.skills) == size.skills
    assert region.demand["needed_by"].nunique() == size.years
    assert region.companies["region"].nunique() == len(size.regions)


def test_committed_sample_files_match_the_generator(tmp_path: Path) -> None:
    """data/sample is what `make sample` writes: regenerate and compare byte for byte."""
    write_csv(generate_region("sample"), tmp_path)
    for name in TABLES:
        assert (tmp_path / f"{name}.csv").read_bytes() == (SAMPLE_DIR / f"{name}.csv").read_bytes(), name
    assert read_csv_folder(SAMPLE_DIR).counts() == generate_region("sample").counts()
