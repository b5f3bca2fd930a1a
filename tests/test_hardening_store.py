"""Concurrent writes lose nothing (one write lock for read, merge, check and write); database errors stay in the user's words."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from skills import service
from skills.access import Principal
from skills.errors import StoreError
from skills.store import SQL_TABLES, Store
from skills.survey import company_id_from_name
from tests.conftest import REPO
from tests.fixtures.builders import csv_bytes

SURVEY_HEADER = [
    "company_name", "region", "sector", "employees",
    "skill", "headcount", "current_level", "required_level", "needed_by", "priority",
]
#: Pairs of concurrent imports per test (each pair must keep both companies).
ROUNDS = 3


def _survey(company: str, skill: str = "PLC programming") -> bytes:
    return csv_bytes([SURVEY_HEADER, [company, "DK041", "C22", 25, skill, 2, 1, 3, 2027, "high"]])


def _stored_companies(store: Store) -> set[str]:
    return set(store.read_frame("companies")["company_id"])


@pytest.fixture
def seeded(store: Store) -> Store:
    """The conftest store (SQLite, and PostgreSQL when TEST_DATABASE_URL is set) holding the built-in taxonomy."""
    service.init_database(store=store)
    return store


@pytest.fixture
def slow_merge(monkeypatch: pytest.MonkeyPatch) -> float:
    """Widen the window between reading the stored tables and writing them: every merge sleeps."""
    delay = 0.4
    merge = service._merge

    def slow(*args: Any, **kwargs: Any) -> dict[str, pd.DataFrame]:
        time.sleep(delay)
        return merge(*args, **kwargs)

    monkeypatch.setattr(service, "_merge", slow)
    return delay


def _import_together(url: str, companies: list[str]) -> list[BaseException | service.ImportOutcome]:
    """Import one survey per company, each in its own thread with its own store, started together."""
    barrier = threading.Barrier(len(companies))
    outcomes: list[BaseException | service.ImportOutcome] = [RuntimeError("not run")] * len(companies)

    def run(position: int, company: str) -> None:
        store = Store(url)
        try:
            barrier.wait()
            outcomes[position] = service.import_data(
                "survey", _survey(company), name=f"{company}.csv", store=store, principal=Principal.operator()
            )
        except BaseException as error:  # reported by the test below
            outcomes[position] = error
        finally:
            store.engine.dispose()

    threads = [threading.Thread(target=run, args=(i, company)) for i, company in enumerate(companies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_concurrent_imports_in_threads_keep_both_companies(seeded: Store, slow_merge: float) -> None:
    """Two imports whose merge takes ``slow_merge`` seconds overlap for sure; before the fix the later write dropped the other company."""
    expected: set[str] = set()
    kept_both = 0
    for round_number in range(ROUNDS):
        pair = [f"Thread {round_number} Alfa ApS", f"Thread {round_number} Beta ApS"]
        outcomes = _import_together(seeded.url, pair)
        for outcome in outcomes:
            assert isinstance(outcome, service.ImportOutcome), repr(outcome)
            assert outcome.ok and outcome.stored, outcome.summary["problems"]
        ids = {company_id_from_name(name) for name in pair}
        kept_both += ids <= _stored_companies(seeded)
        expected |= ids
    assert kept_both == ROUNDS, f"only {kept_both} of {ROUNDS} pairs kept both companies"
    assert _stored_companies(seeded) == expected
    demand = seeded.read_frame("demand")
    assert set(demand["company_id"]) == expected  # each company's survey answer is stored too


def _cli(url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.Popen(
        [sys.executable, "-m", "skills.cli", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_concurrent_cli_imports_keep_both_companies(seeded: Store, tmp_path: Path) -> None:
    """``vetplan import survey`` twice at once, in two processes, ROUNDS times: every pair keeps both companies."""
    expected: set[str] = set()
    kept_both = 0
    for round_number in range(ROUNDS):
        pair = [f"Process {round_number} Alfa ApS", f"Process {round_number} Beta ApS"]
        files = []
        for name in pair:
            path = tmp_path / f"{company_id_from_name(name)}.csv"
            path.write_bytes(_survey(name))
            files.append(path)
        processes = [_cli(seeded.url, "import", "survey", str(path)) for path in files]
        for process in processes:
            out, err = process.communicate(timeout=180)
            assert process.returncode == 0, (out, err)
        ids = {company_id_from_name(name) for name in pair}
        kept_both += ids <= _stored_companies(seeded)
        expected |= ids
    assert kept_both == ROUNDS, f"only {kept_both} of {ROUNDS} pairs kept both companies"
    assert _stored_companies(seeded) == expected



def test_an_import_waiting_too_long_for_the_lock_is_refused_and_stores_nothing(seeded: Store) -> None:
    from skills.store import BUSY_MESSAGE, StoreBusyError

    impatient = Store(seeded.url, lock_timeout=0.3)
    try:
        with seeded.transaction(advances=()):  # another write holds the lock (and writes nothing)
            before = impatient.snapshot()
            started = time.monotonic()
            with pytest.raises(StoreBusyError, match="busy with another import; try again"):
                service.import_data("survey", _survey("Waiting ApS"), name="waiting.csv", store=impatient)
            assert time.monotonic() - started < 5
        assert impatient.snapshot() == before
        assert str(StoreBusyError(BUSY_MESSAGE)) == BUSY_MESSAGE
        # the lock is free again: the same import goes through
        assert service.import_data("survey", _survey("Waiting ApS"), name="waiting.csv", store=impatient).stored
    finally:
        impatient.engine.dispose()


def test_the_cli_exits_2_with_the_retry_message_when_the_database_is_busy(
    seeded: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from skills.cli import main

    impatient = Store(seeded.url, lock_timeout=0.3)
    monkeypatch.setattr(service, "get_store", lambda settings=None: impatient)
    path = tmp_path / "busy.csv"
    path.write_bytes(_survey("Busy ApS"))
    try:
        with seeded.transaction():
            code = main(["import", "survey", str(path)])
    finally:
        impatient.engine.dispose()
    assert code == 2
    assert "the database is busy with another import; try again" in capsys.readouterr().err
    assert company_id_from_name("Busy ApS") not in _stored_companies(seeded)


def test_sqlite_reads_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    """Writes begin IMMEDIATE (they take the write lock first); reads stay deferred, so pages load during an import."""
    url = f"sqlite:///{tmp_path / 'read.sqlite'}"
    writer, reader = Store(url), Store(url, lock_timeout=0.2)
    service.init_database(store=writer)
    with writer.transaction():
        started = time.monotonic()
        assert len(reader.load_dataset().skills) > 0
        assert time.monotonic() - started < 5


def test_a_rejected_import_inside_the_write_transaction_stores_nothing(seeded: Store) -> None:
    """The reference check runs on the tables read under the lock; a rejection rolls the transaction back."""
    before = seeded.snapshot()
    demand = csv_bytes(
        [
            ["company_id", "skill", "headcount", "current_level", "required_level", "needed_by", "priority"],
            ["NO_SUCH_COMPANY", "PLC programming", 2, 1, 3, 2027, "high"],
        ]
    )
    outcome = service.import_data("demand", demand, name="demand.csv", store=seeded)
    assert not outcome.stored and not outcome.ok
    assert any("NO_SUCH_COMPANY" in str(p["value"]) or "company" in p["message"] for p in outcome.summary["problems"])
    assert seeded.snapshot() == before


def test_apply_import_merges_into_the_dataset_read_under_the_lock(seeded: Store, tiny_dataset: Any) -> None:
    seen: list[int] = []

    def merge(current: Any) -> dict[str, pd.DataFrame]:
        seen.append(len(current.skills))
        return {"companies": tiny_dataset.flat("companies")}

    seeded.apply_import(merge, source="test")
    assert seen == [len(seeded.read_frame("skills"))]
    assert _stored_companies(seeded) == {"C1", "C2"}

    def refuse(current: Any) -> dict[str, pd.DataFrame]:
        msg = "refused"
        raise ValueError(msg)

    before = seeded.snapshot()
    with pytest.raises(ValueError, match="refused"):
        seeded.apply_import(refuse, references={"esco_skills": pd.DataFrame({"a": [1]})})
    assert seeded.snapshot() == before


@pytest.fixture
def store_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.ERROR, logger="skills.store"):
        yield caplog


def test_a_refused_write_says_why_without_sql_or_data(store: Store, tiny_dataset: Any, store_log: pytest.LogCaptureFixture) -> None:
    store.save_dataset(tiny_dataset)
    before = store.snapshot()
    demand = tiny_dataset.flat("demand")
    demand.loc[2, "company_id"] = "SECRET_COMPANY_7"  # a foreign key violation on insert
    with pytest.raises(StoreError) as raised:
        store.replace_tables({"demand": demand})
    message = str(raised.value)
    assert message.startswith("database write failed, nothing was changed: a row refers to a company, course or skill that is not stored")
    assert "SECRET_COMPANY_7" not in message and "INSERT" not in message.upper() and "[SQL" not in message
    assert store.snapshot() == before
    assert any(record.exc_info for record in store_log.records)  # the details are logged


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL not set")
def test_postgres_string_truncation_is_a_store_error_in_the_users_words(store_log: pytest.LogCaptureFixture) -> None:
    """StringDataRightTruncation (a value longer than its varchar column) never echoes SQL or the value."""
    from skills.store import metadata

    url = os.environ["TEST_DATABASE_URL"]
    store = Store(url)
    with store.engine.begin() as connection:
        metadata.drop_all(connection)
    store.engine.dispose()
    store = Store(url)
    try:
        length = SQL_TABLES["companies"].c.company_id.type.length
        assert isinstance(length, int)
        secret = "Q" * (length + 1)
        companies = pd.DataFrame(
            {"company_id": [secret], "name": ["Long ApS"], "region": ["DK041"], "sector": ["C22"], "employees": [5]}
        )
        with pytest.raises(StoreError) as raised:
            store.replace_tables({"companies": companies})
        message = str(raised.value)
        assert "nothing was changed" in message and "longer than the database column allows" in message
        assert secret not in message and "INSERT" not in message.upper() and "[SQL" not in message
        assert "table companies" in message
        assert store.is_empty()
        assert any(record.exc_info for record in store_log.records)
    finally:
        with store.engine.begin() as connection:
            metadata.drop_all(connection)
        store.engine.dispose()


def test_sql_text_columns_use_the_lengths_declared_in_the_schemas() -> None:
    """A text column with a declared ``max_length`` is VARCHAR(max_length); keys and links are VARCHAR either way."""
    from sqlalchemy import String, Text

    from skills.schemas import TABLES

    for name, table in SQL_TABLES.items():
        for column_name, col in TABLES[name].schema.columns.items():
            declared = (col.metadata or {}).get("max_length")
            sql_type = table.c[column_name].type
            if str(col.dtype) != "string":
                continue
            if declared is not None:
                assert isinstance(sql_type, String) and sql_type.length == declared, (name, column_name)
            elif table.c[column_name].primary_key or table.c[column_name].foreign_keys:
                assert isinstance(sql_type, String) and sql_type.length == 200
            else:
                assert isinstance(sql_type, Text)
