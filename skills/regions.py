"""NUTS regions: the one rule for whether a course's region serves a company's region."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

#: NUTS code -> the region's name as Eurostat writes it (Danish regions keep their Danish names in both
#: languages). Codes of the sample's tiers and their parents; a code not listed is shown as written.
NUTS_NAMES: Final[dict[str, str]] = {
    "DK": "Danmark",
    "DK0": "Danmark",
    "DK01": "Hovedstaden",
    "DK011": "Byen København",
    "DK012": "Københavns omegn",
    "DK013": "Nordsjælland",
    "DK014": "Bornholm",
    "DK02": "Sjælland",
    "DK021": "Østsjælland",
    "DK022": "Vest- og Sydsjælland",
    "DK03": "Syddanmark",
    "DK031": "Fyn",
    "DK032": "Sydjylland",
    "DK04": "Midtjylland",
    "DK041": "Vestjylland",
    "DK042": "Østjylland",
    "DK05": "Nordjylland",
    "DK050": "Nordjylland",
    "DE94": "Weser-Ems",
    "NL11": "Groningen",
    "NO0A": "Vestlandet",
    "UKM5": "North Eastern Scotland",
}


def region_name(code: object) -> str:
    """What a person reads for the NUTS region ``code``: its name, or the code when the name is not known.

    >>> region_name("DK041"), region_name("DK04"), region_name("XX9")
    ('Vestjylland', 'Midtjylland', 'XX9')
    """
    text = "" if code is None or code is pd.NA else str(code).strip()
    return NUTS_NAMES.get(text, text)


def region_names(codes: pd.Series) -> pd.Series:
    """:func:`region_name` of each code of ``codes`` (missing cells stay missing)."""
    return codes.map(lambda code: code if code is None or code is pd.NA or (isinstance(code, float) and np.isnan(code)) else region_name(code))


#: Columns that hold a region: shown by name in every table people read.
REGION_COLUMNS: Final = ("region", "course_region")


def named_regions(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as people read it: each region column's NUTS codes replaced by the regions' names.

    Where a column held a code with a known name, the codes stay in ``<column>_code`` right after it
    (for analysts); a column already named (or holding only ``online``, ``:c`` or ``Total``) is left as
    it is, so calling this twice changes nothing.

    >>> named_regions(pd.DataFrame({"region": ["DK041", "online"], "runs": [2, 1]})).to_dict("list")
    {'region': ['Vestjylland', 'online'], 'region_code': ['DK041', 'online'], 'runs': [2, 1]}
    """
    shown = frame
    for column in REGION_COLUMNS:
        if column not in shown.columns or f"{column}_code" in shown.columns:
            continue
        codes = shown[column].astype("object")
        names = region_names(codes)
        if not (codes.notna() & (codes.astype("string") != names.astype("string"))).any():
            continue  # nothing to name: already names, or online, :c, Total
        shown = shown.copy() if shown is frame else shown
        shown.insert(list(shown.columns).index(column) + 1, f"{column}_code", shown[column])
        shown[column] = names
    return shown


def same_area(company_region: pd.Series, course_region: pd.Series) -> np.ndarray:
    """True where one NUTS code starts with the other, position by position.

    A course registered for ``DK04`` (Central Denmark) serves a company in
    ``DK041`` (Vestjylland) and the other way round; ``DK041`` and ``DK042``
    are different areas. Gap coverage, the optimiser and the plan checker all
    use this rule for in-person and blended courses (online courses serve every
    region).

    >>> same_area(pd.Series(["DK041", "DK041", "DK04"]), pd.Series(["DK04", "DK042", "DK042"])).tolist()
    [True, False, True]
    """
    left = company_region.astype("string").fillna("").reset_index(drop=True)
    right = course_region.astype("string").fillna("").reset_index(drop=True)
    length = np.minimum(left.str.len().to_numpy(dtype=np.int64), right.str.len().to_numpy(dtype=np.int64))
    same = np.zeros(len(left), dtype=bool)
    for size in np.unique(length):
        if size == 0:
            continue
        rows = length == size
        same[rows] = (left[rows].str.slice(0, int(size)) == right[rows].str.slice(0, int(size))).to_numpy(dtype=bool)
    return same
