"""The region's data as one object: typed tables, entities indexed by id, links as long tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import ClassVar

import pandas as pd

from skills.errors import InputError, Problem
from skills.schemas import TABLES, check_references, restore, validate


def _empty(name: str) -> pd.DataFrame:
    table = TABLES[name]
    frame = pd.DataFrame({col: pd.Series(dtype=str(spec.dtype)) for col, spec in table.schema.columns.items()})
    return frame


@dataclass
class Dataset:
    """All tables of one region.

    ``skills``, ``companies`` and ``courses`` are indexed by their id;
    ``demand``, ``course_skills`` and ``supply`` are long tables with a
    RangeIndex. Every frame has the columns of its contract in
    :mod:`skills.schemas`, typed.
    """

    skills: pd.DataFrame
    companies: pd.DataFrame
    demand: pd.DataFrame
    courses: pd.DataFrame
    course_skills: pd.DataFrame
    supply: pd.DataFrame

    INDEXED: ClassVar[dict[str, str]] = {"skills": "skill_id", "companies": "company_id", "courses": "course_id"}

    @classmethod
    def empty(cls) -> Dataset:
        return cls.from_frames({})

    @classmethod
    def from_frames(
        cls, frames: Mapping[str, pd.DataFrame], *, check_links: bool = True
    ) -> Dataset:
        """Validate ``frames`` (table name -> frame; missing tables are empty) and build a Dataset.

        Raises :class:`InputError` with every problem found, including links to
        unknown companies, courses or skills when ``check_links`` is set.
        """
        typed: dict[str, pd.DataFrame] = {}
        problems: list[Problem] = []
        for name in TABLES:
            frame = frames.get(name)
            if frame is None:
                typed[name] = _empty(name)
                continue
            try:
                typed[name], _ = validate(name, frame)
            except InputError as error:
                problems.extend(error.problems)
        if problems:
            msg = f"{len(problems)} problem(s) in the data"
            raise InputError(msg, problems)
        if check_links:
            problems = check_references(typed)
            if problems:
                msg = f"{len(problems)} link(s) to unknown ids"
                raise InputError(msg, problems)
        return cls(**{name: cls._index(name, frame) for name, frame in typed.items()})

    @classmethod
    def from_stored(cls, frames: Mapping[str, pd.DataFrame]) -> Dataset:
        """A Dataset from tables read back from the database: types restored, not validated again.

        Every stored row was validated when it was written (:meth:`from_frames`), so
        reading only gives the columns their contract's types.
        """
        return cls(**{name: cls._index(name, restore(name, frames[name]) if name in frames else _empty(name)) for name in TABLES})

    @classmethod
    def _index(cls, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        id_column = cls.INDEXED.get(name)
        if id_column is None:
            return frame.reset_index(drop=True)
        return frame.set_index(id_column)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Table name -> frame, with id columns as index for entity tables."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def flat(self, name: str) -> pd.DataFrame:
        """Table ``name`` with its id as a column (the form files and the database use)."""
        frame: pd.DataFrame = getattr(self, name)
        return frame.reset_index() if name in self.INDEXED else frame.copy()

    def gap_unit_total(self) -> int:
        """Gap units of the whole region (:func:`skills.rules.gap_units` summed over every survey answer)."""
        from skills.rules import gap_units

        demand = self.demand
        return int(gap_units(demand["headcount"], demand["required_level"], demand["current_level"]).sum()) if len(demand) else 0

    def counts(self) -> dict[str, int]:
        """Headline counts of the region."""
        return {
            "companies": len(self.companies),
            "employees": int(self.companies["employees"].sum()) if len(self.companies) else 0,
            "courses": len(self.courses),
            "providers": int(self.courses["provider"].nunique()),
            "skills": len(self.skills),
            "demand_rows": len(self.demand),
            "gap_units": self.gap_unit_total(),
            "course_skills": len(self.course_skills),
            "supply_rows": len(self.supply),
        }
