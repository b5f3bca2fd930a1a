"""The one module pages and the CLI call: every user action as a function over the store."""

from __future__ import annotations

import json
import re
import threading
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from skills import access
from skills.access import Principal
from skills.dataset import Dataset
from skills.errors import AccessError, InputError, Problem
from skills.schemas import check_references
from skills.settings import DATA_DIR, Settings, load_settings
from skills.store import Store

if TYPE_CHECKING:
    from optimisation.plan import PlanResult as PlanResult
    from optimisation.scenarios import Scenario as Scenario
    from skills.company_view import CompanyProfile as CompanyProfile
    from skills.course_planning import CoursePlanning as CoursePlanning
    from skills.io import ImportResult
    from skills.mapping import Matcher
    from skills.priorities import PrioritiesReport as PrioritiesReport
    from skills.readiness import Readiness as Readiness
    from skills.survey import SurveyMapping
    from skills.sweep import Sweep as Sweep

#: What each table is for, to tell a user what is missing.
TABLE_PURPOSE = {
    "skills": "the skills taxonomy (vetplan init loads the built-in one)",
    "companies": "companies answering the survey (import a survey)",
    "demand": "survey answers: skill needs per company (import a survey)",
    "courses": "the course catalogue (import courses)",
    "course_skills": "which skills each course teaches (import course_skills)",
    "supply": "recruitment supply per skill (import supply)",
}


@lru_cache(maxsize=8)
def _store_for(url: str) -> Store:
    return Store(url)


def get_store(settings: Settings | None = None) -> Store:
    """The store for the configured database URL (one engine per URL per process)."""
    return _store_for((settings or load_settings()).sqlalchemy_url)


def get_store_for(url: str) -> Store:
    """The store for an SQLAlchemy ``url`` (one engine per URL per process)."""
    return _store_for(url)


def database_url(settings: Settings | None = None) -> str:
    """The configured database URL (``DATABASE_URL`` or the SQLite file under ``VETPLAN_DATA_HOME``)."""
    return (settings or load_settings()).sqlalchemy_url


@dataclass
class Info:
    """Headline figures of the loaded region and what is missing."""

    counts: dict[str, int]
    missing: list[str] = field(default_factory=list)
    database: str = ""
    currency: str = "EUR"
    pending_review: int = 0
    data_version: int = 0
    readiness: list[str] = field(default_factory=list)  # what caps any plan over the base scenario's years
    readiness_figures: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.counts,
            "missing": self.missing,
            "database": self.database,
            "currency": self.currency,
            "pending_review": self.pending_review,
            "data_version": self.data_version,
            "readiness": self.readiness_figures,
        }


class _ByVersion:
    """What was read or built from one data version of a store, kept until the version moves.

    One entry per (store, name): the version it was built from and the value. A store
    that is gone (tests make many) takes its entries with it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: weakref.WeakKeyDictionary[Store, dict[str, tuple[int, Any]]] = weakref.WeakKeyDictionary()

    def get(self, store: Store, name: str, version: int) -> Any | None:
        with self._lock:
            found = self._entries.get(store, {}).get(name)
        return found[1] if found is not None and found[0] == version else None

    def put(self, store: Store, name: str, version: int, value: Any) -> None:
        with self._lock:
            self._entries.setdefault(store, {})[name] = (version, value)


_BY_VERSION = _ByVersion()


def data_version(store: Store | None = None) -> int:
    """The store's data version (one indexed read): anything computed from the data holds while it stays the same."""
    return (store or get_store()).version("data")


def results_version(store: Store | None = None) -> int:
    """The store's plan-results version: stored scenario results hold while it stays the same."""
    return (store or get_store()).version("results")


def load_dataset(store: Store | None = None) -> Dataset:
    """The region as stored, read once per data version and shared by every caller in this process.

    The frames are shared: read them, never change them in place (copy first).
    """
    return _versioned_dataset(store)[1]


def _versioned_dataset(store: Store | None = None) -> tuple[int, Dataset]:
    """The dataset and the data version it was read at (see :func:`load_dataset`)."""
    store = store or get_store()
    version = store.version("data")
    dataset: Dataset | None = _BY_VERSION.get(store, "dataset", version)
    if dataset is None:
        version, dataset = store.load_versioned()
        _BY_VERSION.put(store, "dataset", version, dataset)
    return version, dataset


def info(store: Store | None = None, *, principal: Principal | None = None) -> Info:
    """Counts of companies, employees, courses, providers, skills, demand rows, gap units; what is missing.

    Counts come from SQL; gap units (a domain rule, :func:`skills.rules.gap_units`) from
    the dataset of the current data version. Open to every signed-in role (region-wide counts).
    """
    access.who(principal)
    store = store or get_store()
    counts = store.headline_counts()
    counts["gap_units"] = load_dataset(store).gap_unit_total() if counts["demand_rows"] else 0
    missing = [f"{name}: {purpose}" for name, purpose in TABLE_PURPOSE.items() if counts[_COUNT_OF[name]] == 0]
    settings = load_settings()
    ready = plan_readiness(store=store, principal=principal) if counts["demand_rows"] and scenario_files() else None
    return Info(
        counts=counts,
        missing=missing,
        database=_redacted(store.url),
        currency=settings.currency,
        pending_review=store.count_queue("pending"),
        data_version=store.version("data"),
        readiness=ready.sentences() if ready is not None else [],
        readiness_figures=ready.as_dict() if ready is not None else {},
    )


def plan_readiness(
    years: list[int] | None = None, *, store: Store | None = None, principal: Principal | None = None
) -> Readiness:
    """What caps any plan before a solve: the share of gap units a course or a hire can serve, and why not;
    demand before the horizon; assumed values. ``years`` default to the base scenario's; kept per data version."""
    from skills.readiness import readiness

    access.who(principal)
    store = store or get_store()
    if not years:
        # the base scenario's years; without data/scenarios/base.yaml, those of the first scenario file there
        base_file = SCENARIO_DIR / "base.yaml"
        files = [base_file] if base_file.exists() else [Path(path) for path in scenario_files()]
        if not files:
            msg = f"no scenario file in {SCENARIO_DIR} to take the planning years from"
            raise InputError(msg)
        years = load_scenario(files[0]).years
    version, dataset = _versioned_dataset(store)
    name = f"readiness@{','.join(map(str, years))}"
    found: Readiness | None = _BY_VERSION.get(store, name, version)
    if found is None:
        found = readiness(dataset, list(years), load_settings())
        _BY_VERSION.put(store, name, version, found)
    return found


#: Which headline count says whether a table is empty.
_COUNT_OF = {
    "skills": "skills",
    "companies": "companies",
    "demand": "demand_rows",
    "courses": "courses",
    "course_skills": "course_skills",
    "supply": "supply_rows",
}


def init_database(*, sample: bool = False, store: Store | None = None) -> dict[str, Any]:
    """Create the database if missing; load the built-in taxonomy, and the sample region with ``sample``.

    Loads only into an empty database, so it never overwrites a user's data.
    """
    from skills.sample import read_csv_folder
    from skills.taxonomy import load_taxonomy

    store = store or get_store()
    loaded = "nothing"
    if store.is_empty():
        if sample:
            store.save_dataset(read_csv_folder(), source="sample region")
            loaded = "sample region"
        else:
            store.replace_tables({"skills": load_taxonomy().reset_index()}, source="built-in taxonomy")
            loaded = "taxonomy"
    result: dict[str, Any] = {"database": _redacted(store.url), "schema_version": store.schema_version(), "loaded": loaded}
    if sample:
        from skills.accounts import demo_users

        result["users"] = demo_users(store)
    return result


# ---- users and sign-in ---------------------------------------------------------------------------


def sign_in(user_name: str, password: str, *, store: Store | None = None) -> str:
    """Check a password and open a session; returns its token (see :func:`skills.accounts.sign_in`)."""
    from skills import accounts

    return accounts.sign_in(store or get_store(), user_name, password)


def sign_in_by_email(email: str, *, store: Store | None = None) -> str:
    """Open a session for the user whose e-mail single sign-on proved; refused for an unknown e-mail."""
    from skills import accounts

    return accounts.sign_in_by_email(store or get_store(), email)


def session_principal(token: str | None, *, store: Store | None = None) -> Principal | None:
    """Who an open session belongs to, or None (unknown, expired or idle)."""
    from skills import accounts

    return accounts.session_principal(store or get_store(), token)


def sign_out(token: str | None, *, store: Store | None = None) -> None:
    """End a session."""
    from skills import accounts

    accounts.sign_out(store or get_store(), token)


def add_user(
    user_name: str,
    role: str,
    *,
    company_id: str | None = None,
    provider: str | None = None,
    email: str | None = None,
    password: str | None = None,
    store: Store | None = None,
    principal: Principal | None = None,
) -> str:
    """Add a user (administrators only); returns the password, generated unless given."""
    from skills import accounts

    access.require(principal, (access.Role.ADMIN,), "managing users")
    return accounts.add_user(
        store or get_store(), user_name, role, company_id=company_id, provider=provider, email=email, password=password
    )


def list_users(*, store: Store | None = None, principal: Principal | None = None) -> pd.DataFrame:
    """Every user without their password hash (administrators only)."""
    from skills import accounts

    access.require(principal, (access.Role.ADMIN,), "managing users")
    return accounts.list_users(store or get_store())


def remove_user(user_name: str, *, store: Store | None = None, principal: Principal | None = None) -> None:
    """Remove a user and end their sessions (administrators only)."""
    from skills import accounts

    access.require(principal, (access.Role.ADMIN,), "managing users")
    accounts.remove_user(store or get_store(), user_name)


def set_password(
    user_name: str, password: str | None = None, *, store: Store | None = None, principal: Principal | None = None
) -> str:
    """A new password for a user (generated unless given); their sessions end (administrators only)."""
    from skills import accounts

    access.require(principal, (access.Role.ADMIN,), "managing users")
    return accounts.set_password(store or get_store(), user_name, password)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# ---- data in and out --------------------------------------------------------------------------

#: Tables that reference each table: replacing a parent rewrites its children in the same transaction.
_CHILDREN = {"skills": ("demand", "course_skills", "supply"), "companies": ("demand",), "courses": ("course_skills",)}


@dataclass
class ImportOutcome:
    """What an import did: the report summary and whether anything was stored."""

    summary: dict[str, Any]
    stored: bool
    result: ImportResult

    @property
    def ok(self) -> bool:
        return not any(p["severity"] == "error" for p in self.summary["problems"])


def _matcher(store: Store, settings: Settings) -> Matcher:
    """The skill matcher of the stored taxonomy and learned aliases, built once per data version and threshold."""
    from skills.mapping import Matcher

    version = store.version("data")
    name = f"matcher@{settings.mapping_threshold!r}"
    matcher: Matcher | None = _BY_VERSION.get(store, name, version)
    if matcher is None:
        skills = load_dataset(store).flat("skills")
        if skills.empty:
            from skills.taxonomy import load_taxonomy

            skills = load_taxonomy().reset_index()
        matcher = Matcher.from_taxonomy(skills, learned_aliases=store.read_aliases(), threshold=settings.mapping_threshold)
        _BY_VERSION.put(store, name, version, matcher)
    return matcher


def _merge(current: Dataset, incoming: dict[str, pd.DataFrame], *, whole_answers: bool = True) -> dict[str, pd.DataFrame]:
    """New versions of the tables an import touches (flat frames), plus the tables referencing them.

    Rules: rows are upserted by their table's key; with ``whole_answers`` (imports) a
    company's demand in the import replaces its earlier demand (a new survey answer
    supersedes the old one) and a course's skills in the import replace its earlier ones.
    """
    from skills.schemas import TABLES as CONTRACTS

    merged: dict[str, pd.DataFrame] = {}
    replace_by = {"demand": "company_id", "course_skills": "course_id"} if whole_answers else {}
    for name, frame in incoming.items():
        old = current.flat(name)
        if name in replace_by:
            column = replace_by[name]
            keep = old[~old[column].isin(frame[column])]
        else:
            key = list(CONTRACTS[name].key)
            keep = old[~_key_strings(old, key).isin(_key_strings(frame, key))] if len(old) else old
        merged[name] = pd.concat([keep, frame[old.columns]], ignore_index=True)
    for parent in list(merged):
        for child in _CHILDREN.get(parent, ()):
            merged.setdefault(child, current.flat(child))
    return merged


def _key_strings(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    """One string per row joining the key columns (missing values as empty text)."""
    return frame[key].astype("string").fillna("").agg("\x1f".join, axis=1)


def import_data(
    kind: str,
    source: str | Path | bytes,
    *,
    name: str | None = None,
    sheet: str | None = None,
    mapping: SurveyMapping | str | Path | None = None,
    dry_run: bool = False,
    esco_use: str = "links",
    store: Store | None = None,
    principal: Principal | None = None,
    company: str | None = None,
) -> ImportOutcome:
    """Read a file and, unless ``dry_run``, store it in one transaction: all of it or nothing.

    A company's users import surveys of their own company only (``company`` is theirs, whatever is
    passed): a file with a row of any other company is refused whole, each such row named. Analysts
    and admins import anything; with ``company`` a survey is held to that one company the same way.

    ``source`` is a path or the file's bytes (then ``name`` is the file name a client sent,
    shown in messages only after :func:`client_file_name`; nothing is written under it). Skill
    phrases below the mapping threshold are stored in the review queue with their whole
    row. ESCO skills link our taxonomy to ESCO (``esco_use="links"``: exact label matches
    fill empty ``esco_uri``) or extend it (``"taxonomy"``: ESCO skills become skills);
    ESCO occupations and relations are kept as reference tables.

    Reading the stored tables, merging the file into them, checking the result and
    writing it happen in one write transaction that holds the database's write lock
    from its start: two imports at once both keep their rows (the later one merges
    into the earlier one's result). When another write keeps the lock too long the
    import is refused with :class:`~skills.errors.StoreBusyError` ("try again"),
    nothing stored.
    """
    who = access.who(principal)
    if who.role is access.Role.COMPANY:
        # a company's users import their own company's survey: a file with any row of another company is refused whole
        if kind != "survey":
            msg = f"importing {kind} is not open to the company role: a company's users import their own company's survey only"
            raise AccessError(msg)
        company = access.require_company(who, company or str(who.company_id)).company_id
    else:
        access.require(who, access.EVERYTHING, "importing data")
    return _import_data(
        kind, source, name=name, sheet=sheet, mapping=mapping, dry_run=dry_run, esco_use=esco_use, store=store, company=company
    )


def _import_data(
    kind: str,
    source: str | Path | bytes,
    *,
    name: str | None = None,
    sheet: str | None = None,
    mapping: SurveyMapping | str | Path | None = None,
    dry_run: bool = False,
    esco_use: str = "links",
    store: Store | None = None,
    company: str | None = None,
) -> ImportOutcome:
    """:func:`import_data` once access is checked: the one import path (survey forms use it too).

    With ``company`` (a company user's import) a survey with any row of another company is refused whole.
    """
    from skills.errors import Report
    from skills.io import ImportResult, import_summary, read_table

    store = store or get_store()
    settings = load_settings()
    if isinstance(source, bytes):
        name = client_file_name(name)
    result = read_table(
        kind, source, name=name, sheet=sheet, mapping=mapping, matcher=_matcher(store, settings), settings=settings
    )
    if not result.ok:
        return ImportOutcome(import_summary(result), stored=False, result=result)
    if company is not None:
        from skills.survey_edit import other_company_problems

        own = load_dataset(store).flat("companies")
        own_name = own.loc[own["company_id"].astype("string") == company, "name"]
        foreign = other_company_problems(
            source, result.tables.get("companies", pd.DataFrame(columns=["company_id"])), company_id=company,
            company_name=str(own_name.iloc[0]) if len(own_name) else company, file=result.file, sheet=sheet, settings=settings,
        )
        if foreign:
            refused = Report(result.report.rows_read, 0, result.report.problems + foreign)
            result = ImportResult(kind, result.file, {}, refused, sheet=result.sheet)
            return ImportOutcome(import_summary(result), stored=False, result=result)

    tables = dict(result.tables)
    references: dict[str, pd.DataFrame] = {}
    esco_links = kind == "esco-skills" and esco_use == "links"
    if kind == "esco-skills":
        references["esco_skills"] = tables["skills"]
    elif kind in ("esco-occupations", "esco-relations"):
        references.update(tables)
        tables = {}
    read = result

    def merge(current: Dataset) -> dict[str, pd.DataFrame]:
        """The tables to store, from ``current`` as read under the write lock; :class:`_Rejected` if they fail a check."""
        incoming = {"skills": _esco_links(current.flat("skills"), tables["skills"])} if esco_links else tables
        merged_frames = _merge(current, incoming)
        try:
            merged = Dataset.from_frames({**{n: current.flat(n) for n in Dataset.INDEXED}, **merged_frames}, check_links=False)
            problems = check_references(
                read.tables,
                known={name: getattr(merged, name) for name in Dataset.INDEXED},
                first_row=(read.header_row or 1) + 1,
                file=read.file,
                sheet=read.sheet,
                suggest_import=True,
            )
        except InputError as error:
            problems = error.problems
        if problems:
            raise _Rejected(problems)
        return merged_frames

    try:
        if dry_run:
            merge(load_dataset(store))
        else:
            store.apply_import(merge, pending=result.pending, references=references, source=f"{kind}: {result.file}")
    except _Rejected as rejected:
        result = ImportResult(
            kind, result.file, {}, Report(result.report.rows_read, 0, result.report.problems + rejected.problems), sheet=result.sheet
        )
        return ImportOutcome(import_summary(result), stored=False, result=result)
    return ImportOutcome(import_summary(result), stored=not dry_run, result=result)


class _Rejected(Exception):
    """The merged tables of an import failed validation or a reference check: the write transaction rolls back."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _esco_links(ours: pd.DataFrame, esco_skills: pd.DataFrame) -> pd.DataFrame:
    """Our skills with ``esco_uri`` filled where an ESCO label matches exactly (fuzzy proposals are not applied).

    Skills no ESCO label matches keep what they had; ``esco_uri`` stays a text column
    whatever matched (none, some or all).
    """
    from skills.esco import propose_esco_links

    proposals = propose_esco_links(ours, esco_skills)
    exact = proposals[proposals["method"].isin(["label", "alt_label", "alias"])]
    uri = dict(zip(exact["skill_id"].astype(str), exact["esco_uri"].astype(str), strict=True))
    linked = ours.copy()
    stored = linked["esco_uri"].astype("string")
    found = linked["skill_id"].astype("string").map(uri).astype("string")  # <NA> where no label matches
    fill = (stored.isna() | (stored.str.strip() == "")) & found.notna()
    linked["esco_uri"] = stored.mask(fill, found)
    return linked


def export_table(
    table: str, *, fmt: str = "csv", out: str | None = None, store: Store | None = None, principal: Principal | None = None
) -> bytes:
    """Any stored table (data table, review queue, plan results) as csv, json or xlsx bytes (also written to ``out``).

    Raw rows: analysts and administrators only.
    """
    from skills.io_write import export_table as write
    from skills.store import DATA_TABLES

    access.require(principal, access.EVERYTHING, "exporting raw tables")
    store = store or get_store()
    if table in DATA_TABLES:
        frame = store.read_frame(table)
    elif table == "mapping_queue":
        frame = store.read_queue(status=None)
    elif table == "learned_aliases":
        frame = store.read_aliases()
    elif table.startswith("plan_"):
        frame = store.read_results(table.removeprefix("plan_"))
    elif not (frame := store.read_reference(table)).empty:
        pass  # an imported reference table, e.g. esco_occupations
    else:
        known = [*DATA_TABLES, "mapping_queue", "learned_aliases", "plan_<table>", "esco_skills", "esco_occupations", "esco_relations"]
        msg = f"unknown or empty table {table!r}; expected one of {', '.join(known)}"
        raise InputError(msg)
    return write(frame, format=fmt, out=out)


def template(kind: str, out: str | None = None, *, store: Store | None = None, principal: Principal | None = None) -> bytes:
    """An Excel template for ``survey``, ``courses`` or ``supply`` with the stored taxonomy's skills in its dropdowns."""
    from skills.templates import make_template

    access.who(principal)
    store = store or get_store()
    skills = store.read_frame("skills")
    if skills.empty:
        from skills.taxonomy import load_taxonomy

        skills = load_taxonomy().reset_index()
    data = make_template(kind, skills)
    if out is not None:
        from pathlib import Path

        Path(out).write_bytes(data)
    return data


# ---- mapping review -----------------------------------------------------------------------------


def review_queue(status: str | None = "pending", store: Store | None = None, *, principal: Principal | None = None) -> pd.DataFrame:
    """Phrases waiting for review (or all with ``status=None``): id, phrase, table, suggestion, score, source."""
    access.require(principal, access.EVERYTHING, "the mapping review")
    queue = (store or get_store()).read_queue(status)
    return queue[["queue_id", "phrase", "table_name", "suggestion", "score", "status", "chosen_skill", "source_file", "source_row"]]


def review_suggestions(
    queue_id: int, limit: int = 3, store: Store | None = None, *, principal: Principal | None = None
) -> pd.DataFrame:
    """The likeliest skills for a queued phrase, best first: skill_id, label, score (0–100)."""
    from skills.mapping import likely_skills

    access.require(principal, access.EVERYTHING, "the mapping review")
    store = store or get_store()
    item = store.queue_item(queue_id)
    matcher = _matcher(store, load_settings())
    found = likely_skills(item["phrase"], matcher, limit)
    return pd.DataFrame(
        {
            "skill_id": [skill_id for skill_id, _ in found],
            "label": [matcher.labels.get(skill_id, skill_id) for skill_id, _ in found],
            "score": [score for _, score in found],
        }
    )


def resolve_review(
    queue_id: int,
    skill_id: str | None = None,
    *,
    new_skill: dict[str, str] | None = None,
    store: Store | None = None,
    principal: Principal | None = None,
) -> dict[str, Any]:
    """Accept the suggestion (``skill_id`` None), pick another skill, or add a new one (``new_skill``).

    The phrase becomes a learned alias; every other pending row with the same phrase is
    resolved too. Returns what was stored.
    """
    from skills import mapping

    access.require(principal, access.EVERYTHING, "the mapping review")
    store = store or get_store()
    item = store.queue_item(queue_id)
    if item["status"] != "pending":
        msg = f"review item {queue_id} is already {item['status']}"
        raise InputError(msg)
    known = set(store.read_frame("skills")["skill_id"])
    added: dict[str, pd.DataFrame] = {}
    skill_id = skill_id or None
    if new_skill is not None:
        skill_frame = mapping.new_skill(
            new_skill["skill_id"], new_skill["label"], new_skill["group"], label_da=new_skill.get("label_da"), phrase=item["phrase"]
        )
        if new_skill["skill_id"] in known:
            msg = f"skill {new_skill['skill_id']!r} exists already: use it with 'mapping set'"
            raise InputError(msg)
        added["skills"] = skill_frame
        known.add(new_skill["skill_id"])
        skill_id = new_skill["skill_id"]
    if skill_id is None:
        skill_id, rows = mapping.accept_suggestion(item, known)
    else:
        rows = mapping.resolve_row(item, skill_id, known)
    alias = mapping.alias_key(item["phrase"])
    # merged with the tables as read under the write lock, so a concurrent import is never overwritten
    store.resolve_queue_item(queue_id, skill_id, alias=alias, tables=_merge_into({**added, **rows}))
    also = 0
    pending = store.read_queue("pending")
    for other in pending[pending["phrase"].map(mapping.alias_key) == alias].to_dict("records"):
        other_rows = mapping.resolve_row({str(k): v for k, v in other.items()}, skill_id, known)
        store.resolve_queue_item(int(other["queue_id"]), skill_id, alias=alias, tables=_merge_into(other_rows))
        also += 1
    return {"queue_id": queue_id, "phrase": item["phrase"], "skill_id": skill_id, "also_resolved": also}


def suggestions_at_least(min_chance: float, *, store: Store | None = None, principal: Principal | None = None) -> pd.DataFrame:
    """Pending phrases whose suggested skill has a chance (score, 0–100) of at least ``min_chance``: what a bulk accept takes.

    Phrases without a suggestion of a stored skill are left out (they need a reviewer's choice).
    """
    queue = review_queue(store=store, principal=principal)
    known = set(load_dataset(store).flat("skills")["skill_id"].astype(str))
    scores = pd.to_numeric(queue["score"], errors="coerce")
    chosen = (scores >= min_chance) & queue["suggestion"].map(lambda skill: isinstance(skill, str) and skill in known)
    return queue[chosen.fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)


def accept_suggestions_at_least(
    min_chance: float, *, store: Store | None = None, principal: Principal | None = None
) -> dict[str, int]:
    """Accept the suggestion of every pending phrase whose chance is at least ``min_chance`` (see :func:`suggestions_at_least`).

    Each accepted phrase becomes an alias, as one accept does (:func:`resolve_review`), and resolves
    the other pending rows of the same phrase. Returns ``accepted`` (phrases whose suggestion was
    accepted) and ``also_resolved`` (other rows of the same phrases).
    """
    who = access.require(principal, access.EVERYTHING, "the mapping review")
    store = store or get_store()
    accepted = also = 0
    for queue_id in suggestions_at_least(min_chance, store=store, principal=who)["queue_id"].astype(int):
        if store.queue_item(int(queue_id))["status"] != "pending":
            continue  # resolved with an earlier phrase of the same words
        result = resolve_review(int(queue_id), store=store, principal=who)
        accepted += 1
        also += int(result["also_resolved"])
    return {"accepted": accepted, "also_resolved": also}


def _merge_into(rows: dict[str, pd.DataFrame]) -> Callable[[Dataset], dict[str, pd.DataFrame]]:
    """A merge of reviewed ``rows`` (upserted by key) for the store to run on the dataset read under its write lock."""

    def merge(current: Dataset) -> dict[str, pd.DataFrame]:
        return _merge(current, rows, whole_answers=False)

    return merge


def rows_replaced(outcome: ImportOutcome, *, store: Store | None = None, principal: Principal | None = None) -> dict[str, int]:
    """How many stored rows each table loses to an import that passed its check (``dry_run``), before it is stored.

    A company's survey answers in the file replace all its stored answers, a course's skills
    all its stored skills; other rows replace the stored row of the same key. Tables that
    lose nothing are left out, so an empty result means the import only adds.
    """
    from skills.schemas import TABLES as CONTRACTS

    access.require(principal, access.EVERYTHING, "importing data")
    current = load_dataset(store)
    replace_by = {"demand": "company_id", "course_skills": "course_id"}
    replaced: dict[str, int] = {}
    for name, frame in outcome.result.tables.items():
        if name not in CONTRACTS or frame.empty:
            continue
        old = current.flat(name)
        if old.empty:
            continue
        if name in replace_by:
            count = int(old[replace_by[name]].isin(frame[replace_by[name]]).sum())
        else:
            key = list(CONTRACTS[name].key)
            count = int(_key_strings(old, key).isin(_key_strings(frame, key)).sum())
        if count:
            replaced[name] = count
    return replaced


# ---- a company's survey, edited in a form --------------------------------------------------------


def survey_answers(company: str, *, store: Store | None = None, principal: Principal | None = None) -> pd.DataFrame:
    """One company's stored survey answers as the form shows them (skill id, role, headcount, levels, year, priority).

    For that company's users, analysts and admins only.
    """
    from skills.survey_edit import answers_of

    access.require_company(principal, company)
    return answers_of(load_dataset(store).flat("demand"), company)


def save_survey_answers(
    company: str,
    answers: pd.DataFrame,
    *,
    dry_run: bool = False,
    replace: bool = False,
    store: Store | None = None,
    principal: Principal | None = None,
) -> ImportOutcome:
    """Check a company's answers from the survey form as a survey import of that company and, unless ``dry_run``, store them.

    The answers go through the same reading, skill mapping, validation and reference checks as an
    imported survey, and are stored whole or not at all; they then replace every stored answer of
    the company. Problems name the form's row (1-based) and column. Storing over stored answers
    needs ``replace`` (the user confirmed it); blank form rows are ignored. A company's users may
    save their own company only; analysts and admins any company.

    Raises
    ------
    AccessError
        For another company's answers, or a role that sees no single company.
    InputError
        For an unknown company, or stored answers to replace without ``replace``.
    """
    from skills.errors import NotFoundError
    from skills.io import import_summary
    from skills.survey_edit import FORM_NAME, blank_rows, form_problems, survey_file

    access.require_company(principal, company)
    store = store or get_store()
    dataset = load_dataset(store)
    companies = dataset.flat("companies")
    found = companies[companies["company_id"].astype("string") == company]
    if found.empty:
        msg = f"no company {company!r} in the database"
        raise NotFoundError(msg)
    stored = dataset.flat("demand")
    stored_count = int((stored["company_id"].astype("string") == company).sum())
    if stored_count and not replace and not dry_run:
        msg = (
            f"{found['name'].iloc[0]} has {stored_count} stored answer(s): saving the form replaces them all; "
            "confirm the replacement to save"
        )
        raise InputError(msg)
    filled = answers.reset_index(drop=True)
    form_rows = [position + 1 for position in filled.index[~blank_rows(filled).to_numpy(dtype=bool)]]
    kept = filled.iloc[[row - 1 for row in form_rows]]
    outcome = _import_data("survey", survey_file(found.iloc[0], kept), name=f"{FORM_NAME}.csv", dry_run=dry_run, store=store)
    report = outcome.result.report
    report.problems = form_problems(report.problems, form_rows)
    outcome.result.file = FORM_NAME
    return ImportOutcome(import_summary(outcome.result), stored=outcome.stored, result=outcome.result)


def report_file(outcome: ImportOutcome, fmt: str = "csv") -> bytes:
    """An import report (every problem with file, sheet, row, column, value, message) as csv, xlsx or json bytes."""
    import io

    from skills.io_write import write_report

    buffer = io.BytesIO()
    write_report(outcome.result.report, buffer, fmt)
    return buffer.getvalue()


def problems_frame(outcome: ImportOutcome) -> pd.DataFrame:
    """The problems of an import as a table for display."""
    from skills.io_write import report_to_frame

    return report_to_frame(outcome.result.report)


def skill_choices(store: Store | None = None) -> pd.DataFrame:
    """skill_id, label (and label_da), group and the group's name (and in Danish) of every stored skill, for pickers."""
    from skills.schemas import SKILL_GROUP_NAMES, SKILL_GROUP_NAMES_DA

    skills = load_dataset(store).flat("skills")[["skill_id", "label", "label_da", "group"]]
    skills = skills.assign(
        label_da=skills["label_da"].fillna(skills["label"]).astype("string"),
        group_label=skills["group"].map(SKILL_GROUP_NAMES).fillna(skills["group"]).astype("string"),
        group_label_da=skills["group"].map(SKILL_GROUP_NAMES_DA).fillna(skills["group"]).astype("string"),
    )
    return skills.sort_values("label").reset_index(drop=True)


def default_language() -> str:
    """The interface language a new browser session starts in (``VETPLAN_LANGUAGE``)."""
    return load_settings().language


def skill_groups() -> dict[str, str]:
    """Skill group id -> the name a person reads, in the taxonomy's order."""
    from skills.schemas import SKILL_GROUP_NAMES

    return dict(SKILL_GROUP_NAMES)


def data_tables() -> list[str]:
    """Names of the tables a user can export."""
    from skills.store import DATA_TABLES

    return [*DATA_TABLES, "mapping_queue", "learned_aliases"]


# ---- gaps ----------------------------------------------------------------------------------------

GAP_VIEWS = ("gaps", "coverage", "curriculum")


def gaps(
    view: str = "gaps",
    *,
    by: str | tuple[str, ...] = "skill",
    company: str | None = None,
    provider: str | None = None,
    store: Store | None = None,
    principal: Principal | None = None,
) -> pd.DataFrame:
    """A gap table: ``gaps`` by a dimension, ``coverage`` by a dimension, or ``curriculum`` gaps.

    ``provider`` keeps, of expected demand per course (``by="course"``), that provider's courses.

    With ``company`` it is that company's own view, unsuppressed (for that company's users,
    analysts and admins); otherwise every aggregate is disclosure-controlled (suppressed
    values are missing; see :func:`gaps_for_display`). Rows per company (``by="company"``)
    are for analysts and admins; expected demand per course (``by="course"``) shows a
    provider its own courses only.
    """
    from skills import gaps as metrics

    who = access.who(principal)
    if company is not None:
        access.require_company(who, company)
    per_company = "company" in ((by,) if isinstance(by, str) else by)
    if per_company and not who.sees_everything and (who.role is not access.Role.COMPANY or company is None):
        msg = "gaps per company are for analysts and admins; a company sees its own with its company chosen"
        raise AccessError(msg)
    store = store or get_store()
    dataset = load_dataset(store)
    settings = disclosure_settings(store)
    if view == "gaps":
        table = metrics.gap_view(dataset, by, company, settings)
        if by == "course" and who.role is access.Role.PROVIDER:
            if provider is not None:
                access.require_provider(who, provider)
            provider = who.provider
        if by == "course" and provider is not None:
            table = table[table["provider"].astype("string") == provider].reset_index(drop=True)
        return table
    if view == "coverage":
        return metrics.coverage(dataset, by, company, settings)
    if view == "curriculum":
        return metrics.curriculum_gaps(dataset, company, settings)
    msg = f"unknown gap view {view!r}; expected one of {', '.join(GAP_VIEWS)}"
    raise InputError(msg)


def disclosure_settings(store: Store | None = None) -> Settings:
    """The settings with this database's own cell-key secret, unless the operator set one.

    With the shipped default secret, anyone who knows which companies form a cell could
    recompute its noise; every database therefore draws its own at first use.
    """
    settings = load_settings()
    if settings.cell_key_secret != Settings.model_fields["cell_key_secret"].default:
        return settings
    return settings.model_copy(update={"cell_key_secret": (store or get_store()).secret("cell_key_secret")})


def disclosure_sentence(settings: Settings | None = None) -> str:
    """The disclosure rules in force, in words, for the caption beside every protected table."""
    from skills.disclosure import Rules

    return Rules.from_settings(settings or load_settings()).sentence()


def disclosure_terms(settings: Settings | None = None) -> dict[str, Any]:
    """The figures of the disclosure rules in force, for a page to state them in its own language
    (what :func:`disclosure_sentence` says in English)."""
    from skills.disclosure import PERTURBATION, Rules, band_labels

    rules = Rules.from_settings(settings or load_settings())
    return {
        "perturbation": rules.method == PERTURBATION, "noise_pct": 100 * rules.noise_scale, "min_companies": rules.min_contributors,
        "dominance_n": rules.dominance_n, "dominance_pct": 100 * rules.dominance_k, "bands": band_labels()[:6],
    }


def sector_names(language: str = "en") -> dict[str, str]:
    """NACE code -> ``C10 Manufacture of food products`` (in ``language``), for tables that show sectors."""
    from skills.templates import NACE_NAMES, sector_name

    return {code: f"{code} {sector_name(code, language)}" for code in NACE_NAMES}


def course_titles(store: Store | None = None) -> dict[str, str]:
    """course_id -> title of every course in the catalogue (the public offer), for tables that name courses."""
    courses = load_dataset(store).flat("courses")
    return dict(zip(courses["course_id"].astype(str), courses["title"].astype(str), strict=True))


def gaps_for_display(table: pd.DataFrame, *, for_app: bool = False) -> pd.DataFrame:
    """A gap table as people read it: suppressed cells ``:c``, totals labelled.

    Numbers stay numbers where a column has no ``:c``; ``for_app`` turns columns that
    mix numbers and ``:c`` into text, as the app's table widget needs one type a column.
    """
    from skills.gaps import for_display

    shown = for_display(table)
    for name in [column for column in shown.columns if pd.api.types.is_object_dtype(shown[column])]:
        # one type per column, so that Arrow (the app) and JSON keep numbers as numbers
        try:
            shown[name] = pd.to_numeric(shown[name])
        except (TypeError, ValueError):
            if for_app:
                shown[name] = shown[name].astype("string")
    return shown


def coverage_options(company: str, store: Store | None = None, *, principal: Principal | None = None) -> pd.DataFrame:
    """For each of one company's gaps, the courses that close it (cost, hours, provider, mode)."""
    from skills.gaps import coverage_options as options

    access.require_company(principal, company)
    return options(load_dataset(store), company, load_settings())


def company_profile(company: str, *, store: Store | None = None, principal: Principal | None = None) -> CompanyProfile:
    """One company's own picture (roles × skills, compliance, courses or why none, recruitment), unsuppressed.

    For that company's users, analysts and admins only.
    """
    from skills.company_view import company_profile as profile

    access.require_company(principal, company)
    return profile(load_dataset(store), company)


def company_workbook(company: str, *, store: Store | None = None, principal: Principal | None = None) -> bytes:
    """A company's own picture as an xlsx download (same rule as :func:`company_profile`)."""
    import tempfile

    from skills.workbook import write_workbook

    sheets = company_profile(company, store=store, principal=principal).sheets()
    with tempfile.TemporaryDirectory() as folder:
        return write_workbook(sheets, Path(folder) / "company.xlsx").read_bytes()


def provider_choices(*, store: Store | None = None, principal: Principal | None = None) -> list[str]:
    """Course providers a principal may choose: a provider user its own, everyone else every provider."""
    who = access.who(principal)
    if who.role is access.Role.PROVIDER:
        return [str(who.provider)]
    return sorted(set(load_dataset(store).flat("courses")["provider"].astype(str)))


def _require_course_planning(principal: Principal | None, provider: str) -> Principal:
    """The principal, if it may plan ``provider``'s courses: that provider's users, policymakers, analysts and admins."""
    who = access.who(principal)
    if who.role is access.Role.COMPANY:
        msg = "course planning is for schools and course providers, policymakers and analysts; not the company role"
        raise AccessError(msg)
    if who.role is access.Role.PROVIDER:
        access.require_provider(who, provider)
    return who


#: Columns of the course-planning tables as shown, from the gap views' columns.
_EXPECTED_SHOWN = {"title": "course", "needed_by": "year", "mode": "mode", "course_region": "region",
                   "companies": "companies", "participants": "participants", "runs_needed": "runs_needed", "band": "band"}
_CURRICULUM_SHOWN = {"label": "skill", "required_level": "required_level", "companies": "companies", "gap_units": "gap_units",
                     "sectors": "sectors", "why_uncovered": "why_uncovered", "band": "band"}


def course_planning(
    provider: str,
    *,
    scenario: str | None = None,
    language: str = "en",
    store: Store | None = None,
    principal: Principal | None = None,
) -> CoursePlanning:
    """What ``provider`` plans its courses by (see :class:`skills.course_planning.CoursePlanning`), as people read it.

    Expected participants per course and year (the protected gap view per course), the runs the
    latest stored plan (of ``scenario``, else the newest run of any scenario) opens for its courses
    with cohort sizes under the disclosure rules, the region's curriculum gaps with the sectors asking
    (protected), and other providers' courses competing for the same learners. Suppressed figures
    show ``:c``; courses and skills by name (skills in ``language``), sectors with their names.

    A provider's users see their own provider only; policymakers, analysts and admins any provider.

    Raises
    ------
    AccessError
        For the company role, or a provider asking about another provider.
    NotFoundError
        For a provider with no course in the catalogue, or a ``scenario`` with no stored run.
    """
    from skills import course_planning as planning
    from skills.disclosure import Rules
    from skills.errors import NotFoundError
    from skills.regions import region_names
    from skills.templates import sector_name

    who = _require_course_planning(principal, provider)
    store = store or get_store()
    dataset = load_dataset(store)
    courses = dataset.flat("courses")
    if not (courses["provider"].astype("string") == provider).any():
        msg = f"no course of provider {provider!r} in the catalogue"
        raise NotFoundError(msg)
    skills = dataset.flat("skills")
    label_column = "label_da" if language == "da" else "label"
    labels = pd.Series(
        skills[label_column].fillna(skills["label"]).astype("string").to_numpy(), index=skills["skill_id"].astype(str)
    )

    expected = gaps_for_display(gaps("gaps", by="course", provider=provider, store=store, principal=who), for_app=True)
    expected = expected.assign(title=expected["title"].astype("string").mask(expected["course_id"].astype("string") == "Total", "Total"))
    expected = expected[list(_EXPECTED_SHOWN)].rename(columns=_EXPECTED_SHOWN)
    expected["region"] = region_names(expected["region"].astype("object")).astype("string")  # by name, as the runs

    curriculum = gaps_for_display(gaps("curriculum", store=store, principal=who), for_app=True)
    curriculum = curriculum.assign(
        label=curriculum["skill"].astype("string").map(lambda skill: labels.get(str(skill), skill)).astype("string"),
        sectors=curriculum["sectors"].astype("string").map(
            lambda codes: codes if pd.isna(codes) or codes == ":c"
            else ", ".join(f"{code} {sector_name(code, language)}" for code in str(codes).split(", "))
        ),
    )
    curriculum = curriculum[list(_CURRICULUM_SHOWN)].rename(columns=_CURRICULUM_SHOWN)

    stored = store.runs([scenario] if scenario is not None else None)
    if scenario is not None and stored.empty:
        msg = f"no stored run of {scenario!r} (stored: {', '.join(store.scenarios()) or 'none yet'})"
        raise NotFoundError(msg)
    plan_label: str | None = None
    runs = planning.plan_runs(pd.DataFrame(columns=["provider"]), pd.DataFrame(), courses, provider, Rules())
    if len(stored):
        newest = stored.iloc[0]
        run_id = int(newest["run_id"])
        plan_label = f"{newest['scenario']} (run {run_id})"
        run_rows = store.read_run_results("runs", [run_id]).drop(columns=["run_id", "scenario"])
        if len(run_rows):
            # the provider's own runs only; their participants reach nobody but as protected cohorts
            attending = store.read_run_results("participants", [run_id])
            runs = planning.plan_runs(run_rows, attending, courses, provider, Rules.from_settings(disclosure_settings(store)))
    competitors = planning.competing_courses(courses, dataset.flat("course_skills"), labels, provider)
    return planning.CoursePlanning(provider, expected, runs, curriculum, competitors, plan=plan_label)


def course_planning_workbook(
    provider: str, *, scenario: str | None = None, language: str = "en", store: Store | None = None,
    principal: Principal | None = None,
) -> bytes:
    """The course-planning tables of ``provider`` as an xlsx download (same rule as :func:`course_planning`)."""
    import tempfile

    from skills.workbook import write_workbook

    sheets = course_planning(provider, scenario=scenario, language=language, store=store, principal=principal).sheets()
    with tempfile.TemporaryDirectory() as folder:
        return write_workbook(sheets, Path(folder) / "courses.xlsx").read_bytes()


def company_choices(store: Store | None = None, *, principal: Principal | None = None) -> pd.DataFrame:
    """company_id and name of the companies the principal may pick: a company user their own, analysts all."""
    who = access.who(principal)
    if not who.sees_everything and who.role is not access.Role.COMPANY:
        msg = f"single companies are not open to the {who.role} role"
        raise AccessError(msg)
    companies = load_dataset(store).flat("companies")[["company_id", "name"]]
    if not who.sees_everything:
        companies = companies[companies["company_id"] == who.company_id]
    return companies.sort_values("name").reset_index(drop=True)


def write_frame(frame: pd.DataFrame, fmt: str, out: str | None = None) -> bytes:
    """Any result table as csv, json or xlsx bytes (formula-like text neutralised), also written to ``out``.

    Spreadsheets (csv, xlsx) name regions, their NUTS codes in a column beside (``region_code``); JSON,
    read by programs, keeps the codes.
    """
    from skills.io_write import export_table as write
    from skills.regions import named_regions

    return write(frame if fmt == "json" else named_regions(frame), format=fmt, out=out)


# ---- plans and scenarios -------------------------------------------------------------------------

SCENARIO_DIR = DATA_DIR / "scenarios"


def scenario_files() -> list[str]:
    """Example scenario files shipped in ``data/scenarios``."""
    return sorted(str(path) for path in SCENARIO_DIR.glob("*.yaml"))


def load_scenario(
    path: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    name: str = "base",
    source: str = "override",
) -> Scenario:
    """Scenario ``name`` of a YAML file (default ``data/scenarios/base.yaml``): its base, the fragments the
    scenario applies in order, then ``overrides`` (recorded as coming from ``source``, e.g. ``--set``).

    See :func:`optimisation.scenarios.compose` for the precedence and the conflict errors.
    """
    from optimisation.scenarios import compose

    return compose(path or SCENARIO_DIR / "base.yaml", name, overrides, source=source)


def scenario_names(path: str | Path | None = None) -> list[str]:
    """The scenarios a file defines, ``base`` first (default ``data/scenarios/base.yaml``)."""
    from optimisation.scenarios import scenario_names as names

    return names(path or SCENARIO_DIR / "base.yaml")


def scenario_overrides(base: Scenario, wanted: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``wanted`` that differ from ``base``: what a form sends as overrides, and nothing else.

    A field the user left alone is not sent, so a value the form cannot show in full
    (a budget per year, a field the form has no widget for) reaches the solve unchanged.
    """
    current = base.model_dump()
    return {name: value for name, value in wanted.items() if current.get(name) != value}


def budget_text(budget: float | dict[int, float] | None, currency: str) -> str:
    """A public budget in words: ``unlimited``, ``EUR 50,000 a year`` or the amount of each year.

    >>> budget_text({2027: 50000, 2028: 10000}, "EUR"), budget_text(0, "EUR"), budget_text(None, "EUR")
    ('2027: EUR 50,000; 2028: EUR 10,000', 'no public money', 'unlimited')
    """
    if budget is None:
        return "unlimited"
    if isinstance(budget, dict):
        return "; ".join(f"{year}: {currency} {amount:,.0f}" for year, amount in sorted(budget.items()))
    return "no public money" if budget == 0 else f"{currency} {budget:,.0f} a year"


def solve(
    scenario: Scenario,
    *,
    store: Store | None = None,
    save: bool = True,
    principal: Principal | None = None,
    source_file: str | Path | None = None,
    changes: list[str] | None = None,
) -> PlanResult:
    """Plan ``scenario`` over the stored region: build, solve, extract, check, explain; store the result.

    Returns the :class:`optimisation.plan.PlanResult`. A solve that found a plan is stored
    as a new run of the scenario's name, with its effective settings, their changes against
    the base, the data version it used, its status and the time it took; the name then
    points at it and earlier runs stay. An infeasible or failed solve stores nothing, so no
    table shows "unmet 0" for a plan that does not exist. The changes are taken against the
    base of ``source_file`` (default ``data/scenarios/base.yaml``) unless ``changes`` gives them.
    """
    import time

    from optimisation.plan import run_scenario

    access.require(principal, access.PLANNERS, "planning a scenario")
    store = store or get_store()
    version, dataset = _versioned_dataset(store)
    if dataset.demand.empty:
        msg = "no survey answers in the database: import a survey first (vetplan import survey FILE)"
        raise InputError(msg)
    started = time.perf_counter()
    result = run_scenario(dataset, scenario)
    seconds = time.perf_counter() - started
    if save and result.plan is not None:
        summary = result.to_json_dict()
        store.save_results(
            scenario.name,
            plan_tables(result),
            settings=scenario.model_dump(mode="json"),
            changes=scenario_changes(scenario, source_file) if changes is None else changes,
            data_version=version,
            status=result.status.value,
            objective=summary.get("objective"),
            gap=result.gap,
            seconds=seconds,
        )
    return result


def scenario_changes(scenario: Scenario, source_file: str | Path | None = None) -> list[str]:
    """The scenario's settings that differ from its file's base, as ``key: before -> after (where from)`` lines.

    ``source_file`` is the scenario file it was composed from (default ``data/scenarios/base.yaml``).
    """
    from optimisation.scenarios import effective_changes

    base = load_scenario(source_file)
    return [
        change.text() + (f" ({change.source})" if change.source not in {"override", scenario.name} else "")
        for change in effective_changes(base, scenario)
    ]


def sweep_budgets(
    budgets: list[float],
    *,
    name: str = "base",
    source_file: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    save: bool = True,
    in_process: bool = False,
    store: Store | None = None,
    principal: Principal | None = None,
) -> Sweep:
    """Solve scenario ``name`` at each public budget per year (see :func:`skills.sweep.budget_sweep`).

    Each plan the sweep solved is stored as a run named ``NAME-budget-B`` (``NAME-budget-unlimited``),
    with its budget as the change against the scenario, on the data version it used. ``in_process``
    solves one budget after the other in this process: the app's choice, as a page script cannot
    start worker processes (they would run the page again).
    """
    from skills.executor import SolveExecutor
    from skills.sweep import budget_sweep

    access.require(principal, access.PLANNERS, "a budget sweep")
    store = store or get_store()
    version, dataset = _versioned_dataset(store)
    scenario = load_scenario(source_file, overrides, name=name, source="--set")
    if in_process:
        with SolveExecutor("serial") as executor:
            sweep = budget_sweep(dataset, scenario, budgets, executor=executor)
    else:
        sweep = budget_sweep(dataset, scenario, budgets)
    if save:
        base_changes = scenario_changes(scenario, source_file)
        for budget, plan in sweep.plans.items():
            if plan.plan is None:
                continue
            label = "unlimited" if budget == float("inf") else f"{budget:.0f}"
            run_name = f"{scenario.name}-budget-{label}"
            settings = scenario.model_dump(mode="json") | {"name": run_name, "budget_per_year": None if label == "unlimited" else budget}
            store.save_results(
                run_name,
                plan_tables(plan),
                settings=settings,
                changes=[*base_changes, f"budget_per_year: {scenario.budget_per_year} -> {label} (sweep)"],
                data_version=version,
                status=plan.status.value,
                objective=plan.to_json_dict().get("objective"),
                gap=plan.gap,
                seconds=None,
            )
    return sweep


def scenario_runs(
    names: list[str] | None = None, *, store: Store | None = None, principal: Principal | None = None
) -> pd.DataFrame:
    """Every stored run (of ``names``), newest first: id, scenario, when, status, gap, seconds, data version,
    whether it was made on the current data, whether its name points at it, and its changes against the base.

    Raises :class:`NotFoundError` for a name with no stored run.
    """
    from skills.errors import NotFoundError

    access.who(principal)
    store = store or get_store()
    runs = store.runs(names)
    missing = sorted(set(names or []) - set(runs["scenario"]))
    if missing:
        known = ", ".join(store.scenarios()) or "none yet"
        msg = f"no stored run of {', '.join(map(repr, missing))} (stored: {known})"
        raise NotFoundError(msg)
    current = store.version("data")
    changes = runs.pop("changes_json").map(lambda text: "; ".join(json.loads(text)) or "none")
    return runs.drop(columns="settings_json").assign(
        on_current_data=runs["data_version"].eq(current).fillna(False).astype(bool), changes=changes
    )


def show_run(run_id: int, *, store: Store | None = None, principal: Principal | None = None) -> dict[str, Any]:
    """One stored run: its record, its effective settings and changes, and whether the data moved on since."""
    access.who(principal)
    store = store or get_store()
    record = store.run(run_id)
    record["on_current_data"] = record["data_version"] == store.version("data")
    return record


def stale_sentence(record: Mapping[str, Any], current_version: int) -> str:
    """What to say beside a run made on other data than the current ("" when it is current)."""
    version = record.get("data_version")
    if version == current_version:
        return ""
    made = "an unknown data version" if version is None or pd.isna(version) else f"data version {int(version)}"
    return (
        f"Run {record['run_id']} of {record['scenario']} was made on {made}; the data is now at version {current_version}: "
        f"vetplan scenario run {record['scenario']} plans it again on the current data."
    )


def rerun_scenario(name: str, *, store: Store | None = None, principal: Principal | None = None) -> PlanResult:
    """Plan a stored scenario again, with the settings of its latest run, on the current data (a new run)."""
    from optimisation.scenarios import Scenario as ScenarioModel

    who = access.require(principal, access.PLANNERS, "planning a scenario")
    store = store or get_store()
    latest = store.latest_runs([name])
    if name not in latest:
        known = ", ".join(store.scenarios()) or "none yet"
        msg = f"no stored run of {name!r} (stored: {known})"
        raise InputError(msg)
    record = store.run(latest[name])
    if not record["settings"]:
        msg = f"the latest run of {name!r} was stored before runs kept their settings; solve its scenario file again"
        raise InputError(msg)
    return solve(ScenarioModel.model_validate(record["settings"]), store=store, principal=who, changes=record["changes"])


def delete_runs(
    name: str, *, run_id: int | None = None, store: Store | None = None, principal: Principal | None = None
) -> int:
    """Remove one run (``run_id``) or every run of scenario ``name``; returns how many were removed."""
    access.require(principal, access.PLANNERS, "removing stored runs")
    store = store or get_store()
    runs = store.runs([name])
    ids = [run_id] if run_id is not None else runs["run_id"].astype(int).tolist()
    if not ids or (run_id is not None and run_id not in set(runs["run_id"].astype(int))):
        msg = f"no stored run {'' if run_id is None else str(run_id) + ' '}of {name!r}"
        raise InputError(msg)
    for each in ids:
        store.delete_run(int(each))
    return len(ids)


def kpi_labels(currency: str) -> dict[str, str]:
    """The name a person reads for each KPI of a comparison, money with its currency."""
    from skills.compare import GROUP_PREFIX, KPIS, MONEY

    labels = {kpi: text[0].upper() + text[1:] + (f" ({currency})" if kpi in MONEY else "") for kpi, text in KPIS.items()}
    from skills.schemas import SKILL_GROUP_NAMES

    labels.update({f"{GROUP_PREFIX}{name}": f"Gap units closed: {name}" for name in SKILL_GROUP_NAMES.values()})
    return labels


@dataclass
class Comparison:
    """Stored runs side by side against a baseline (see :func:`compare_runs`)."""

    baseline: str
    kpis: pd.DataFrame  # one row per run label, one column per KPI
    against_baseline: pd.DataFrame  # run, kpi, value, baseline, difference, difference_pct
    settings: pd.DataFrame  # setting, one column per run label: only settings that differ
    runs: pd.DataFrame  # the runs compared (scenario_runs columns), labelled
    charts: dict[str, pd.DataFrame]  # tidy data of each chart
    currency: str
    notes: list[str]

    def as_json(self) -> list[dict[str, Any]]:
        """One object per run: its label, scenario, run id, data version, status, KPIs and their differences."""
        objects = []
        for label, row in self.kpis.iterrows():
            meta = self.runs.loc[self.runs["label"] == label].iloc[0]
            diffs = self.against_baseline[self.against_baseline["run"] == label].set_index("kpi")
            objects.append(
                {
                    "run": label,
                    "scenario": meta["scenario"],
                    "run_id": int(meta["run_id"]),
                    "data_version": None if pd.isna(meta["data_version"]) else int(meta["data_version"]),
                    "on_current_data": bool(meta["on_current_data"]),
                    "status": meta["status"],
                    "baseline": self.baseline,
                    "kpis": {k: (None if pd.isna(v) else float(v)) for k, v in row.items()},
                    "difference": {k: (None if pd.isna(v) else float(v)) for k, v in diffs["difference"].items()},
                    "difference_pct": {k: (None if pd.isna(v) else float(v)) for k, v in diffs["difference_pct"].items()},
                }
            )
        return objects


def compare_runs(
    names: list[str],
    *,
    baseline: str | None = None,
    store: Store | None = None,
    principal: Principal | None = None,
) -> Comparison:
    """The latest runs of ``names`` (or ``name@run_id`` for an older run) against ``baseline`` (default: the first).

    KPIs come from each run's stored tables (:func:`skills.compare.run_kpis`), so a figure
    equals the one of the single plan. Raises :class:`NotFoundError` for an unknown name.
    """
    from skills import compare
    from skills.errors import NotFoundError
    from skills.schemas import SKILL_GROUP_NAMES

    access.require(principal, access.PLANNERS, "comparing scenarios")
    store = store or get_store()
    if not names:
        names = store.scenarios()
    if not names:
        msg = "no stored runs to compare: solve a scenario first"
        raise NotFoundError(msg)
    chosen: dict[str, int] = {}
    latest = store.latest_runs()
    for label in names:
        name, _, run_text = label.partition("@")
        if run_text:
            record = store.run(int(run_text)) if run_text.isdigit() else None
            if record is None or record["scenario"] != name:
                msg = f"{label!r}: no run {run_text} of {name!r}"
                raise NotFoundError(msg)
            chosen[label] = int(run_text)
        elif name in latest:
            chosen[label] = latest[name]
        else:
            msg = f"no stored run of {name!r} (stored: {', '.join(sorted(latest)) or 'none yet'})"
            raise NotFoundError(msg)
    baseline = baseline or names[0]
    if baseline not in chosen:
        msg = f"the baseline {baseline!r} is not among the runs compared ({', '.join(chosen)})"
        raise InputError(msg)
    dataset = load_dataset(store)
    skills = dataset.flat("skills")
    groups = dict(zip(skills["skill_id"], skills["group"].map(SKILL_GROUP_NAMES).fillna(skills["group"]), strict=True))
    courses = dataset.flat("courses")
    hours = dict(zip(courses["course_id"], courses["hours"].astype(float), strict=True))
    ids = list(chosen.values())
    table_names = ("gaps", "costs", "participants", "runs", "hires")
    stored = {name: store.read_run_results(name, ids) for name in table_names}
    rows = {}
    for label, run_id in chosen.items():
        tables = {name: frame[frame["run_id"] == run_id] for name, frame in stored.items() if "run_id" in frame}
        rows[label] = compare.run_kpis(tables, skill_groups=groups, course_hours=hours)
    kpis = pd.DataFrame.from_dict(rows, orient="index")
    kpis = kpis[[*compare.KPIS, *sorted(c for c in kpis.columns if c not in compare.KPIS)]]
    runs = store.runs()
    runs = runs[runs["run_id"].isin(ids)]
    current = store.version("data")
    runs = runs.assign(
        label=runs["run_id"].map({run_id: label for label, run_id in chosen.items()}),
        on_current_data=runs["data_version"].eq(current).fillna(False).astype(bool),
        changes=runs["changes_json"].map(lambda text: "; ".join(json.loads(text)) or "none"),
    )
    settings = compare.differing_settings({label: store.run(run_id)["settings"] for label, run_id in chosen.items()})
    label_of = {run_id: label for label, run_id in chosen.items()}
    charts = _comparison_charts(stored, label_of, groups)
    notes = [
        stale_sentence({str(key): value for key, value in record.items()}, current)
        for record in runs.to_dict("records")
        if not record["on_current_data"]
    ]
    return Comparison(
        baseline=baseline,
        kpis=kpis,
        against_baseline=compare.against_baseline(kpis, baseline),
        settings=settings,
        runs=runs.drop(columns=["settings_json", "changes_json"]).reset_index(drop=True),
        charts=charts,
        currency=load_settings().currency,
        notes=notes,
    )


def priorities_report(
    name: str, *, run_id: int | None = None, store: Store | None = None, principal: Principal | None = None
) -> PrioritiesReport:
    """The region's 4–6 priority skill areas from the latest run of ``name`` (or ``run_id``), as an LSIP states them.

    Sectors and occupations asked by fewer companies than the disclosure rule's minimum are pooled.
    """
    from skills.errors import NotFoundError
    from skills.priorities import priorities

    access.require(principal, access.PLANNERS, "the regional priorities report")
    store = store or get_store()
    latest = store.latest_runs([name])
    if run_id is None:
        if name not in latest:
            msg = f"no stored run of {name!r} (stored: {', '.join(store.scenarios()) or 'none yet'})"
            raise NotFoundError(msg)
        run_id = latest[name]
    elif store.run(run_id)["scenario"] != name:
        msg = f"run {run_id} is not a run of {name!r}"
        raise NotFoundError(msg)
    tables = {table: store.read_run_results(table, [run_id]).drop(columns=["run_id", "scenario"]) for table in ("gaps", "participants", "runs", "hires")}
    settings = load_settings()
    return priorities(
        tables, load_dataset(store), scenario=name, run_id=run_id, currency=settings.currency, min_companies=settings.min_companies_per_cell
    )


def priorities_file(report: PrioritiesReport, out: str | Path) -> Path:
    """Write the priorities report as a workbook (``.xlsx``) or a printable Markdown page (``.md``)."""
    from skills.workbook import write_workbook

    target = Path(out)
    if target.suffix.lower() == ".md":
        target.write_text(report.to_markdown(), encoding="utf-8")
        return target
    if target.suffix.lower() != ".xlsx":
        msg = f"{target.name}: write the priorities report as .xlsx or .md"
        raise InputError(msg)
    return write_workbook(report.sheets(), target)


def comparison_file(comparison: Comparison, out: str | Path) -> Path:
    """Write a comparison workbook (``.xlsx``: first a sheet stating each run's data version, scenario, changes
    and status) or one CSV of every KPI against the baseline (``.csv``); text cells never become formulas."""
    from skills.workbook import write_workbook

    about = comparison.runs.assign(baseline=comparison.runs["label"] == comparison.baseline)[
        ["label", "scenario", "run_id", "created_at", "data_version", "on_current_data", "status", "gap", "seconds", "baseline", "changes"]
    ]
    kpis = comparison.kpis.rename_axis("run").reset_index()
    sheets = {
        "Runs": about,
        "KPIs": kpis,
        "Against baseline": comparison.against_baseline,
        "Settings that differ": comparison.settings,
        **{name.replace("_", " ").capitalize(): frame for name, frame in comparison.charts.items()},
    }
    target = Path(out)
    if target.suffix.lower() == ".csv":
        # one CSV: each KPI of each run beside the baseline, with the runs' data versions and statuses
        from skills.cells import csv_bytes

        table = comparison.against_baseline.merge(
            about[["label", "scenario", "run_id", "data_version", "status"]].rename(columns={"label": "run"}), on="run"
        )
        target.write_bytes(csv_bytes(table))
        return target
    return write_workbook(sheets, target)


def comparison_workbook(comparison: Comparison) -> bytes:
    """A comparison workbook as bytes, for a download button."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return comparison_file(comparison, Path(folder) / "comparison.xlsx").read_bytes()


def _comparison_charts(
    stored: Mapping[str, pd.DataFrame], label_of: Mapping[int, str], groups: Mapping[str, str]
) -> dict[str, pd.DataFrame]:
    """Tidy data of the comparison charts: closed units by group, cost by payer, runs by provider, all per year."""
    def labelled(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(run=frame["run_id"].map(label_of)) if len(frame) else frame.assign(run=pd.Series(dtype="string"))

    gaps = labelled(stored["gaps"])
    closures = gaps.assign(group=gaps["skill"].astype(str).map(groups)) if len(gaps) else gaps.assign(group=None)
    closed = (
        pd.DataFrame(closures.groupby(["run", "group"], as_index=False)["closed_units"].sum())
        if len(closures) else pd.DataFrame(columns=["run", "group", "closed_units"])
    )
    costs = labelled(stored["costs"])
    by_payer = (
        pd.DataFrame(costs.groupby(["run", "year", "payer"], as_index=False)["amount"].sum())
        if len(costs) else pd.DataFrame(columns=["run", "year", "payer", "amount"])
    )
    runs = labelled(stored["runs"])
    by_provider = (
        pd.DataFrame(runs.groupby(["run", "year", "provider"], as_index=False)["runs"].sum())
        if len(runs) else pd.DataFrame(columns=["run", "year", "provider", "runs"])
    )
    return {"closed_by_group": closed, "cost_by_payer": by_payer, "runs_by_provider": by_provider}


def plan_tables(result: PlanResult) -> dict[str, pd.DataFrame]:
    """The tables stored for one solved scenario: summary, plan tables, explanations, violations."""
    from optimisation.export import summary_frame

    summary = result.to_json_dict()
    headline = {
        key: summary[key]
        for key in ("status", "objective", "bound", "gap", "unmet_units", "closed_units", "total_cost", "public_cost", "company_cost")
    }
    headline.update(
        participants=summary["participants"]["total"],
        runs=summary["runs"]["total"],
        hires=summary["hires"]["total"],
        violations=len(result.violations),
        coverage=result.plan.totals.get("coverage") if result.plan is not None else None,
        budget_per_year=result.scenario.budget_per_year if not isinstance(result.scenario.budget_per_year, dict) else None,
        budget=budget_text(result.scenario.budget_per_year, load_settings().currency),
        subsidy_rate=result.scenario.subsidy_rate,
        objective_kind=result.scenario.objective,
    )
    budget_years = pd.DataFrame(
        {"year": result.scenario.years, "public_budget": [result.scenario.budget(year) for year in result.scenario.years]}
    ).astype({"year": "Int64", "public_budget": "Float64"})  # missing = unlimited
    tables = {
        "summary": pd.DataFrame([headline]),
        "budget": budget_years,
        "figures": summary_frame(result).astype({"value": "string"}),
    }
    if result.plan is not None:
        tables.update(result.plan.tables())
    tables["explanations"] = pd.DataFrame([e.as_dict() for e in result.explanations], columns=["kind", "subject", "reason", "sentence", "value"])
    tables["violations"] = pd.DataFrame([v.as_dict() for v in result.violations], columns=["rule", "where", "message", "value", "limit"])
    return tables


def plan_file(
    result: PlanResult, out: str | Path, *, source_file: str | Path | None = None, store: Store | None = None
) -> str:
    """Write a plan workbook to ``out``: first what it is (scenario, data version, changes against the base,
    solver status and gap), then the headline figures, one sheet per plan table, explanations and checks.

    Every text cell that would start a formula stays text; headers are frozen and filtered.
    """
    from optimisation.export import summary_frame
    from skills.workbook import write_workbook

    tables = plan_tables(result)
    changes = scenario_changes(result.scenario, source_file)
    about = pd.DataFrame(
        [
            ("scenario", result.scenario.name),
            ("description", result.scenario.description),
            ("fragments applied", ", ".join(result.scenario.fragments) or "none"),
            ("changes against the base", "; ".join(changes) or "none"),
            ("data version", str((store or get_store()).version("data"))),
            ("solver status", result.status.value),
            ("relative gap", "" if result.gap is None else f"{100 * result.gap:.2f} %"),
            ("public budget", budget_text(result.scenario.budget_per_year, load_settings().currency)),
            ("money in", load_settings().currency),
        ],
        columns=["item", "value"],
    )
    sheets = {"About": about, "Summary": summary_frame(result).astype({"value": "string"})}
    sheets.update({name.replace("_", " ").capitalize(): frame for name, frame in tables.items() if name not in {"summary", "figures"}})
    return str(write_workbook(sheets, out))


def plan_workbook(result: PlanResult, *, principal: Principal | None = None) -> bytes:
    """A plan workbook as bytes, for a download button (analysts and admins: it names companies)."""
    import tempfile

    access.require(principal, access.EVERYTHING, "downloading a whole plan")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.xlsx"
        plan_file(result, path)
        return path.read_bytes()


def stored_scenarios(store: Store | None = None, *, principal: Principal | None = None) -> list[str]:
    """Names of scenarios with a stored result (every signed-in role: each sees its own part of them)."""
    access.who(principal)
    return (store or get_store()).scenarios()


def compare_scenarios(
    names: list[str] | None = None, store: Store | None = None, *, principal: Principal | None = None
) -> pd.DataFrame:
    """Headline figures of stored scenarios side by side: one row per scenario (tidy, with a scenario column)."""
    access.require(principal, access.PLANNERS, "comparing scenarios")
    store = store or get_store()
    unknown = sorted(set(names or []) - set(store.scenarios()))
    if unknown:
        from skills.errors import NotFoundError

        msg = f"no stored run of {', '.join(map(repr, unknown))} (stored: {', '.join(store.scenarios()) or 'none yet'})"
        raise NotFoundError(msg)
    summary = store.read_results("summary", names)
    if summary.empty:
        return summary
    first = ["scenario", "status", "coverage", "closed_units", "unmet_units", "total_cost", "public_cost", "company_cost"]
    return summary[[c for c in first if c in summary.columns] + [c for c in summary.columns if c not in first]]


def scenario_table(
    table: str, names: list[str] | None = None, store: Store | None = None, *, principal: Principal | None = None
) -> pd.DataFrame:
    """One stored plan table (participants, runs, hires, costs, gaps, ...) of several scenarios, tidy.

    Each role sees its part (:func:`skills.visibility.plan_table`): a company its own rows,
    a provider its runs, a policymaker protected aggregates pooled by sector, region and size band;
    participants in runs are protected for everyone but analysts and admins.
    """
    who = access.who(principal)
    store = store or get_store()
    frame = store.read_results(table, names)
    if who.sees_everything:
        return frame
    needs = {"runs": ("participants",)}.get(table, ())
    others = {name: store.read_results(name, names) for name in needs}
    return _visible(table, frame, who, store, others, by_scenario=True)


def _plan_rules(store: Store | None) -> Any:
    """The disclosure rules plan views are protected by: the gap views' rules, with this database's secret."""
    from skills.disclosure import Rules

    return Rules.from_settings(disclosure_settings(store))


def _skill_group_names(store: Store | None) -> dict[str, str]:
    """The display name of each skill's group (as the plan charts show it)."""
    from skills.schemas import SKILL_GROUP_NAMES

    skills = load_dataset(store).flat("skills")
    return dict(zip(skills["skill_id"], skills["group"].map(SKILL_GROUP_NAMES).fillna(skills["group"]), strict=True))


def _visible(
    table: str,
    frame: pd.DataFrame,
    who: Principal,
    store: Store | None,
    others: Mapping[str, pd.DataFrame],
    *,
    by_scenario: bool = False,
) -> pd.DataFrame:
    """``frame`` as ``who`` may see it (see :func:`skills.visibility.plan_table`); ``others`` are the plan's other tables."""
    from skills import visibility

    companies = load_dataset(store).flat("companies")
    rules, groups = _plan_rules(store), _skill_group_names(store)
    if not by_scenario or frame.empty:
        plan = {name: other.drop(columns=["scenario", "run_id"], errors="ignore") for name, other in others.items()}
        return visibility.plan_table(table, frame, who, companies=companies, plan=plan, groups=groups, rules=rules)
    parts = []
    for scenario, rows in frame.groupby("scenario", sort=True):
        plan = {
            name: other[other["scenario"] == scenario].drop(columns=["scenario", "run_id"], errors="ignore")
            for name, other in others.items()
        }
        shown = visibility.plan_table(
            table, rows.drop(columns=["scenario", "run_id"], errors="ignore"), who, companies=companies, plan=plan,
            groups=groups, rules=rules,
        )
        parts.append(shown.assign(scenario=scenario))
    return pd.concat(parts, ignore_index=True)[["scenario", *[c for c in parts[0].columns if c != "scenario"]]]


def _result_tables(result: PlanResult) -> dict[str, pd.DataFrame]:
    """The plan tables of a solved plan that protected views sum (participants, hires, gaps, explanations)."""
    tables: dict[str, pd.DataFrame] = result.plan.tables() if result.plan is not None else {}
    explanations = pd.DataFrame([e.as_dict() for e in result.explanations], columns=["kind", "subject", "reason", "sentence", "value"])
    return {**tables, "explanations": explanations}


def plan_view(result: PlanResult, *, store: Store | None = None, principal: Principal | None = None) -> dict[str, pd.DataFrame]:
    """A solved plan's participants, runs and hires as ``principal`` may see them (see :func:`scenario_table`)."""
    who = access.require(principal, access.PLANNERS, "seeing a whole plan")
    tables = {"participants": result.participants, "runs": result.runs, "hires": result.hires}
    if who.sees_everything:
        return tables
    others = _result_tables(result)
    return {name: _visible(name, frame, who, store, others) for name, frame in tables.items()}


def plan_disclosure_sentence(*, store: Store | None = None, principal: Principal | None = None) -> str:
    """What a plan page says beside its tables: how participants, hires and unmet units are protected for this role
    ("" for analysts and admins, who see every row)."""
    who = access.who(principal)
    if who.sees_everything:
        return ""
    method: str = _plan_rules(store).sentence()
    return (
        "Participants, hires and unmet units are pooled by sector, region, size band, skill, course and year; no company is "
        "named, and region totals are the plan's exact headline figures. " + method
    )


def plan_charts(result: PlanResult, *, store: Store | None = None, principal: Principal | None = None) -> dict[str, pd.DataFrame]:
    """Tidy data of a plan's charts, with no company in them: closed and unmet units by skill group,
    cost by year and payer, course runs by year and provider.

    For anyone but analysts and admins, closed and unmet units by group are the protected view
    (:data:`skills.visibility.PLAN_VIEWS`): a group of too few companies shows no bar.
    """
    from skills import visibility

    who = access.who(principal)
    if result.plan is None:
        return {"closed_and_unmet": pd.DataFrame(), "cost_by_year": pd.DataFrame(), "runs_by_year": pd.DataFrame()}
    groups = _skill_group_names(store)
    if who.sees_everything:
        gaps = result.plan.gaps.assign(group=result.plan.gaps["skill"].map(groups).fillna("other"))
        by_group = gaps.groupby("group")[["closed_units", "unmet_units"]].sum().reset_index()
    else:
        view = visibility.STACKED["gaps"][0]
        companies = load_dataset(store).flat("companies")
        contributions = visibility.plan_contributions("gaps", _result_tables(result), companies, groups)
        table = visibility.protected_view(view, contributions, _plan_rules(store))
        by_group = table[table["group"].notna()][["group", "closed_units", "unmet_units"]].astype(
            {"group": "string", "closed_units": "Float64", "unmet_units": "Float64"}
        )
    closed = by_group.melt(id_vars="group", var_name="status", value_name="units").dropna(subset=["units"])
    closed["status"] = closed["status"].map({"closed_units": "closed", "unmet_units": "unmet"})
    costs = pd.DataFrame(result.plan.costs.groupby(["year", "payer"], as_index=False)["amount"].sum())
    runs = pd.DataFrame(result.plan.runs.groupby(["year", "provider"], as_index=False)["runs"].sum())
    return {"closed_and_unmet": closed.reset_index(drop=True), "cost_by_year": costs.assign(run=result.scenario.name), "runs_by_year": runs}


def _names_a_company(text: str, company_ids: set[str]) -> bool:
    return any(part in company_ids for part in re.split(r"[\s:/,()]+", text))


def plan_limits(result: PlanResult, n: int = 10, *, store: Store | None = None, principal: Principal | None = None) -> list[str]:
    """The ``n`` shadow-price sentences worth most (what one more unit of budget, seats or trainer hours buys).

    Sentences about one company are for analysts and admins.
    """
    who = access.require(principal, access.PLANNERS, "seeing what limits a plan")
    priced = [e for e in result.explanations if e.kind == "shadow_price" and abs(e.value) > 1e-9]
    if not who.sees_everything:
        company_ids = set(load_dataset(store).flat("companies")["company_id"])
        priced = [e for e in priced if not _names_a_company(f"{e.subject} {e.sentence}", company_ids)]
    return [e.sentence for e in sorted(priced, key=lambda e: -abs(e.value))[:n]]


def unmet_reasons(result: PlanResult, *, store: Store | None = None, principal: Principal | None = None) -> pd.DataFrame:
    """Each unmet gap with why it stays unmet (no course reaches the level, seats, budget, capacity, no hires).

    Analysts and admins see each gap; policymakers the unmet units per reason, protected
    (:data:`skills.visibility.PLAN_VIEWS`): ``reason``, ``unmet_units``, ``companies``, ``band``.
    """
    from skills import visibility

    who = access.require(principal, access.PLANNERS, "seeing why gaps stay unmet")
    rows = pd.DataFrame(
        [e.as_dict() for e in result.explanations if e.kind == "unmet"], columns=["subject", "reason", "sentence", "value"]
    )
    if who.sees_everything:
        return rows
    companies = load_dataset(store).flat("companies")
    shown = visibility.stacked(visibility.STACKED["unmet"], _result_tables(result), companies, {}, _plan_rules(store))
    cells = shown[shown["pooled_by"] != "all"].rename(columns={"group": "reason"}).drop(columns="pooled_by")
    order = cells["unmet_units"].astype("Float64").fillna(-1.0)
    return cells.assign(_order=order).sort_values("_order", ascending=False, ignore_index=True).drop(columns="_order")


# ---- survey column mappings ----------------------------------------------------------------------


def survey_mappings() -> list[str]:
    """Names of the saved survey column mappings (``data/survey_mappings/*.yaml``)."""
    from skills.io import SURVEY_MAPPINGS_DIR

    return sorted(path.stem for path in SURVEY_MAPPINGS_DIR.glob("*.yaml"))


def survey_mapping_text(name: str) -> str:
    """The YAML text of a saved survey mapping."""
    from skills.io import SURVEY_MAPPINGS_DIR

    path = SURVEY_MAPPINGS_DIR / f"{_mapping_name(name)}.yaml"
    if not path.exists():
        msg = f"no saved survey mapping called {name!r}"
        raise InputError(msg)
    return path.read_text(encoding="utf-8")


def save_survey_mapping_text(name: str, text: str, *, principal: Principal | None = None) -> str:
    """Validate YAML text as a survey mapping and save it under ``name``; the next import of that survey uses it.

    Raises :class:`InputError` naming what is wrong; nothing is written then.
    """
    from skills.io import SURVEY_MAPPINGS_DIR
    from skills.survey import parse_survey_mapping_text

    access.require(principal, access.EVERYTHING, "saving a survey mapping")
    file_name = f"{_mapping_name(name)}.yaml"
    parse_survey_mapping_text(text, name=file_name)
    path = SURVEY_MAPPINGS_DIR / file_name
    path.write_text(text, encoding="utf-8")
    return str(path)


def client_file_name(name: str | None, *, default: str = "upload") -> str:
    r"""The last part of a file name a browser sent, fit to show in a message; never a path to write to.

    Browsers may send ``C:\fakepath\x.csv``, and a crafted request any text at all:
    folders, ``..`` and control characters are dropped, the rest is cut to 120 characters.

    >>> client_file_name("../../data/scenarios/base.yaml"), client_file_name("C:\\fakepath\\a.csv")
    ('base.yaml', 'a.csv')
    """
    import re

    last = re.split(r"[/\\]", name or "")[-1]
    printable = "".join(character for character in last if character.isprintable()).strip()
    return printable[:120] if printable not in ("", ".", "..") else default


def read_survey_mapping(data: bytes, *, name: str | None = None) -> SurveyMapping:
    """A survey mapping uploaded as bytes, validated; nothing is written to disk.

    The result is passed to :func:`import_data` as ``mapping``. Raises :class:`InputError`
    naming the file when it is too large, not UTF-8, not YAML or not a valid mapping.
    """
    from skills.survey import read_survey_mapping as read

    return read(data, name=client_file_name(name, default="mapping.yaml"))


def _mapping_name(name: str) -> str:
    import re

    cleaned = name.strip().removesuffix(".yaml")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,80}", cleaned):
        msg = f"mapping name {name!r}: use letters, digits, '-', '_' or '.'"
        raise InputError(msg)
    return cleaned


def unmapped(store: Store | None = None, *, principal: Principal | None = None) -> dict[str, int]:
    """Survey rows waiting for skill review: not in any gap figure yet, so every view states them.

    Returns ``{"rows": n, "headcount": people}`` over pending demand rows.
    """
    import json

    access.who(principal)
    queue = (store or get_store()).read_queue("pending")
    demand_rows = queue[queue["table_name"] == "demand"]
    headcount = 0
    for payload in demand_rows["row_json"]:
        row = json.loads(payload)
        row = row[0] if isinstance(row, list) else row
        try:
            headcount += int(float(row.get("headcount") or 0))
        except (TypeError, ValueError):
            continue
    return {"rows": len(demand_rows), "headcount": headcount}
