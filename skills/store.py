"""Persistence with SQLAlchemy: embedded SQLite by default, any SQLAlchemy URL (PostgreSQL) by setting."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from skills.dataset import Dataset
from skills.errors import NotFoundError, StoreBusyError, StoreError
from skills.schemas import FLOAT, INT, TABLES

logger = logging.getLogger(__name__)
# Details of a failed write (SQL, parameters) go to the handlers an application configures,
# never to a user's terminal through logging's last-resort handler.
logger.addHandler(logging.NullHandler())

#: 2 added the optional ``skills.description_da``; 3 the ``users`` and ``sessions`` tables; 4 stored
#: runs (``runs``, ``run_results``) in place of one result per scenario name (``plan_results``, moved over);
#: 5 the optional ``assumed`` flags of ``companies`` and ``demand`` (values an import filled in).
#: Older databases gain missing tables and optional columns on open.
SCHEMA_VERSION: Final = 5

#: Data tables in the order they can be inserted (referenced tables first).
DATA_TABLES: Final = ("skills", "companies", "courses", "demand", "course_skills", "supply")

_FOREIGN_KEYS: Final[dict[tuple[str, str], str]] = {
    ("demand", "company_id"): "companies.company_id",
    ("demand", "skill"): "skills.skill_id",
    ("course_skills", "course_id"): "courses.course_id",
    ("course_skills", "skill"): "skills.skill_id",
    ("supply", "skill"): "skills.skill_id",
}

#: Seconds a write waits for another write's lock (SQLite busy timeout, PostgreSQL lock_timeout).
LOCK_TIMEOUT: Final = 10.0
#: What a writer is told when another write kept the lock longer than :data:`LOCK_TIMEOUT`.
BUSY_MESSAGE: Final = "the database is busy with another import; try again"
#: Length of key and link columns whose contract declares no ``max_length``.
_KEY_LENGTH: Final = 200
#: PostgreSQL advisory lock every vetplan write holds for its whole transaction ("vetplan" + 1).
_WRITE_LOCK_KEY: Final = 0x7665_7470_6C61_6E01
#: Counters in ``vetplan_meta`` that every write advances: ``data`` for data tables, the review queue
#: and learned aliases (everything a gap figure or a plan is computed from), ``results`` for plan results.
VERSION_KEYS: Final = {"data": "data_version", "results": "results_version"}
#: Execution option marking a connection that opens write transactions (BEGIN IMMEDIATE on SQLite).
_WRITE_OPTION: Final = "vetplan_write"

#: The tables a write replaces, or a function of the dataset as stored (read under the write lock) returning them.
TablesOrMerge = Mapping[str, pd.DataFrame] | Callable[[Dataset], Mapping[str, pd.DataFrame]]


metadata = MetaData()


def _sql_table(name: str) -> Table:
    """SQL table generated from the table's pandera contract (declared once, in skills.schemas)."""
    spec = TABLES[name]
    columns: list[Column[Any]] = []
    single_key = spec.key[0] if len(spec.key) == 1 else None
    if single_key is None:
        columns.append(Column("row_id", Integer, primary_key=True, autoincrement=True))
    for column_name, col in spec.schema.columns.items():
        dtype = str(col.dtype)
        declared = (col.metadata or {}).get("max_length")
        length = declared if isinstance(declared, int) else None
        sql_type: Any = Integer if dtype == INT else Float if dtype == FLOAT else String(length) if length else Text
        args: list[Any] = []
        target = _FOREIGN_KEYS.get((name, column_name))
        if target:
            args.append(ForeignKey(target, ondelete="CASCADE"))
        if target or column_name == single_key:
            sql_type = String(length or _KEY_LENGTH)
        columns.append(
            Column(
                column_name,
                sql_type,
                *args,
                primary_key=column_name == single_key,
                nullable=col.nullable or not col.required,
                comment=col.description,
            )
        )
    return Table(name, metadata, *columns, comment=spec.description)


SQL_TABLES: Final[dict[str, Table]] = {name: _sql_table(name) for name in DATA_TABLES}

meta_table = Table(
    "vetplan_meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)
mapping_queue = Table(
    "mapping_queue",
    metadata,
    Column("queue_id", Integer, primary_key=True, autoincrement=True),
    Column("phrase", Text, nullable=False),
    Column("table_name", String(50), nullable=False),
    Column("suggestion", String(200)),
    Column("score", Float),
    Column("status", String(20), nullable=False, default="pending"),
    Column("chosen_skill", String(200)),
    Column("source_file", Text),
    Column("source_row", Integer),
    Column("row_json", Text, nullable=False, comment="the whole imported row, kept until reviewed"),
    Column("created_at", String(40), nullable=False),
)
learned_aliases = Table(
    "learned_aliases",
    metadata,
    Column("alias", String(300), primary_key=True),
    Column("skill_id", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
)
import_log = Table(
    "import_log",
    metadata,
    Column("import_id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(50), nullable=False),
    Column("source", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
)
reference_tables = Table(
    "reference_tables",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("records_json", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    comment="imported reference data kept whole, e.g. ESCO occupations and relations",
)
users = Table(
    "users",
    metadata,
    Column("user_name", String(100), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("company_id", String(200), comment="the company a company user belongs to"),
    Column("provider", String(200), comment="the course provider a provider user belongs to"),
    Column("email", String(320), unique=True, comment="for single sign-on (OpenID Connect): the role is looked up by e-mail"),
    Column("password_hash", Text, comment="Argon2id hash; never the password; empty for single-sign-on-only users"),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", String(40), comment="no sign-in before this time (after repeated failures)"),
    Column("created_at", String(40), nullable=False),
    comment="who may sign in to the app, and what they see",
)
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True, comment="SHA-256 of the session token; the token stays with the browser"),
    Column("user_name", String(100), ForeignKey("users.user_name", ondelete="CASCADE"), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Column("last_seen", String(40), nullable=False),
)
runs = Table(
    "runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("scenario", String(200), nullable=False, index=True, comment="the scenario's name: it points at its latest run"),
    Column("settings_json", Text, nullable=False, comment="the scenario's effective settings"),
    Column("changes_json", Text, nullable=False, comment="its changes against the base, as text lines"),
    Column("data_version", Integer, comment="the data version it was solved on (null: before versions were kept)"),
    Column("status", String(20), nullable=False),
    Column("objective", Float),
    Column("gap", Float),
    Column("seconds", Float),
    Column("created_at", String(40), nullable=False),
    comment="every solve of a scenario, kept until removed",
)
run_results = Table(
    "run_results",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("table_name", String(100), primary_key=True),
    Column("records_json", Text, nullable=False),
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _configure_sqlite(engine: Engine, lock_timeout: float = LOCK_TIMEOUT) -> None:
    """WAL, busy timeout, foreign keys; explicit BEGIN: IMMEDIATE for writes, deferred for reads.

    A write transaction takes SQLite's write lock at its start (waiting up to
    ``lock_timeout`` seconds for another writer), so whatever it reads cannot change
    before it commits; reads never wait for a writer (WAL).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below own the transaction
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str, *, lock_timeout: float = LOCK_TIMEOUT) -> Engine:
    """An engine for ``url``; an SQLite file's folder is created if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": lock_timeout})
        _configure_sqlite(engine, lock_timeout)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """The database: data tables, mapping queue, learned aliases and plan results.

    Every method that writes runs in one transaction that holds the database's write
    lock from its start: it succeeds whole or changes nothing, and no other write
    comes between what it read and what it writes.

    Parameters
    ----------
    url
        An SQLAlchemy URL (``sqlite:///file``, ``postgresql+psycopg://...``).
    lock_timeout
        Seconds a write waits for another write to finish before it is refused with
        :class:`StoreBusyError`.

    >>> store = Store("sqlite://")
    >>> store.is_empty()
    True
    """

    def __init__(self, url: str, *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.url = url
        self.lock_timeout = lock_timeout
        try:
            self.engine = make_engine(url, lock_timeout=lock_timeout)
            self._migrate()
            self.database_id = self._database_id()
        except (SQLAlchemyError, OSError) as error:
            logger.error("cannot open the database", exc_info=error)
            if isinstance(error, SQLAlchemyError) and _is_busy(error):
                raise StoreBusyError(BUSY_MESSAGE) from error
            reason = error.orig if isinstance(error, DBAPIError) else error
            msg = f"cannot open the database at {make_url(url).render_as_string(hide_password=True)}: {reason}"
            raise StoreError(msg) from error

    @contextmanager
    def transaction(self, advances: tuple[str, ...] = ("data",)) -> Iterator[Connection]:
        """One write transaction holding the write lock from its start (see :meth:`_write`).

        It advances the versions named in ``advances`` (keys of :data:`VERSION_KEYS`) in
        the same transaction, so a reader that saw version *n* saw exactly the rows
        written up to the *n*-th write.

        Raises
        ------
        StoreBusyError
            When another write kept the lock longer than ``lock_timeout``.
        StoreError
            When the database refuses the write; the message says why in the user's
            words, without SQL or data (those are logged).
        """
        try:
            with self._write() as connection:
                yield connection
                for kind in advances:
                    _advance(connection, VERSION_KEYS[kind])
        except SQLAlchemyError as error:
            raise _store_error(error) from error

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A transaction that first takes the write lock: BEGIN IMMEDIATE (SQLite), an advisory lock (PostgreSQL)."""
        with self.engine.connect() as connection:
            connection.execution_options(**{_WRITE_OPTION: True})
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(self.lock_timeout * 1000)}")
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITE_LOCK_KEY})
                elif connection.dialect.name != "sqlite" and inspect(connection).has_table(meta_table.name):
                    connection.execute(select(meta_table.c.key).with_for_update())  # other databases: a row lock
                yield connection

    def _schema_is_current(self) -> bool:
        """Whether every table exists and the schema version is this vetplan's (read only, no lock)."""
        with self.engine.connect() as connection:
            if set(metadata.tables) - set(inspect(connection).get_table_names()):
                return False
            found = connection.execute(select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar()
        return found == str(SCHEMA_VERSION)

    def _migrate(self) -> None:
        if self._schema_is_current():
            return
        with self._write() as connection:
            metadata.create_all(connection)
            found = connection.execute(select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar()
            if found is None:
                connection.execute(insert(meta_table).values(key="schema_version", value=str(SCHEMA_VERSION)))
            elif int(found) > SCHEMA_VERSION:
                msg = f"the database has schema version {found}, newer than this vetplan ({SCHEMA_VERSION}); upgrade vetplan"
                raise StoreError(msg)
            elif int(found) < SCHEMA_VERSION:
                _add_missing_columns(connection)
                _move_plan_results(connection)
                connection.execute(
                    meta_table.update().where(meta_table.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
                )

    def _database_id(self) -> str:
        """A random id given to the database when vetplan first opens it: two databases never share one.

        Caches key what they keep by (database id, version), so that two databases at
        the same version (or one replaced by another at the same URL) never mix.
        """
        with self.engine.connect() as connection:
            found = connection.execute(select(meta_table.c.value).where(meta_table.c.key == "database_id")).scalar()
        if found is not None:
            return str(found)
        with self._write() as connection:
            found = connection.execute(select(meta_table.c.value).where(meta_table.c.key == "database_id")).scalar()
            if found is None:
                found = uuid.uuid4().hex
                connection.execute(insert(meta_table).values(key="database_id", value=found))
        return str(found)

    def secret(self, key: str) -> str:
        """A random secret this database keeps under ``key`` in ``vetplan_meta``, drawn at first use."""
        import secrets

        name = f"secret:{key}"
        with self.engine.connect() as connection:
            found = connection.execute(select(meta_table.c.value).where(meta_table.c.key == name)).scalar()
        if found is not None:
            return str(found)
        with self._write() as connection:
            found = connection.execute(select(meta_table.c.value).where(meta_table.c.key == name)).scalar()
            if found is None:
                found = secrets.token_hex(32)
                connection.execute(insert(meta_table).values(key=name, value=found))
        return str(found)

    def schema_version(self) -> int:
        with self.engine.connect() as connection:
            value = connection.execute(select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar_one()
        return int(value)

    def table_names(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    # ---- data tables -------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per data table."""
        with self.engine.connect() as connection:
            return {
                name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in SQL_TABLES.items()
            }

    def headline_counts(self) -> dict[str, int]:
        """The region's headline counts in SQL, as :meth:`Dataset.counts` gives them (without gap units)."""
        companies, courses = SQL_TABLES["companies"], SQL_TABLES["courses"]
        rows = self.counts()
        with self.engine.connect() as connection:
            employees = connection.execute(select(func.coalesce(func.sum(companies.c.employees), 0))).scalar_one()
            providers = connection.execute(select(func.count(func.distinct(courses.c.provider)))).scalar_one()
        return {
            "companies": rows["companies"],
            "employees": int(employees),
            "courses": rows["courses"],
            "providers": int(providers),
            "skills": rows["skills"],
            "demand_rows": rows["demand"],
            "course_skills": rows["course_skills"],
            "supply_rows": rows["supply"],
        }

    def is_empty(self) -> bool:
        return not any(self.counts().values())

    def save_dataset(self, dataset: Dataset, *, source: str = "dataset") -> None:
        """Replace every data table with ``dataset``'s, in one transaction."""
        self.replace_tables({name: dataset.flat(name) for name in DATA_TABLES}, source=source)

    def replace_tables(self, frames: Mapping[str, pd.DataFrame], *, source: str = "import") -> None:
        """Replace the named tables' rows with ``frames`` (validated, flat), in one transaction.

        Replacing a referenced table (skills, companies, courses) deletes the rows
        that referenced it unless they are replaced in the same call; the caller
        validates links first (see :func:`skills.schemas.check_references`).
        """
        _replace_order(frames)
        with self.transaction() as connection:
            _replace(connection, frames)
            for name, frame in frames.items():
                connection.execute(insert(import_log).values(kind=name, source=source, rows=len(frame), created_at=_now()))

    def apply_import(
        self,
        frames: TablesOrMerge,
        *,
        pending: pd.DataFrame | None = None,
        references: Mapping[str, pd.DataFrame] | None = None,
        source: str = "import",
    ) -> None:
        """Store one accepted import in one transaction: replaced tables, review rows, reference tables.

        Parameters
        ----------
        frames
            The new versions of the tables to replace, or a function that builds them
            from the dataset as stored. The function is called inside the write
            transaction, with the tables read on its connection after the write lock
            was taken, so no other write can come between that read and this write
            (two imports at once both keep their rows). Whatever it raises rolls the
            transaction back, nothing is stored, and the exception propagates.
        pending
            Rows for the review queue.
        references
            Reference tables (e.g. ESCO occupations) stored whole under their names.
        source
            What the import log says was imported.

        Raises
        ------
        StoreBusyError
            When another write kept the lock longer than ``lock_timeout``.
        StoreError
            When the database refuses the write (nothing was changed).
        """
        with self.transaction() as connection:
            tables = frames(_load_dataset(connection)) if callable(frames) else frames
            ordered = _replace_order(tables)
            _replace(connection, tables)
            if pending is not None and not pending.empty:
                connection.execute(insert(mapping_queue), _queue_records(pending))
            for name, frame in (references or {}).items():
                connection.execute(delete(reference_tables).where(reference_tables.c.name == name))
                connection.execute(
                    insert(reference_tables).values(
                        name=name, records_json=frame.to_json(orient="records"), created_at=_now()
                    )
                )
            rows = sum(len(frame) for frame in tables.values()) + (0 if pending is None else len(pending))
            connection.execute(insert(import_log).values(kind=",".join(ordered) or "reference", source=source, rows=rows, created_at=_now()))

    def read_reference(self, name: str) -> pd.DataFrame:
        """A stored reference table (empty when never imported)."""
        with self.engine.connect() as connection:
            payload = connection.execute(select(reference_tables.c.records_json).where(reference_tables.c.name == name)).scalar()
        return pd.DataFrame(json.loads(payload)) if payload else pd.DataFrame()

    def read_frame(self, name: str) -> pd.DataFrame:
        """One data table as stored (flat: ids as columns), without the surrogate row_id."""
        with self.engine.connect() as connection:
            return _read_frame(connection, name)

    def version(self, kind: str = "data") -> int:
        """How many writes of ``kind`` (``data`` or ``results``) the database has seen: one indexed read.

        Anything computed from the data can be kept while this number stays the same;
        every import, review decision or edit (``data``), or stored plan (``results``),
        advances it, also when another process wrote.
        """
        with self.engine.connect() as connection:
            return _version(connection, VERSION_KEYS[kind])

    def load_dataset(self) -> Dataset:
        """Every data table, typed, as a :class:`Dataset` (one consistent snapshot)."""
        return self.load_versioned()[1]

    def load_versioned(self) -> tuple[int, Dataset]:
        """The data version and every data table read in one snapshot, so the two belong together.

        Rows were validated when they were written; reading only restores their types
        (:meth:`Dataset.from_stored`).
        """
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                version = _version(connection, VERSION_KEYS["data"])
                return version, _load_dataset(connection)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """All rows of every table (for tests asserting that nothing changed)."""
        with self.engine.connect() as connection:
            return {
                name: sorted(map(tuple, connection.execute(select(table)).all()), key=repr)
                for name, table in metadata.tables.items()
            }

    # ---- mapping review queue and learned aliases ---------------------------------------------

    def add_to_queue(self, rows: pd.DataFrame) -> None:
        """Store phrases waiting for review (columns phrase, table_name, suggestion, score, source_file, source_row, row_json)."""
        if rows.empty:
            return
        with self.transaction() as connection:
            connection.execute(insert(mapping_queue), _queue_records(rows))

    def read_queue(self, status: str | None = "pending") -> pd.DataFrame:
        query = select(mapping_queue).order_by(mapping_queue.c.queue_id)
        if status is not None:
            query = query.where(mapping_queue.c.status == status)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return pd.DataFrame(rows, columns=[c.name for c in mapping_queue.columns])

    def count_queue(self, status: str = "pending") -> int:
        """How many review items have ``status``."""
        with self.engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(mapping_queue).where(mapping_queue.c.status == status)).scalar_one()
            )

    def queue_item(self, queue_id: int) -> dict[str, Any]:
        """One review item, or :class:`~skills.errors.NotFoundError` when there is none."""
        with self.engine.connect() as connection:
            item = connection.execute(select(mapping_queue).where(mapping_queue.c.queue_id == queue_id)).mappings().first()
        if item is None:
            msg = f"there is no review item {queue_id}; vetplan mapping list shows the waiting ones"
            raise NotFoundError(msg)
        return dict(item)

    def resolve_queue_item(
        self,
        queue_id: int,
        skill_id: str,
        *,
        alias: str,
        tables: TablesOrMerge | None = None,
    ) -> None:
        """Mark an item reviewed, learn ``alias`` for ``skill_id`` and replace ``tables``, in one transaction.

        ``tables`` are the new versions of the tables the reviewed row goes into (and
        of every table referencing a replaced one), as built by the service; or, as in
        :meth:`apply_import`, a function building them from the dataset read under the
        write lock.
        """
        with self.transaction() as connection:
            updated = connection.execute(
                mapping_queue.update()
                .where(mapping_queue.c.queue_id == queue_id, mapping_queue.c.status == "pending")
                .values(status="accepted", chosen_skill=skill_id)
            )
            if updated.rowcount != 1:
                msg = f"no pending review item {queue_id}"
                raise StoreError(msg)
            connection.execute(delete(learned_aliases).where(learned_aliases.c.alias == alias))
            connection.execute(insert(learned_aliases).values(alias=alias, skill_id=skill_id, created_at=_now()))
            _replace(connection, tables(_load_dataset(connection)) if callable(tables) else tables or {})

    def read_aliases(self) -> pd.DataFrame:
        with self.engine.connect() as connection:
            rows = connection.execute(select(learned_aliases.c.alias, learned_aliases.c.skill_id)).all()
        return pd.DataFrame(rows, columns=["alias", "skill_id"])

    # ---- plan results ----------------------------------------------------------------------------

    def save_results(
        self,
        scenario: str,
        tables: Mapping[str, pd.DataFrame],
        *,
        settings: Mapping[str, Any] | None = None,
        changes: list[str] | None = None,
        data_version: int | None = None,
        status: str = "unknown",
        objective: float | None = None,
        gap: float | None = None,
        seconds: float | None = None,
    ) -> int:
        """Store one solve of ``scenario`` as a new run with its tables; returns the run id.

        The name then points at this run; earlier runs stay (:meth:`runs`, :meth:`delete_run`).
        One transaction; advances the ``results`` version.
        """
        with self.transaction(advances=("results",)) as connection:
            run_id = connection.execute(
                insert(runs).values(
                    scenario=scenario,
                    settings_json=json.dumps(dict(settings or {}), default=str),
                    changes_json=json.dumps(list(changes or [])),
                    data_version=data_version,
                    status=status,
                    objective=_plain(objective),
                    gap=_plain(gap),
                    seconds=_plain(seconds),
                    created_at=_now(),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            connection.execute(
                insert(run_results),
                [
                    {"run_id": run_id, "table_name": name, "records_json": frame.to_json(orient="records", date_format="iso")}
                    for name, frame in tables.items()
                ],
            )
        return int(run_id)

    def runs(self, scenarios: list[str] | None = None) -> pd.DataFrame:
        """Every stored run (of the named scenarios), newest first, with ``latest`` marking the run a name points at."""
        query = select(runs).order_by(runs.c.run_id.desc())
        if scenarios is not None:
            query = query.where(runs.c.scenario.in_(scenarios))
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        frame = pd.DataFrame([dict(row) for row in rows], columns=[c.name for c in runs.columns])
        frame["latest"] = ~frame["scenario"].duplicated() if len(frame) else pd.Series(dtype=bool)
        return frame

    def run(self, run_id: int) -> dict[str, Any]:
        """One run's record (settings and changes decoded). Raises :class:`NotFoundError` for an unknown id."""
        with self.engine.connect() as connection:
            row = connection.execute(select(runs).where(runs.c.run_id == run_id)).mappings().first()
        if row is None:
            msg = f"no stored run {run_id} (vetplan scenario list shows them)"
            raise NotFoundError(msg)
        record = dict(row)
        record["settings"] = json.loads(record.pop("settings_json"))
        record["changes"] = json.loads(record.pop("changes_json"))
        return record

    def latest_runs(self, scenarios: list[str] | None = None) -> dict[str, int]:
        """Scenario name -> the id of its latest run."""
        query = select(runs.c.scenario, func.max(runs.c.run_id)).group_by(runs.c.scenario)
        if scenarios is not None:
            query = query.where(runs.c.scenario.in_(scenarios))
        with self.engine.connect() as connection:
            return {name: int(run_id) for name, run_id in connection.execute(query).all()}

    def delete_run(self, run_id: int) -> None:
        """Remove one run and its tables (the name then points at its previous run, if any)."""
        self.run(run_id)
        with self.transaction(advances=("results",)) as connection:
            connection.execute(delete(run_results).where(run_results.c.run_id == run_id))
            connection.execute(delete(runs).where(runs.c.run_id == run_id))

    def read_run_results(self, table_name: str, run_ids: list[int]) -> pd.DataFrame:
        """One result table of the given runs, tidy with ``run_id`` and ``scenario`` columns (in the order asked)."""
        query = (
            select(runs.c.run_id, runs.c.scenario, run_results.c.records_json)
            .join(run_results, run_results.c.run_id == runs.c.run_id)
            .where(run_results.c.table_name == table_name, runs.c.run_id.in_(run_ids))
        )
        with self.engine.connect() as connection:
            rows = {run_id: (scenario, payload) for run_id, scenario, payload in connection.execute(query).all()}
        frames = [
            pd.DataFrame(json.loads(rows[run_id][1])).assign(run_id=run_id, scenario=rows[run_id][0])
            for run_id in run_ids
            if run_id in rows
        ]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["run_id", "scenario"])

    def read_results(self, table_name: str, scenarios: list[str] | None = None) -> pd.DataFrame:
        """One result table of the latest run of each named scenario (all when None), tidy with a ``scenario`` column."""
        latest = self.latest_runs(scenarios)
        frame = self.read_run_results(table_name, [latest[name] for name in sorted(latest)])
        return frame.drop(columns="run_id")

    def scenarios(self) -> list[str]:
        """Names of scenarios with at least one stored run."""
        with self.engine.connect() as connection:
            return list(connection.execute(select(runs.c.scenario).distinct().order_by(runs.c.scenario)).scalars())


def _move_plan_results(connection: Connection) -> None:
    """Results stored before runs were kept (one per scenario name) become one run each, of unknown data version."""
    if not inspect(connection).has_table("plan_results"):
        return
    legacy = connection.execute(text("SELECT scenario, table_name, records_json, created_at FROM plan_results")).all()
    by_scenario: dict[str, list[tuple[str, str, str]]] = {}
    for scenario, table_name, records, created in legacy:
        by_scenario.setdefault(scenario, []).append((table_name, records, created))
    for scenario, tables in sorted(by_scenario.items()):
        summary: list[dict[str, Any]] = next((json.loads(records) for name, records, _ in tables if name == "summary"), [{}])
        status = str((summary[0] if summary else {}).get("status", "unknown"))
        run_id = connection.execute(
            insert(runs).values(
                scenario=scenario, settings_json="{}", changes_json="[]", data_version=None, status=status, created_at=tables[0][2]
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        connection.execute(
            insert(run_results), [{"run_id": run_id, "table_name": name, "records_json": records} for name, records, _ in tables]
        )
    connection.execute(text("DROP TABLE plan_results"))


def _plain(value: Any) -> Any:
    """A Python scalar SQL drivers accept (no pandas NA, no numpy types)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _read_frame(connection: Connection, name: str) -> pd.DataFrame:
    table = SQL_TABLES[name]
    columns = [c for c in table.columns if c.name != "row_id"]
    order = [c for c in table.primary_key.columns if c.name != "row_id"] or [table.c.row_id]
    rows = connection.execute(select(*columns).order_by(*order)).all()
    return pd.DataFrame(rows, columns=[c.name for c in columns])


def _load_dataset(connection: Connection) -> Dataset:
    """Every data table read on ``connection`` (inside its transaction), types restored (validated on write)."""
    return Dataset.from_stored({name: _read_frame(connection, name) for name in DATA_TABLES})


def _version(connection: Connection, key: str) -> int:
    found = connection.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()
    return int(found) if found is not None else 0


def _advance(connection: Connection, key: str) -> None:
    """Add one to the counter ``key`` (inside a write transaction, which holds the write lock)."""
    current = connection.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()
    if current is None:
        connection.execute(insert(meta_table).values(key=key, value="1"))
    else:
        connection.execute(meta_table.update().where(meta_table.c.key == key).values(value=str(int(current) + 1)))


def _replace_order(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    unknown = set(frames) - set(SQL_TABLES)
    if unknown:
        msg = f"not data tables: {', '.join(sorted(unknown))}"
        raise StoreError(msg)
    return [name for name in DATA_TABLES if name in frames]


def _replace(connection: Connection, frames: Mapping[str, pd.DataFrame]) -> None:
    """Delete the tables' rows (children first) and insert the new ones (parents first)."""
    ordered = _replace_order(frames)
    for name in reversed(ordered):
        connection.execute(delete(SQL_TABLES[name]))
    for name in ordered:
        records = _records(frames[name], SQL_TABLES[name])
        if records:
            try:
                connection.execute(insert(SQL_TABLES[name]), records)
            except DBAPIError as error:
                raise _store_error(error, table=name) from error


def _queue_records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    names = [c.name for c in mapping_queue.columns if c.name in rows.columns]
    return [
        {**{str(k): _plain(v) for k, v in record.items()}, "status": "pending", "created_at": _now()}
        for record in rows[names].to_dict("records")
    ]


def _records(frame: pd.DataFrame, table: Table) -> list[dict[str, Any]]:
    names = [c.name for c in table.columns if c.name in frame.columns]
    subset = frame[names].astype(object).where(frame[names].notna(), None)
    return [{str(k): _plain(v) for k, v in record.items()} for record in subset.to_dict("records")]


def _add_missing_columns(connection: Connection) -> None:
    """Upgrade an older database in place: add each optional column it lacks (rows are kept).

    Versions so far only ever added nullable columns, so this is the whole migration.
    """
    existing = inspect(connection)
    quote = connection.dialect.identifier_preparer.quote
    for table in metadata.sorted_tables:
        present = {column["name"] for column in existing.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable:
                msg = f"cannot upgrade table {table.name}: required column {column.name} is missing"
                raise StoreError(msg)
            kind = column.type.compile(dialect=connection.dialect)
            connection.execute(text(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}"))


def _sqlstate(error: SQLAlchemyError) -> str:
    """The SQLSTATE of a PostgreSQL error (psycopg 3 or 2); empty for other databases."""
    original = getattr(error, "orig", None)
    return str(getattr(original, "sqlstate", None) or getattr(original, "pgcode", None) or "")


def _is_busy(error: SQLAlchemyError) -> bool:
    """Whether ``error`` means another transaction held a lock too long (trying again will do)."""
    if _sqlstate(error) in ("55P03", "40P01", "40001"):  # lock_not_available, deadlock, serialization failure
        return True
    original = getattr(error, "orig", None)
    code = getattr(original, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        return True
    return "database is locked" in str(original)


def _failure_reason(error: SQLAlchemyError) -> str:
    """Why the database refused a write, in the user's words: no SQL, no parameters, no values."""
    state = _sqlstate(error)
    original = getattr(error, "orig", None)
    said = str(original or "").splitlines()[0].lower() if original is not None else ""
    if state == "23503" or "foreign key" in said:
        return "a row refers to a company, course or skill that is not stored"
    if state == "23505" or "unique" in said:
        return "two rows have the same key"
    if state == "23502" or "not null" in said:
        return "a required value is missing"
    if state == "22001" or "too long" in said:
        limit = re.search(r"varying\((\d+)\)", said)
        return "a text is longer than the database column allows" + (f" (at most {limit.group(1)} characters)" if limit else "")
    if state == "22003" or "out of range" in said:
        return "a number is too large for its database column"
    if isinstance(error, DataError) or state.startswith("22"):
        return "a value does not fit its database column"
    if isinstance(error, IntegrityError):
        return "the data breaks a rule of the database"
    if isinstance(error, OperationalError):
        return "the database could not complete the write (is it reachable, writable and not full?)"
    return "the database refused the write"


def _store_error(error: SQLAlchemyError, table: str | None = None) -> StoreError:
    """The :class:`StoreError` a user sees for a failed write; the details (SQL, parameters) are logged.

    Another write holding the lock too long gives :class:`StoreBusyError` (try again).
    """
    where = f" (table {table})" if table else ""
    logger.error("database write failed%s", where, exc_info=error)
    if _is_busy(error):
        return StoreBusyError(BUSY_MESSAGE)
    column = getattr(getattr(getattr(error, "orig", None), "diag", None), "column_name", None)
    named = f" in table {table}" if table else ""
    named += f", column {column}" if column else ""
    msg = f"database write failed, nothing was changed: {_failure_reason(error)}{named}"
    return StoreError(msg)
