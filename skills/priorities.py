"""A region's priority skill areas from a stored run, as a Local Skills Improvement Plan states them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import pandas as pd

from skills.dataset import Dataset
from skills.schemas import SKILL_GROUP_NAMES

#: Fewest and most priority areas a report names.
MIN_AREAS: Final = 4
MAX_AREAS: Final = 6
#: Areas are added, largest weighted gap first, until they hold this share of the region's weighted gap.
COVERED_SHARE: Final = 0.8
#: How a sector or occupation asked by too few companies to be named is shown.
OTHER: Final = "others (fewer than {n} companies each)"


@dataclass(frozen=True)
class PriorityArea:
    """One priority skill area (a skill group) and what the plan proposes for it."""

    group: str
    name: str
    weighted_gap: float
    weighted_closed: float
    weighted_unmet: float
    units: float
    closed_units: float
    companies: int
    sectors: pd.DataFrame  # sector, companies, gap_units (sectors of too few companies pooled)
    occupations: pd.DataFrame  # occupation, companies, gap_units (roles the survey gave; pooled likewise)
    esco_skills: pd.DataFrame  # skill, esco_uri: the area's skills in demand that are linked to ESCO
    course_runs: pd.DataFrame  # provider, runs, participants, fees
    hires: pd.DataFrame  # skill, hires, cost


@dataclass(frozen=True)
class PrioritiesReport:
    """The priority areas of one run, largest weighted gap first."""

    scenario: str
    run_id: int
    currency: str
    areas: list[PriorityArea]
    min_companies: int

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The report as workbook sheets: the areas, then each area's sectors, occupations, actions and ESCO skills."""
        overview = pd.DataFrame(
            [
                {
                    "rank": rank,
                    "area": area.name,
                    "weighted_gap": area.weighted_gap,
                    "weighted_closed": area.weighted_closed,
                    "weighted_unmet": area.weighted_unmet,
                    "companies": area.companies,
                    "course_runs": int(area.course_runs["runs"].sum()) if len(area.course_runs) else 0,
                    "hires": int(area.hires["hires"].sum()) if len(area.hires) else 0,
                    f"action_cost_{self.currency}": _action_cost(area),
                }
                for rank, area in enumerate(self.areas, start=1)
            ]
        )
        sheets = {"Priority areas": overview}
        for rank, area in enumerate(self.areas, start=1):
            for part, frame in (
                ("sectors", area.sectors), ("occupations", area.occupations), ("course runs", area.course_runs),
                ("hires", area.hires), ("ESCO skills", area.esco_skills),
            ):
                sheets[f"{rank} {part}"[:31]] = frame
        return sheets

    def to_markdown(self) -> str:
        """A printable report in Markdown."""
        lines = [
            f"# Regional skills priorities: scenario {self.scenario} (run {self.run_id})",
            "",
            f"Weighted gap units count each person's gap by its priority. Sectors and occupations asked by fewer "
            f"than {self.min_companies} companies are pooled, so no company can be recognised. Money in {self.currency}.",
            "",
        ]
        for rank, area in enumerate(self.areas, start=1):
            runs = int(area.course_runs["runs"].sum()) if len(area.course_runs) else 0
            hires = int(area.hires["hires"].sum()) if len(area.hires) else 0
            lines += [
                f"## {rank}. {area.name}",
                "",
                f"- Weighted gap: {area.weighted_gap:,.0f} ({area.weighted_closed:,.0f} closed by the plan, "
                f"{area.weighted_unmet:,.0f} left unmet); {area.companies} companies ask.",
                "- Sectors (NACE): " + _listing(area.sectors, "sector"),
                "- Occupations (ISCO): " + (_listing(area.occupations, "occupation") if len(area.occupations) else "not stated in the survey"),
                f"- The plan proposes {runs} course run(s) and {hires} hire(s), costing {self.currency} {_action_cost(area):,.0f}:",
            ]
            lines += [
                f"  - {provider}: {runs:.0f} run(s), {people:.0f} participant(s)"
                for provider, runs, people in zip(
                    area.course_runs["provider"], area.course_runs["runs"].astype(float),
                    area.course_runs["participants"].astype(float), strict=True,
                )
            ]
            if len(area.esco_skills):
                lines.append("- ESCO skills covered: " + "; ".join(f"{row.skill} (<{row.esco_uri}>)" for row in area.esco_skills.itertuples(index=False)))
            lines.append("")
        return "\n".join(lines)


def _action_cost(area: PriorityArea) -> float:
    fees = float(area.course_runs["fees"].sum()) if len(area.course_runs) else 0.0
    return fees + (float(area.hires["cost"].sum()) if len(area.hires) else 0.0)


def _listing(frame: pd.DataFrame, column: str) -> str:
    return "; ".join(f"{getattr(row, column)} ({row.gap_units:,.0f} units)" for row in frame.itertuples(index=False)) or "none"


def _pooled(frame: pd.DataFrame, column: str, min_companies: int) -> pd.DataFrame:
    """Gap units and companies per value of ``column``; values of fewer than ``min_companies`` companies pooled."""
    if frame.empty:
        return pd.DataFrame(columns=[column, "companies", "gap_units"])
    per = frame.groupby(column).agg(companies=("company_id", "nunique"), gap_units=("units", "sum")).reset_index()
    small = per["companies"] < min_companies
    named = per[~small].sort_values("gap_units", ascending=False)
    if small.any():
        rest = frame[frame[column].isin(set(per.loc[small, column]))]
        other = pd.DataFrame(
            {column: [OTHER.format(n=min_companies)], "companies": [rest["company_id"].nunique()], "gap_units": [rest["units"].sum()]}
        )
        if other["companies"].iloc[0] >= min_companies:
            named = pd.concat([named, other], ignore_index=True)
    return named.reset_index(drop=True)


def _table(tables: Mapping[str, pd.DataFrame], name: str, columns: list[str]) -> pd.DataFrame:
    """A stored plan table, or an empty one with ``columns`` when the plan has no rows of it."""
    found = tables.get(name)
    return found if found is not None and set(columns) <= set(found.columns) else pd.DataFrame(columns=columns)


def priorities(
    tables: Mapping[str, pd.DataFrame],
    dataset: Dataset,
    *,
    scenario: str,
    run_id: int,
    currency: str,
    min_companies: int,
) -> PrioritiesReport:
    """The 4–6 priority skill areas of a run (its stored ``gaps``, ``participants``, ``runs`` and ``hires`` tables).

    Areas are skill groups ranked by weighted gap (the plan's weights times closed plus unmet units);
    they are added until they hold :data:`COVERED_SHARE` of the region's weighted gap, at least
    :data:`MIN_AREAS` and at most :data:`MAX_AREAS` (fewer when the region has fewer groups with a gap).
    """
    skills = dataset.flat("skills")
    group_of = dict(zip(skills["skill_id"], skills["group"], strict=True))
    label_of = dict(zip(skills["skill_id"], skills["label"], strict=True))
    uri_of = dict(zip(skills["skill_id"], skills["esco_uri"].fillna(""), strict=True))
    companies = dataset.flat("companies")[["company_id", "sector"]]
    gaps = tables["gaps"].assign(group=lambda f: f["skill"].map(group_of).fillna("other"))
    gaps = gaps.assign(
        weighted_closed=gaps["weight"] * gaps["closed_units"], weighted_unmet=gaps["weight"] * gaps["unmet_units"]
    ).merge(companies, on="company_id", how="left")
    by_group = gaps.groupby("group")[["weighted_closed", "weighted_unmet", "units", "closed_units"]].sum()
    by_group["weighted_gap"] = by_group["weighted_closed"] + by_group["weighted_unmet"]
    by_group = by_group[by_group["weighted_gap"] > 0].sort_values("weighted_gap", ascending=False)
    share = by_group["weighted_gap"].cumsum() / by_group["weighted_gap"].sum()
    count = min(MAX_AREAS, max(MIN_AREAS, int((share < COVERED_SHARE).sum()) + 1), len(by_group))

    demand = dataset.flat("demand")
    roles = demand[demand["role"].fillna("").astype(str) != ""][["company_id", "skill", "role"]].drop_duplicates()
    course_group = (
        dataset.flat("course_skills").assign(group=lambda f: f["skill"].map(group_of)).groupby("course_id")["group"].first()
    )
    participants = _table(tables, "participants", ["course_id", "provider", "participants", "fees"])
    participants = participants.assign(group=participants["course_id"].map(course_group))
    runs = _table(tables, "runs", ["course_id", "provider", "runs"])
    runs = runs.assign(group=runs["course_id"].map(course_group))
    hires = _table(tables, "hires", ["skill", "hires", "cost"])
    hires = hires.assign(group=hires["skill"].map(group_of))

    areas = []
    for group, row in by_group.head(count).iterrows():
        in_group = gaps[gaps["group"] == group]
        occupations = in_group.merge(roles, on=["company_id", "skill"]).rename(columns={"role": "occupation"})
        area_runs = runs[runs["group"] == group].groupby("provider")["runs"].sum()
        area_people = participants[participants["group"] == group].groupby("provider")[["participants", "fees"]].sum()
        course_runs = pd.concat([area_runs, area_people], axis=1).fillna(0).reset_index().rename(columns={"index": "provider"})
        area_hires = hires[hires["group"] == group].groupby("skill")[["hires", "cost"]].sum().reset_index()
        area_hires["skill"] = area_hires["skill"].map(label_of).fillna(area_hires["skill"])
        linked = sorted(s for s in set(in_group["skill"]) if uri_of.get(s))
        areas.append(
            PriorityArea(
                group=str(group),
                name=SKILL_GROUP_NAMES.get(str(group), str(group)),
                weighted_gap=float(row["weighted_gap"]),
                weighted_closed=float(row["weighted_closed"]),
                weighted_unmet=float(row["weighted_unmet"]),
                units=float(row["units"]),
                closed_units=float(row["closed_units"]),
                companies=int(in_group["company_id"].nunique()),
                sectors=_pooled(in_group, "sector", min_companies),
                occupations=_pooled(occupations, "occupation", min_companies),
                esco_skills=pd.DataFrame({"skill": [label_of[s] for s in linked], "esco_uri": [uri_of[s] for s in linked]}),
                course_runs=course_runs.sort_values("runs", ascending=False, ignore_index=True),
                hires=area_hires.sort_values("hires", ascending=False, ignore_index=True),
            )
        )
    return PrioritiesReport(scenario=scenario, run_id=run_id, currency=currency, areas=areas, min_companies=min_companies)
