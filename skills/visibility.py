"""What of a plan each role sees: a company its own rows, a provider its runs, a policymaker no company."""

from __future__ import annotations

from typing import Final

import pandas as pd

from skills.access import Principal, Role
from skills.errors import AccessError
from skills.gaps import size_band

#: Plan tables without company rows: region-wide figures every role that sees plans may read.
REGIONAL_TABLES: Final = frozenset({"summary", "budget", "figures", "costs"})
#: Integer columns that say where or when a row is, not how much: kept as keys when rows are pooled.
_KEY_NUMBERS: Final = frozenset({"year", "productive_year", "deadline", "required_level", "current_level", "level"})
#: Per-unit figures that do not add up when rows are pooled: dropped.
_PER_UNIT: Final = frozenset({"fee_per_participant", "cost_per_hire", "weight"})
#: What a pooled row says about the companies behind it.
POOLED_BY: Final = ("company_sector", "company_region", "size_band")


def _company_attributes(companies: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "company_id": companies["company_id"].astype("string"),
            "company_sector": companies["sector"].astype("string").fillna("unknown"),
            "company_region": companies["region"].astype("string").fillna("unknown"),
            "size_band": size_band(companies["employees"]).fillna("unknown"),
        }
    )


def pooled(frame: pd.DataFrame, companies: pd.DataFrame, min_companies: int) -> pd.DataFrame:
    """Rows of many companies pooled by sector, region and size band; no company id or name is left.

    A pooled row from fewer than ``min_companies`` companies keeps its keys but its figures
    are withheld (missing), as a gap table's cell of too few companies is.
    """
    attributes = _company_attributes(companies)
    rows = frame.assign(company_id=frame["company_id"].astype("string")).merge(attributes, on="company_id", how="left")
    drop = {"company_id", "name", "company_name", *_PER_UNIT}
    numeric = [c for c in rows.columns if c not in drop and pd.api.types.is_numeric_dtype(rows[c]) and c not in _KEY_NUMBERS]
    keys = [c for c in rows.columns if c not in drop and c not in numeric]
    grouped = rows.groupby(keys, dropna=False, sort=True)
    result = grouped[numeric].sum().reset_index() if numeric else grouped.size().reset_index()[keys]
    result["companies"] = grouped["company_id"].nunique().to_numpy()
    too_few = result["companies"] < min_companies
    for column in numeric:
        result[column] = result[column].astype("Float64").mask(too_few)
    return result


def plan_table(
    name: str,
    frame: pd.DataFrame,
    principal: Principal,
    *,
    companies: pd.DataFrame,
    participants: pd.DataFrame | None,
    min_companies: int,
) -> pd.DataFrame:
    """The rows of one plan table that ``principal`` may see.

    - analysts and admins: every row;
    - a company: its own rows, the runs its staff attend, and the region-wide figures;
    - a provider: the runs of its own courses, and the region-wide figures;
    - a policymaker: rows of companies pooled by sector, region and size band (:func:`pooled`).

    Raises
    ------
    AccessError
        For a table the role may not see at all (explanations that name companies, say).
    """
    if principal.sees_everything or name in REGIONAL_TABLES:
        return frame
    if principal.role is Role.COMPANY:
        if "company_id" in frame.columns:
            return frame[frame["company_id"].astype("string") == principal.company_id].reset_index(drop=True)
        if name == "runs" and participants is not None:
            own = participants[participants["company_id"].astype("string") == principal.company_id]
            attended = frame.merge(own[["year", "course_id"]].drop_duplicates(), on=["year", "course_id"])
            return attended.reset_index(drop=True)
    elif principal.role is Role.PROVIDER:
        if name == "runs":
            return frame[frame["provider"].astype("string") == principal.provider].reset_index(drop=True)
    elif principal.role is Role.POLICYMAKER:
        if "company_id" in frame.columns:
            return pooled(frame, companies, min_companies)
        if name == "runs":
            return frame
    msg = f"the plan table {name!r} is not open to the {principal.role} role"
    raise AccessError(msg)
