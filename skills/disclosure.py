"""Statistical disclosure control: primary and secondary suppression of aggregate tables."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Final

import numpy as np
import pandas as pd

from skills.settings import Settings

#: What a suppressed value is shown as (the Eurostat flag for "confidential").
CONFIDENTIAL: Final = ":c"
#: How a margin (total) shows in a key column of a displayed table.
TOTAL_LABEL: Final = "Total"

PRIMARY_COUNT: Final = "primary-count"
PRIMARY_DOMINANCE: Final = "primary-dominance"
SECONDARY: Final = "secondary"
REASONS: Final = ("", PRIMARY_COUNT, PRIMARY_DOMINANCE, SECONDARY)

#: Columns every aggregate carries besides its keys and values.
CONTRIBUTORS: Final = "contributors"
TOP_SHARE: Final = "top_share"
IS_TOTAL: Final = "is_total"
SUPPRESSED: Final = "suppressed"
REASON: Final = "reason"
#: Column holding the band (range) shown instead of the values of a cell with too few companies.
BAND: Final = "band"

SUPPRESSION: Final = "suppression"
PERTURBATION: Final = "perturbation"
METHODS: Final = (PERTURBATION, SUPPRESSION)
#: The perturbation table: a cell key picks one of these shares of the largest noise (never 0, at most 15/16).
PERTURBATION_TABLE: Final = np.arange(-15, 16, 2) / 16
#: Spreads a cell's value over the keys, so that two values of one set of companies get different noise.
_VALUE_KEY: Final = (np.sqrt(5.0) - 1) / 2
#: Lower edges of the bands a small cell's main figure is shown in (the last band is open).
BAND_EDGES: Final = (1, 5, 10, 20, 50, 100, 200, 500, 1000)


#: The settings' fields: their defaults are the rules' defaults (one source).
_DEFAULTS: Final = Settings.model_fields


@dataclass(frozen=True)
class Rules:
    """Thresholds of the primary suppression rules.

    Attributes
    ----------
    min_contributors
        A cell built from fewer contributors (companies) is suppressed.
    dominance_n, dominance_k
        The (n, k) dominance rule: a cell is suppressed when its ``n`` largest
        contributors hold more than ``k`` (a share, 0–1) of a magnitude.
    """

    min_contributors: int = _DEFAULTS["min_companies_per_cell"].default
    dominance_n: int = _DEFAULTS["dominance_n"].default
    dominance_k: float = _DEFAULTS["dominance_k"].default
    method: str = _DEFAULTS["disclosure_method"].default
    noise_scale: float = _DEFAULTS["noise_scale"].default
    secret: str = _DEFAULTS["cell_key_secret"].default

    def sentence(self) -> str:
        """The method and its parameters in words, for the caption beside a protected table.

        >>> Rules(method="suppression").sentence()
        'Cells from fewer than 3 companies, or where the 2 largest hold more than 85 % of any figure in the cell, are suppressed and shown as :c.'
        >>> print(Rules(method="perturbation").sentence())
        Figures are perturbed by cell-key noise of up to 50 % of the largest company's part of the cell: the same cell shows the same figure in every table, and totals are perturbed on their own, so they need not add up. A cell from fewer than 3 companies shows only a band of its main figure (1–4, 5–9, 10–19, 20–49, 50–99, 100–199, …) and :c for the rest.
        """
        if self.method == PERTURBATION:
            bands = ", ".join(band_labels()[:6])
            return (
                f"Figures are perturbed by cell-key noise of up to {100 * self.noise_scale:g} % of the largest company's "
                "part of the cell: the same cell shows the same figure in every table, and totals are perturbed on their "
                f"own, so they need not add up. A cell from fewer than {self.min_contributors} companies shows only a band "
                f"of its main figure ({bands}, …) and {CONFIDENTIAL} for the rest."
            )
        return (
            f"Cells from fewer than {self.min_contributors} companies, or where the {self.dominance_n} largest hold more than "
            f"{100 * self.dominance_k:g} % of any figure in the cell, are suppressed and shown as :c."
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        """The rules set in :class:`~skills.settings.Settings`."""
        return cls(
            min_contributors=settings.min_companies_per_cell,
            dominance_n=settings.dominance_n,
            dominance_k=settings.dominance_k,
            method=settings.disclosure_method,
            noise_scale=settings.noise_scale,
            secret=settings.cell_key_secret,
        )


    def __post_init__(self) -> None:
        if self.method not in METHODS:
            msg = f"unknown disclosure method {self.method!r}; expected one of {', '.join(METHODS)}"
            raise ValueError(msg)


def _key_subsets(keys: Sequence[str], margins: bool) -> list[tuple[str, ...]]:
    """The finest cells first, then every margin (fewer keys), down to the grand total."""
    if not margins:
        return [tuple(keys)]
    return [subset for size in range(len(keys), -1, -1) for subset in combinations(keys, size)]


def _check_contributions(
    contributions: pd.DataFrame, keys: Sequence[str], values: Sequence[str], contributor: str
) -> None:
    missing = [name for name in (*keys, contributor, *values) if name not in contributions.columns]
    if missing:
        msg = f"contributions lack the column(s) {', '.join(missing)}"
        raise ValueError(msg)
    if not values:
        msg = "at least one value column is needed"
        raise ValueError(msg)
    if contributions[list(keys)].isna().any().any():
        msg = "key columns of the contributions must not be missing (missing marks a total)"
        raise ValueError(msg)
    if contributions[list(values)].isna().any().any():
        msg = "values must not be missing"
        raise ValueError(msg)
    if (contributions[list(values)] < 0).any().any():
        msg = "values must not be negative"
        raise ValueError(msg)


def aggregate(
    contributions: pd.DataFrame,
    keys: Sequence[str],
    values: Sequence[str],
    *,
    contributor: str = "company_id",
    top_n: int = 2,
    margins: bool = True,
) -> pd.DataFrame:
    """Sum ``values`` over ``keys``, with per-cell disclosure statistics.

    Parameters
    ----------
    contributions
        Detail rows: the ``keys`` of the cell a row belongs to, the
        ``contributor`` (company) and the non-negative ``values``.
    keys
        Key columns of the cells (one for a 1-D table, two for a 2-D table).
    values
        Additive magnitudes to sum; each is checked by the dominance rule.
    contributor
        Column naming who a row comes from.
    top_n
        The n of the dominance rule: ``top_share`` is the largest share the
        ``top_n`` largest contributors hold of any of the ``values``.
    margins
        Add the totals: every subset of ``keys`` down to the grand total. In a
        total row the keys summed over are missing (``<NA>``).

    Returns
    -------
    pandas.DataFrame
        ``keys``, ``values``, ``contributors`` (contributors with a positive
        value in the cell), ``top_share`` and ``is_total``; cells first in key
        order, then the margins, RangeIndex.
    """
    return _aggregate(
        contributions, keys, values, contributor=contributor, top_n=top_n, margins=margins
    )[0]


def _aggregate(
    contributions: pd.DataFrame,
    keys: Sequence[str],
    values: Sequence[str],
    *,
    contributor: str,
    top_n: int,
    margins: bool,
    secret: str | None = None,
) -> tuple[pd.DataFrame, _Statistics]:
    """:func:`aggregate`, with the per-column statistics of every row (and cell keys when ``secret`` is given)."""
    keys = list(keys)
    values = list(values)
    _check_contributions(contributions, keys, values, contributor)
    codes: list[np.ndarray] = []
    uniques: list[pd.Index] = []
    for key in keys:
        key_codes, key_uniques = pd.factorize(contributions[key], sort=True)
        codes.append(key_codes.astype(np.int64))
        uniques.append(pd.Index(key_uniques))
    who_codes, who_uniques = pd.factorize(contributions[contributor])
    who = who_codes.astype(np.int64)
    keys_of_who = (
        record_keys(pd.Index(who_uniques).astype(str), secret) if secret is not None else None
    )
    amounts = contributions[values].to_numpy(dtype="float64")
    parts: list[pd.DataFrame] = []
    statistics: list[_Statistics] = []
    for subset in _key_subsets(keys, margins):
        positions = [keys.index(key) for key in subset]
        cell_codes, cell_of_row = _cells_of_rows(codes, uniques, positions, len(contributions))
        stats = _cell_statistics(cell_of_row, who, amounts, len(cell_codes), top_n, keys_of_who)
        statistics.append(stats)
        cells = pd.DataFrame(index=pd.RangeIndex(len(cell_codes)))
        for position, key in enumerate(keys):
            dtype = contributions[key].dtype
            if position in positions:
                column = cell_codes[:, positions.index(position)]
                cells[key] = pd.Series(uniques[position].take(column), index=cells.index).astype(
                    dtype
                )
            else:
                cells[key] = pd.Series(pd.NA, index=cells.index, dtype=dtype)
        for index, value in enumerate(values):
            cells[value] = stats.totals[:, index]
        cells[CONTRIBUTORS] = stats.contributors
        cells[TOP_SHARE] = stats.top_share
        cells[IS_TOTAL] = len(subset) < len(keys)
        parts.append(cells)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    for key in keys:
        table[key] = table[key].astype(contributions[key].dtype)
    for value in values:
        dtype = contributions[value].dtype
        if pd.api.types.is_integer_dtype(dtype):
            table[value] = table[value].round().astype(dtype)
        else:
            table[value] = table[value].astype(dtype)
    table[CONTRIBUTORS] = table[CONTRIBUTORS].astype("Int64")
    table[TOP_SHARE] = table[TOP_SHARE].astype("Float64")
    table[IS_TOTAL] = table[IS_TOTAL].astype(bool)
    width = len(values)
    merged = _Statistics(
        totals=np.concatenate([item.totals for item in statistics]) if statistics else np.zeros((0, width)),
        contributors=np.concatenate([item.contributors for item in statistics]) if statistics else np.zeros(0),
        top_share=np.concatenate([item.top_share for item in statistics]) if statistics else np.zeros(0),
        column_contributors=np.concatenate([item.column_contributors for item in statistics])
        if statistics
        else np.zeros((0, width)),
        largest=np.concatenate([item.largest for item in statistics]) if statistics else np.zeros((0, width)),
        key_sum=np.concatenate([item.key_sum for item in statistics]) if statistics else np.zeros((0, width)),
    )
    return table[[*keys, *values, CONTRIBUTORS, TOP_SHARE, IS_TOTAL]], merged


def _cells_of_rows(
    codes: Sequence[np.ndarray], uniques: Sequence[pd.Index], positions: Sequence[int], rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct cells (one column of key codes per key in ``positions``) and each row's cell number."""
    if not positions:
        cell_of_row = np.zeros(rows, dtype=np.int64)
        return np.zeros((1 if rows else 0, 0), dtype=np.int64), cell_of_row
    shape = tuple(max(len(uniques[position]), 1) for position in positions)
    flat = np.ravel_multi_index(tuple(codes[position] for position in positions), shape)
    distinct, cell_of_row = np.unique(flat, return_inverse=True)
    cell_codes = np.stack(np.unravel_index(distinct, shape), axis=1).astype(np.int64)
    return cell_codes, cell_of_row.astype(np.int64).reshape(-1)


@dataclass(frozen=True)
class _Statistics:
    totals: np.ndarray  # cells × values
    contributors: np.ndarray  # cells
    top_share: np.ndarray  # cells
    column_contributors: np.ndarray  # cells × values: contributors with a positive value in the column
    largest: np.ndarray  # cells × values: the largest contributor's part
    key_sum: np.ndarray  # cells × values: sum of the record keys of the column's contributors


def _cell_statistics(
    cell_of_row: np.ndarray,
    who: np.ndarray,
    amounts: np.ndarray,
    cells: int,
    top_n: int,
    keys_of_who: np.ndarray | None = None,
) -> _Statistics:
    """Totals, contributors with a positive value, the top-n share, and per column the contributors, largest part and key sum."""
    width = amounts.shape[1]
    contributors_count = int(who.max()) + 1 if len(who) else 1
    pair, pair_of_row = np.unique(cell_of_row * contributors_count + who, return_inverse=True)
    pair_of_row = pair_of_row.reshape(-1)
    pair_cell = pair // contributors_count
    pair_amounts = np.zeros((len(pair), width))
    np.add.at(pair_amounts, pair_of_row, amounts)
    totals = np.zeros((cells, width))
    np.add.at(totals, pair_cell, pair_amounts)
    positive = (pair_amounts > 0).any(axis=1) if width else np.zeros(len(pair), dtype=bool)
    contributors = np.bincount(pair_cell, weights=positive, minlength=cells).astype(np.int64)
    pair_who = pair % contributors_count
    pair_key = keys_of_who[pair_who] if keys_of_who is not None else np.zeros(len(pair))
    column_contributors = np.zeros((cells, width))
    largest = np.zeros((cells, width))
    key_sum = np.zeros((cells, width))
    for column in range(width):
        positive_part = pair_amounts[:, column] > 0
        column_contributors[:, column] = np.bincount(pair_cell, weights=positive_part, minlength=cells)
        np.maximum.at(largest[:, column], pair_cell, pair_amounts[:, column])
        key_sum[:, column] = np.bincount(pair_cell, weights=pair_key * positive_part, minlength=cells)
    top_share = np.zeros(cells)
    for column in range(width):
        order = np.lexsort((-pair_amounts[:, column], pair_cell))
        sorted_cells = pair_cell[order]
        rank = np.arange(len(order)) - np.searchsorted(sorted_cells, sorted_cells, side="left")
        among_top = rank < top_n
        top = np.bincount(
            sorted_cells[among_top], weights=pair_amounts[order, column][among_top], minlength=cells
        )
        total = totals[:, column]
        share = np.divide(top, total, out=np.zeros(cells), where=total > 0)
        top_share = np.maximum(top_share, share)
    return _Statistics(
        totals=totals,
        contributors=contributors,
        top_share=top_share,
        column_contributors=column_contributors,
        largest=largest,
        key_sum=key_sum,
    )


def primary(table: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Flag cells failing the count rule or the (n, k) dominance rule.

    Adds ``suppressed`` and ``reason`` (``primary-count`` before
    ``primary-dominance`` when both fail; empty when published).
    """
    few = (table[CONTRIBUTORS] < rules.min_contributors).to_numpy(dtype=bool)
    dominated = (table[TOP_SHARE] > rules.dominance_k).to_numpy(dtype=bool)
    reason = np.where(few, PRIMARY_COUNT, np.where(dominated, PRIMARY_DOMINANCE, ""))
    flagged = table.copy()
    flagged[SUPPRESSED] = few | dominated
    flagged[REASON] = pd.array(reason, dtype="string")
    return flagged


@dataclass(frozen=True)
class _Lines:
    """Membership of table rows in additive lines: each line is cells plus their total."""

    line: np.ndarray  # line number of each membership
    entry: np.ndarray  # table row (position) of each membership
    is_line_total: np.ndarray  # the entry is the line's total
    count: int  # number of lines


def _lines(table: pd.DataFrame, keys: Sequence[str]) -> _Lines:
    """Every line of a table with margins.

    For each key ``k``, the rows sharing all other keys form a line: the rows
    with ``k`` set are its cells, the row with ``k`` missing is its total. A
    1-D table has one line (cells and grand total); a 2-D table has its rows,
    its columns and the two margins.
    """
    lines: list[np.ndarray] = []
    entries: list[np.ndarray] = []
    totals: list[np.ndarray] = []
    offset = 0
    positions = np.arange(len(table))
    for key in keys:
        others = [other for other in keys if other != key]
        if others:
            group = table.groupby(others, dropna=False, sort=False).ngroup().to_numpy()
        else:
            group = np.zeros(len(table), dtype=np.int64)
        lines.append(group + offset)
        entries.append(positions)
        totals.append(table[key].isna().to_numpy(dtype=bool))
        offset += int(group.max()) + 1 if len(group) else 0
    line = np.concatenate(lines) if lines else np.array([], dtype=np.int64)
    entry = np.concatenate(entries) if entries else np.array([], dtype=np.int64)
    is_line_total = np.concatenate(totals) if totals else np.array([], dtype=bool)
    # a line without a total row (table built without margins) publishes no sum
    has_total = np.bincount(line, weights=is_line_total, minlength=offset) > 0
    keep = has_total[line] if len(line) else np.array([], dtype=bool)
    return _Lines(line[keep], entry[keep], is_line_total[keep], offset)


def unsafe_lines(table: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Lines (cells plus their total) with exactly one suppressed member.

    Such a suppressed value can be recovered from the others by addition. A
    protected table has none. Returns the rows of the suppressed members.
    """
    lines = _lines(table, keys)
    suppressed = table[SUPPRESSED].to_numpy(dtype=bool)
    counts = np.bincount(lines.line, weights=suppressed[lines.entry], minlength=lines.count)
    lone = (counts[lines.line] == 1) & suppressed[lines.entry]
    return table.iloc[np.unique(lines.entry[lone])]


def secondary(table: pd.DataFrame, keys: Sequence[str], rank: str) -> pd.DataFrame:
    """Suppress complementary cells until no suppressed value follows from a total.

    In every line with exactly one suppressed member (a cell or the line's
    total), the unsuppressed cell with the smallest ``rank`` value (ties: the
    earlier row) is suppressed too; a total only when no cell is left.
    Repeats until no line has exactly one suppressed member.
    """
    lines = _lines(table, keys)
    suppressed = table[SUPPRESSED].to_numpy(dtype=bool).copy()
    reason = table[REASON].to_numpy(dtype=object).copy()
    rank_values = table[rank].astype("float64").to_numpy()
    members = pd.DataFrame(
        {
            "line": lines.line,
            "entry": lines.entry,
            "is_line_total": lines.is_line_total,
            "rank": rank_values[lines.entry],
        }
    )
    while True:
        member_suppressed = suppressed[lines.entry]
        counts = np.bincount(lines.line, weights=member_suppressed, minlength=lines.count)
        unsafe = (counts[lines.line] == 1) & ~member_suppressed
        if not unsafe.any():
            break
        candidates = members[unsafe].sort_values(
            ["line", "is_line_total", "rank", "entry"], kind="stable"
        )
        chosen = candidates.drop_duplicates("line")["entry"].to_numpy()
        suppressed[chosen] = True
        reason[chosen] = SECONDARY
    protected = table.copy()
    protected[SUPPRESSED] = suppressed
    protected[REASON] = pd.array(reason, dtype="string")
    return protected


def protect(
    contributions: pd.DataFrame,
    keys: Sequence[str],
    values: Sequence[str],
    rules: Rules,
    *,
    contributor: str = "company_id",
    rank: str | None = None,
) -> pd.DataFrame:
    """Aggregate with margins and protect: cell-key perturbation or suppression, as ``rules.method`` says.

    With ``perturbation`` see :func:`perturb`. With ``suppression``: primary
    and secondary suppression; ``rank`` (default: the first of ``values``) orders candidate cells for
    secondary suppression. Returns the table of :func:`aggregate` with
    ``suppressed`` and ``reason``; values are still present: pass it through
    :func:`publishable` before it leaves the program.
    """
    if rules.method == PERTURBATION:
        return perturb(contributions, keys, values, rules, contributor=contributor)
    table = aggregate(contributions, keys, values, contributor=contributor, top_n=rules.dominance_n)
    flagged = primary(table, rules)
    return secondary(flagged, keys, rank or values[0])


def unprotected(table: pd.DataFrame) -> pd.DataFrame:
    """Mark every cell as published: a company's own view of its own data."""
    own = table.copy()
    own[SUPPRESSED] = False
    own[REASON] = pd.array([""] * len(own), dtype="string")
    return own


def publishable(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The table as it may be shown: ``columns`` blanked in suppressed rows.

    ``top_share`` is dropped: together with a cell's total and contributor
    count it can reveal a contributor's value.
    """
    shown = table.drop(columns=[TOP_SHARE], errors="ignore").copy()
    hidden = shown[SUPPRESSED].to_numpy(dtype=bool)
    for name in columns:
        column = shown[name]
        if column.dtype == bool:
            column = column.astype("boolean")
        elif pd.api.types.is_integer_dtype(column.dtype):
            column = column.astype("Int64")
        shown[name] = column.mask(hidden)
    return shown


def display(
    table: pd.DataFrame,
    columns: Sequence[str],
    keys: Sequence[str] = (),
    *,
    keep_reason: bool = False,
    decimals: int = 2,
    confidential_when_missing: Sequence[str] = (),
) -> pd.DataFrame:
    """Turn a protected table into what a person reads.

    Suppressed ``columns`` show ``:c``, and so does a missing value of
    ``confidential_when_missing`` (figures missing only when withheld); missing ``keys`` in total rows show
    ``Total``; floats are rounded to ``decimals``. ``reason`` is dropped unless
    ``keep_reason``. Every column becomes ``object`` dtype.
    """
    shown = table.drop(columns=[TOP_SHARE], errors="ignore").astype(object)
    hidden = table[SUPPRESSED].to_numpy(dtype=bool)
    for name in table.columns:
        if name in shown.columns and pd.api.types.is_float_dtype(table[name].dtype):
            shown[name] = table[name].round(decimals).astype(object)
    shown = shown.where(table.notna().drop(columns=[TOP_SHARE], errors="ignore"), None)
    for name in columns:
        shown.loc[hidden, name] = CONFIDENTIAL
    for name in confidential_when_missing:
        shown.loc[table[name].isna().to_numpy(dtype=bool), name] = CONFIDENTIAL
    if IS_TOTAL in table.columns:
        total_rows = table[IS_TOTAL].to_numpy(dtype=bool)
        for key in keys:
            shown.loc[total_rows & table[key].isna().to_numpy(dtype=bool), key] = TOTAL_LABEL
    if not keep_reason:
        shown = shown.drop(columns=[REASON], errors="ignore")
    return shown


def band_labels() -> list[str]:
    """The band labels, smallest first: ``1–4``, ``5–9``, …, ``1000+``."""
    highs = [f"{edge - 1}" for edge in BAND_EDGES[1:]]
    labels = [f"{low}–{high}" for low, high in zip(BAND_EDGES[:-1], highs, strict=True)]
    return [*labels, f"{BAND_EDGES[-1]}+"]


def to_band(values: pd.Series) -> pd.Series:
    """The band of each positive value (``<NA>`` for missing or zero values)."""
    amounts = values.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    position = np.searchsorted(np.asarray(BAND_EDGES, dtype="float64"), amounts, side="right") - 1
    labels = np.asarray(band_labels(), dtype=object)
    valid = ~np.isnan(amounts) & (amounts > 0) & (position >= 0)
    bands = pd.Series(labels[np.clip(position, 0, len(labels) - 1)], index=values.index, dtype="string")
    return bands.where(valid)


def band_bounds(bands: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Least and greatest value each band allows (``nan`` where there is no band)."""
    labels = band_labels()
    lows = dict(zip(labels, BAND_EDGES, strict=True))
    highs = dict(zip(labels, [edge - 1 for edge in BAND_EDGES[1:]] + [np.inf], strict=True))
    low = bands.map(lows).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    high = bands.map(highs).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    return low, high


def record_keys(contributors: pd.Index, secret: str) -> np.ndarray:
    """Each contributor's fixed record key in [0, 1): SHA-256 of the secret and the contributor, as a fraction.

    The same company gets the same key in every table and every run; without
    the secret the keys cannot be recomputed.
    """
    digests = [hashlib.sha256(f"{secret}\x1f{name}".encode()).digest()[:8] for name in contributors]
    return np.array([int.from_bytes(digest, "big") for digest in digests], dtype="float64") / 2.0**64


def cell_noise(key_sum: np.ndarray, value: np.ndarray, largest: np.ndarray, scale: float) -> np.ndarray:
    """The noise of each cell: ``scale`` × largest part × the perturbation-table entry its cell key picks.

    The cell key is the fractional part of the sum of its contributors' record
    keys plus a key drawn from its value, so the same contributors and value
    always give the same noise.
    """
    cell_key = np.modf(np.modf(key_sum)[0] + np.modf(np.abs(value) * _VALUE_KEY)[0])[0]
    index = np.floor(cell_key * len(PERTURBATION_TABLE)).astype(np.int64) % len(PERTURBATION_TABLE)
    noise: np.ndarray = scale * largest * PERTURBATION_TABLE[index]
    return noise


def perturb(
    contributions: pd.DataFrame,
    keys: Sequence[str],
    values: Sequence[str],
    rules: Rules,
    *,
    contributor: str = "company_id",
) -> pd.DataFrame:
    """Aggregate with margins and protect by cell-key perturbation, with bands for cells of too few companies.

    Every figure of a cell (totals too) from at least ``rules.min_contributors``
    contributors gets its own noise (:func:`cell_noise`), rounded to a whole
    unit for integer columns and to 0.01 otherwise, never below 0. A row whose
    first value (the main figure) has fewer contributors is suppressed
    (``primary-count``) and shows the band of its perturbed main figure instead
    (:data:`BAND`; none when ``contributor`` is a key, as every such cell is one
    contributor's); any other figure from fewer contributors is missing.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`aggregate` with perturbed values, ``suppressed``,
        ``reason`` and ``band``.
    """
    table, stats = _aggregate(
        contributions,
        keys,
        values,
        contributor=contributor,
        top_n=rules.dominance_n,
        margins=True,
        secret=rules.secret,
    )
    protected = table.copy()
    few = (stats.column_contributors > 0) & (stats.column_contributors < rules.min_contributors)
    for index, column in enumerate(values):
        true = stats.totals[:, index]
        noisy = np.maximum(
            true + cell_noise(stats.key_sum[:, index], true, stats.largest[:, index], rules.noise_scale), 0.0
        )
        if pd.api.types.is_integer_dtype(table[column].dtype):
            protected[column] = pd.array(np.where(few[:, index], np.nan, np.rint(noisy)), dtype="Float64").astype("Int64")
        else:
            protected[column] = pd.array(np.where(few[:, index], np.nan, np.round(noisy, 2)), dtype="Float64")
    small = few[:, 0] if len(values) else np.zeros(len(table), dtype=bool)
    protected[SUPPRESSED] = small
    protected[REASON] = pd.array(np.where(small, PRIMARY_COUNT, ""), dtype="string")
    # the band of the perturbed main figure: bands of true values would pin a cell
    # between a total's band and its other cells' bands
    noisy_main = stats.totals[:, 0] + cell_noise(
        stats.key_sum[:, 0], stats.totals[:, 0], stats.largest[:, 0], rules.noise_scale
    )
    bands = to_band(pd.Series(np.maximum(np.rint(noisy_main), 1.0), index=table.index)).where(small)
    protected[BAND] = bands if contributor not in keys else pd.Series(pd.NA, index=table.index, dtype="string")
    return protected
