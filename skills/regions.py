"""NUTS regions: the one rule for whether a course's region serves a company's region."""

from __future__ import annotations

import numpy as np
import pandas as pd


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
