"""Plan readiness before any solve: which gap units a course or a hire can serve, and why the others cannot."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from skills import rules
from skills.dataset import Dataset
from skills.errors import InputError
from skills.rules import HIRE_LEVEL, course_fit, gap_units, hire_can_close, hire_lag_years, is_gap
from skills.schemas import ASSUMABLE as ASSUMABLE_COLUMNS
from skills.schemas import assumed_names
from skills.settings import Settings

#: Why no course serves a gap, in the order of :func:`skills.rules.course_fit`'s tests: the
#: reason is the first test that no course teaching the skill passes.
COURSE_REASONS: Final = ("no_course", "level", "entry_level", "region")
#: Why no hire serves a gap: no market for the skill in the company's region, a required level
#: above what a hire brings, or a lead time that ends after the deadline.
SUPPLY_REASONS: Final = ("no_supply", "level", "lead_time")
#: Company columns a survey mapping's default can stand in for.
ASSUMABLE: Final = ASSUMABLE_COLUMNS["companies"]


@dataclass(frozen=True)
class Readiness:
    """What the data lets a plan reach, measured before any solve (see :func:`readiness`).

    Units are gap units (:func:`skills.rules.gap_units`): one per person who needs a skill above
    the level they have. ``course_reasons`` and ``supply_reasons`` count the units no course,
    or no hire, can serve, by the first reason (:data:`COURSE_REASONS`, :data:`SUPPLY_REASONS`).
    """

    years: tuple[int, ...]
    gap_rows: int
    gap_units: int
    course_units: int
    course_reasons: dict[str, int]
    supply_units: int
    supply_reasons: dict[str, int]
    #: units some course or some hire can serve
    servable_units: int
    #: company regions with gap units that no course reaches only because of the region
    regions_out_of_reach: tuple[str, ...]
    #: regions where courses teaching the companies' skills run in person (online serves all)
    course_regions: tuple[str, ...]
    #: demand rows (and their units) needed before the first year, or after the last
    early_rows: int
    early_units: int
    early_years: tuple[int, ...]
    late_rows: int
    late_units: int
    #: column -> companies whose value was assumed at import (a mapping's default)
    assumed_companies: dict[str, int]
    #: demand rows (and their gap units) of companies with an assumed value
    assumed_rows: int
    assumed_units: int
    #: skill -> units no course can serve, most first (the skills to look at)
    unserved_skills: dict[str, int] = field(default_factory=dict)  # skill label -> gap units no course serves
    #: demand column -> rows whose value was assumed at import (the ``assumed`` flags of demand)
    assumed_demand: dict[str, int] = field(default_factory=dict)
    #: gap units of rows whose headcount or a level was assumed (their size is the mapping's, not the answer's)
    assumed_need_units: int = 0

    @staticmethod
    def _share(part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    @property
    def course_share(self) -> float:
        """Share of gap units some course can serve (1 when there are no gaps)."""
        return self._share(self.course_units, self.gap_units)

    @property
    def supply_share(self) -> float:
        """Share of gap units some hire can serve (1 when there are no gaps)."""
        return self._share(self.supply_units, self.gap_units)

    @property
    def servable_share(self) -> float:
        """Share of gap units a course or a hire can serve: the most a plan can close."""
        return self._share(self.servable_units, self.gap_units)

    @property
    def capped(self) -> bool:
        """Whether some gap units cannot be served by anything, whatever the budget."""
        return self.servable_units < self.gap_units

    def headline(self) -> str:
        """One sentence for a plan's headline: the cap on its coverage and its main cause ('' when none)."""
        if not self.capped:
            return ""
        cause = _main_cause(self)
        return (
            f"At most {_percent(self.servable_share)} of the gap units can be closed "
            f"({self.servable_units:,} of {self.gap_units:,}) whatever the budget, mainly because {cause}."
        )

    def sentences(self) -> list[str]:
        """The diagnostics in plain words, most important first."""
        if self.gap_units == 0:
            return ["The survey answers state no gap: there is nothing to plan."]
        said = [
            f"Courses can serve {self.course_units:,} of {self.gap_units:,} gap units "
            f"({_percent(self.course_share)}){_reason_text(self.course_reasons, self, 'course')}.",
            f"Recruitment can serve {self.supply_units:,} of {self.gap_units:,} gap units "
            f"({_percent(self.supply_share)}){_reason_text(self.supply_reasons, self, 'supply')}.",
        ]
        if self.capped:
            said.insert(0, self.headline())
        if self.unserved_skills and self.course_units < self.gap_units:
            top = ", ".join(
                f"{skill} ({units:,})" for skill, units in list(self.unserved_skills.items())[:5]
            )
            said.append(f"Skills with the most units no course serves: {top}.")
        first, last = self.years[0], self.years[-1]
        if self.early_rows:
            years = ", ".join(map(str, self.early_years))
            said.append(
                f"{self.early_rows:,} demand rows ({self.early_units:,} gap units) are needed by {years}, "
                f"before the plan's first year {first}: the plan treats them as due in {first}, so only "
                f"courses run in {first} and hires already productive in {first} can close them."
            )
        if self.late_rows:
            said.append(
                f"{self.late_rows:,} demand rows ({self.late_units:,} gap units) are needed after {last}, "
                f"the plan's last year: the plan treats them as due in {last}."
            )
        if self.assumed_companies:
            columns = ", ".join(
                f"{column} on {count:,} compan{'y' if count == 1 else 'ies'}"
                for column, count in self.assumed_companies.items()
            )
            said.append(
                f"Values assumed at import (a survey mapping's default for a blank answer): {columns}; "
                f"{self.assumed_rows:,} demand rows ({self.assumed_units:,} gap units) belong to these companies."
            )
        if self.assumed_demand:
            columns = ", ".join(
                f"{column} on {count:,} row{'' if count == 1 else 's'}"
                for column, count in self.assumed_demand.items()
            )
            said.append(
                f"Demand values assumed at import (a survey mapping's default, or the need a yes/no answer "
                f"stands for): {columns}; {self.assumed_need_units:,} of {self.gap_units:,} gap units rest on "
                "an assumed headcount or level."
            )
        return said

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON (``vetplan info --json``): counts, shares and the sentences."""
        return {
            "years": list(self.years),
            "gap_rows": self.gap_rows,
            "gap_units": self.gap_units,
            "course": {
                "units": self.course_units,
                "share": self.course_share,
                "unserved": dict(self.course_reasons),
            },
            "supply": {
                "units": self.supply_units,
                "share": self.supply_share,
                "unserved": dict(self.supply_reasons),
            },
            "servable": {
                "units": self.servable_units,
                "share": self.servable_share,
                "capped": self.capped,
            },
            "regions_out_of_reach": list(self.regions_out_of_reach),
            "course_regions": list(self.course_regions),
            "before_horizon": {
                "rows": self.early_rows,
                "units": self.early_units,
                "years": list(self.early_years),
                "treated_as": self.years[0],
            },
            "after_horizon": {
                "rows": self.late_rows,
                "units": self.late_units,
                "treated_as": self.years[-1],
            },
            "assumed": {
                "companies": dict(self.assumed_companies),
                "demand_rows": self.assumed_rows,
                "gap_units": self.assumed_units,
                "demand": dict(self.assumed_demand),
                "need_units": self.assumed_need_units,
            },
            "unserved_skills": dict(self.unserved_skills),
            "headline": self.headline(),
            "sentences": self.sentences(),
        }


def _percent(share: float) -> str:
    return (
        f"{100 * share:.0f} %"
        if share in (0.0, 1.0) or 0.01 <= share <= 0.99
        else f"{100 * share:.1f} %"
    )


_COURSE_WORDS: Final = {
    "no_course": "no course that runs teaches the skill",
    "level": "no course teaching the skill reaches the required level",
    "entry_level": "the courses that reach the level start above the staff's current level",
    "region": "the courses that fit run in person only outside the companies' regions",
}
_SUPPLY_WORDS: Final = {
    "no_supply": "no labour market supplies the skill in the company's region",
    "level": f"the required level is above the level {HIRE_LEVEL} a hire brings",
    "lead_time": "a hire's lead time ends after the deadline",
}


def _reason_text(reasons: dict[str, int], found: Readiness, kind: str) -> str:
    words = _COURSE_WORDS if kind == "course" else _SUPPLY_WORDS
    parts = []
    for reason, units in reasons.items():
        if not units:
            continue
        text = f"{units:,} because {words[reason]}"
        if kind == "course" and reason == "region" and found.regions_out_of_reach:
            text += (
                f" (companies in {', '.join(found.regions_out_of_reach)}; "
                f"courses in {', '.join(found.course_regions) or 'no region'})"
            )
        parts.append(text)
    return "; not served: " + "; ".join(parts) if parts else ""


def _main_cause(found: Readiness) -> str:
    """The reason behind most of the units neither a course nor a hire can serve."""
    reason, units = max(found.course_reasons.items(), key=lambda pair: pair[1])
    if units == 0:
        return "no hire can serve them"
    text = _COURSE_WORDS[reason]
    if reason == "region" and found.regions_out_of_reach:
        text = (
            f"no course serves the companies' regions ({', '.join(found.regions_out_of_reach)}); "
            f"courses run in {', '.join(found.course_regions) or 'no region'}"
        )
    supply = max(found.supply_reasons.items(), key=lambda pair: pair[1])
    if supply[1]:
        text += f", and {_SUPPLY_WORDS[supply[0]]}"
    return text


def _gap_rows(dataset: Dataset, first: int, last: int) -> pd.DataFrame:
    demand = dataset.demand.reset_index(drop=True)
    rows = demand.loc[
        is_gap(demand["required_level"], demand["current_level"], demand["headcount"])
    ]
    regions = dataset.companies["region"].astype(object)
    return pd.DataFrame(
        {
            "row": rows.index.to_numpy(),
            "company_id": rows["company_id"].astype(object).to_numpy(),
            "skill": rows["skill"].astype(object).to_numpy(),
            "current_level": rows["current_level"].astype("int64").to_numpy(),
            "required_level": rows["required_level"].astype("int64").to_numpy(),
            "needed_by": rows["needed_by"].astype("int64").to_numpy(),
            "deadline": rows["needed_by"].astype("int64").clip(first, last).to_numpy(),
            "region": rows["company_id"].map(regions).to_numpy(),
            "units": gap_units(rows["headcount"], rows["required_level"], rows["current_level"])
            .astype("int64")
            .to_numpy(),
        }
    )


def _course_reasons(gaps: pd.DataFrame, dataset: Dataset) -> tuple[pd.Series, pd.DataFrame]:
    """Per gap row the furthest :func:`course_fit` test some course passes (``served`` when all),
    and the runnable (course, skill) pairs."""
    courses = dataset.flat("courses")
    offered = dataset.course_skills.merge(courses, on="course_id", how="inner")
    offered = offered.loc[offered["max_runs_per_year"] > 0]
    offered = pd.DataFrame(
        {
            "skill": offered["skill"].astype(object).to_numpy(),
            "level": offered["level"].astype("int64").to_numpy(),
            "entry_level": offered["entry_level"].astype("int64").to_numpy(),
            "mode": offered["mode"].astype(object).to_numpy(),
            "course_region": offered["region"].astype(object).to_numpy(),
        }
    )
    pairs = gaps[["row", "skill", "current_level", "required_level", "region"]].merge(
        offered, on="skill"
    )
    codes = rules.course_reason(pairs["row"].to_numpy(), course_fit(pairs), pd.Index(gaps["row"]))
    reason = codes.map(_READINESS_REASON)
    return pd.Series(reason.to_numpy(), index=gaps.index), offered


#: The readiness names of the shared reasons of :func:`skills.rules.course_reason`.
_READINESS_REASON: Final = {
    rules.NO_COURSE_FOR_SKILL: "no_course",
    rules.NO_COURSE_REACHES_LEVEL: "level",
    rules.ENTRY_LEVEL_TOO_HIGH: "entry_level",
    rules.NO_COURSE_IN_REGION: "region",
    rules.SERVED: "served",
}


def _supply_reasons(gaps: pd.DataFrame, dataset: Dataset, first: int) -> pd.Series:
    """Per gap row why no hire serves it (as the model's hire options: same skill and region,
    hires available, a level a hire brings, productive by the deadline), or ``served``."""
    supply = dataset.supply
    markets = pd.DataFrame(
        {
            "skill": supply["skill"].astype(object).to_numpy(),
            "region": supply["region"].astype(object).to_numpy(),
            "lag": hire_lag_years(supply["lead_time_months"].astype("int64")).to_numpy(),
        }
    ).loc[(supply["hires_available_per_year"].astype("int64") > 0).to_numpy()]
    shortest = markets.groupby(["skill", "region"])["lag"].min()
    keys = pd.MultiIndex.from_arrays([gaps["skill"], gaps["region"]])
    lag = pd.Series(shortest.reindex(keys).to_numpy(), index=gaps.index)
    reason = pd.Series("served", index=gaps.index, dtype=object)
    reason[(first + lag > gaps["deadline"]).to_numpy()] = "lead_time"
    reason[~hire_can_close(gaps["required_level"])] = "level"
    reason[lag.isna().to_numpy()] = "no_supply"
    return reason


def _assumed(dataset: Dataset, assumed: pd.DataFrame | None) -> dict[str, set[str]]:
    """Column -> companies whose value was assumed: the companies' ``assumed`` flags (as stored),
    and the import's list when one is given (:attr:`skills.io.ImportResult.assumed`)."""
    found: dict[str, set[str]] = {}
    if "assumed" in dataset.companies.columns:
        for company_id, cell in dataset.companies["assumed"].dropna().items():
            for column in assumed_names(cell):
                found.setdefault(column, set()).add(str(company_id))
    if assumed is not None and len(assumed):
        known = set(dataset.companies.index.astype(str))
        for company_id, column in zip(
            assumed["company_id"].astype(str), assumed["column"].astype(str), strict=True
        ):
            if company_id in known:
                found.setdefault(column, set()).add(company_id)
    return {column: found[column] for column in sorted(found)}


def readiness(
    dataset: Dataset,
    years: list[int],
    settings: Settings | None = None,
    *,
    assumed: pd.DataFrame | None = None,
) -> Readiness:
    """Measure what a plan over ``years`` can reach with this data, before any solve.

    Parameters
    ----------
    dataset
        The region's tables.
    years
        The plan's horizon (a scenario's ``years``), in order.
    settings
        vetplan's settings; the diagnostics depend on none of them today (kept so that callers
        need not change when one does).
    assumed
        Values an import assumed (:attr:`skills.io.ImportResult.assumed`: ``company_id``,
        ``column``); an ``assumed`` column of the companies table counts too.

    Returns
    -------
    Readiness
        Units some course serves (same tests as the model, :func:`skills.rules.course_fit`,
        deadlines clipped to the horizon as :mod:`optimisation.sets` does), units some hire
        serves, demand due before or after the horizon, and the assumed values.

    Raises
    ------
    InputError
        When ``years`` is empty or not increasing.
    """
    del settings  # no setting changes the diagnostics yet
    if not years or any(later <= earlier for earlier, later in itertools.pairwise(years)):
        msg = f"readiness needs the plan's years in increasing order, not {years!r}"
        raise InputError(msg)
    first, last = int(years[0]), int(years[-1])
    gaps = _gap_rows(dataset, first, last)
    course, offered = _course_reasons(gaps, dataset)
    supply = _supply_reasons(gaps, dataset, first)
    units = gaps["units"]
    by_course = units.groupby(course).sum()
    by_supply = units.groupby(supply).sum()
    servable = int(units[(course == "served") | (supply == "served")].sum())
    out_of_reach = gaps.loc[course == "region", "region"].dropna().astype(str)
    taught = offered.loc[
        offered["skill"].isin(set(gaps["skill"])) & (offered["mode"] != "online"), "course_region"
    ]
    unserved = units[course != "served"].groupby(gaps.loc[course != "served", "skill"]).sum()
    demand = dataset.demand
    needed_by = demand["needed_by"].astype("int64")
    demand_units = gap_units(
        demand["headcount"], demand["required_level"], demand["current_level"]
    ).astype("int64")
    early = needed_by < first
    late = needed_by > last
    flagged = _assumed(dataset, assumed)
    with_assumed = (
        demand["company_id"].astype(str).isin(set().union(*flagged.values()) if flagged else set())
    )
    flags = (
        demand["assumed"].map(assumed_names)
        if "assumed" in demand.columns
        else pd.Series([[]] * len(demand), index=demand.index, dtype=object)
    )
    per_column = {
        column: int(flags.map(lambda names, c=column: c in names).sum())
        for column in ASSUMABLE_COLUMNS["demand"]
    }
    sized = flags.map(
        lambda names: bool({"headcount", "current_level", "required_level"} & set(names))
    ).astype(bool)
    skills = dataset.flat("skills")
    skill_labels = dict(zip(skills["skill_id"].astype(str), skills["label"].astype(str), strict=True))
    return Readiness(
        years=tuple(int(year) for year in years),
        gap_rows=len(gaps),
        gap_units=int(units.sum()),
        course_units=int(by_course.get("served", 0)),
        course_reasons={reason: int(by_course.get(reason, 0)) for reason in COURSE_REASONS},
        supply_units=int(by_supply.get("served", 0)),
        supply_reasons={reason: int(by_supply.get(reason, 0)) for reason in SUPPLY_REASONS},
        servable_units=servable,
        regions_out_of_reach=tuple(sorted(set(out_of_reach))),
        course_regions=tuple(sorted(set(taught.dropna().astype(str)))),
        early_rows=int(early.sum()),
        early_units=int(demand_units[early].sum()),
        early_years=tuple(sorted(int(year) for year in set(needed_by[early]))),
        late_rows=int(late.sum()),
        late_units=int(demand_units[late].sum()),
        assumed_companies={column: len(companies) for column, companies in flagged.items()},
        assumed_rows=int(with_assumed.sum()),
        assumed_units=int(demand_units[with_assumed.to_numpy()].sum()),
        assumed_demand={column: count for column, count in per_column.items() if count},
        assumed_need_units=int(demand_units[sized.to_numpy()].sum()),
        unserved_skills={
            str(skill_labels.get(str(skill), skill)): int(count)
            for skill, count in unserved.sort_values(ascending=False, kind="stable").items()
            if count
        },
    )
