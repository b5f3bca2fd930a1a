"""Storage: round trips, one transaction per write, schema version; on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from skills.dataset import Dataset
from skills.errors import StoreError
from skills.store import SCHEMA_VERSION, Store, meta_table


def test_new_store_is_empty_and_versioned(store: Store) -> None:
    assert store.is_empty()
    assert store.schema_version() == SCHEMA_VERSION
    assert {"skills", "companies", "demand", "courses", "course_skills", "supply", "mapping_queue"} <= set(store.table_names())


def test_dataset_round_trip(store: Store, tiny_dataset: Dataset) -> None:
    store.save_dataset(tiny_dataset)
    loaded = store.load_dataset()
    for name, frame in tiny_dataset.tables().items():
        # entity tables come back ordered by id, long tables in insertion order
        pd.testing.assert_frame_equal(getattr(loaded, name), frame.sort_index() if frame.index.name else frame, obj=name)
    assert store.counts()["demand"] == 3


def test_failed_write_changes_nothing(store: Store, tiny_dataset: Dataset) -> None:
    store.save_dataset(tiny_dataset)
    before = store.snapshot()
    bad_demand = tiny_dataset.flat("demand")
    bad_demand.loc[2, "company_id"] = "NO_SUCH_COMPANY"  # violates the foreign key on insert
    with pytest.raises(StoreError, match="nothing was changed"):
        store.replace_tables({"demand": bad_demand})
    assert store.snapshot() == before  # the delete that ran first was rolled back too


def test_replace_one_table_keeps_the_others(store: Store, tiny_dataset: Dataset) -> None:
    store.save_dataset(tiny_dataset)
    fewer = tiny_dataset.flat("supply").iloc[0:0]
    store.replace_tables({"supply": fewer})
    counts = store.counts()
    assert counts["supply"] == 0 and counts["demand"] == 3 and counts["courses"] == 2


def test_results_are_tidy_with_scenario_column(store: Store) -> None:
    store.save_results("base", {"runs": pd.DataFrame({"course_id": ["K1"], "runs": [2]})})
    store.save_results("tight", {"runs": pd.DataFrame({"course_id": ["K1", "K2"], "runs": [1, 1]})})
    store.save_results("base", {"runs": pd.DataFrame({"course_id": ["K2"], "runs": [3]})})  # replaces
    runs = store.read_results("runs")
    assert runs.sort_values(["scenario", "course_id"]).to_dict("records") == [
        {"course_id": "K2", "runs": 3, "scenario": "base"},
        {"course_id": "K1", "runs": 1, "scenario": "tight"},
        {"course_id": "K2", "runs": 1, "scenario": "tight"},
    ]
    assert store.scenarios() == ["base", "tight"]


def test_review_queue_keeps_rows_and_learns_aliases(store: Store, tiny_dataset: Dataset) -> None:
    store.save_dataset(tiny_dataset)
    row = tiny_dataset.flat("demand").iloc[[0]].assign(skill="PLS-programmering")
    store.add_to_queue(
        pd.DataFrame(
            {
                "phrase": ["PLS-programmering"],
                "table_name": ["demand"],
                "suggestion": ["plc_programming"],
                "score": [71.0],
                "source_file": ["survey.csv"],
                "source_row": [7],
                "row_json": [row.to_json(orient="records")],
            }
        )
    )
    [queue_id] = store.read_queue()["queue_id"].tolist()
    store.resolve_queue_item(int(queue_id), "plc_programming", alias="pls-programmering")
    assert store.read_queue().empty
    assert store.read_aliases().to_dict("records") == [{"alias": "pls-programmering", "skill_id": "plc_programming"}]


def test_newer_schema_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'v.sqlite'}"
    store = Store(url)
    with store.engine.begin() as connection:
        connection.execute(meta_table.update().where(meta_table.c.key == "schema_version").values(value="99"))
    with pytest.raises(StoreError, match="newer"):
        Store(url)


def test_sqlite_pragmas(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 'p.sqlite'}")
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000


def test_unreachable_database_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot open"):
        Store("sqlite:////proc/no/such/dir/x.sqlite")


def test_an_older_database_is_upgraded_in_place_and_keeps_its_rows(store: Store, tiny_dataset: Dataset) -> None:
    """A version-1 database (no ``skills.description_da``, no users, results per name) is upgraded on open; rows stay."""
    from sqlalchemy import inspect, text

    store.save_dataset(tiny_dataset)
    with store.engine.begin() as connection:
        connection.execute(text("ALTER TABLE skills DROP COLUMN description_da"))
        connection.execute(text("ALTER TABLE companies DROP COLUMN assumed"))  # added in version 5
        connection.execute(text("ALTER TABLE demand DROP COLUMN assumed"))
        connection.execute(text("DROP TABLE sessions"))
        connection.execute(text("DROP TABLE users"))
        connection.execute(text("DROP TABLE run_results"))
        connection.execute(text("DROP TABLE runs"))
        connection.execute(
            text("CREATE TABLE plan_results (scenario VARCHAR(200), table_name VARCHAR(100), records_json TEXT, created_at VARCHAR(40))")
        )
        connection.execute(
            text("INSERT INTO plan_results VALUES ('old', 'summary', '[{\"status\": \"optimal\"}]', '2026-01-01T00:00:00+00:00')")
        )
        connection.execute(meta_table.update().where(meta_table.c.key == "schema_version").values(value="1"))
    assert "description_da" not in {c["name"] for c in inspect(store.engine).get_columns("skills")}
    store.engine.dispose()

    reopened = Store(store.url)

    assert reopened.schema_version() == SCHEMA_VERSION == 5
    tables = set(inspect(reopened.engine).get_table_names())
    assert {"users", "sessions", "runs", "run_results"} <= tables and "plan_results" not in tables
    [old] = reopened.runs().to_dict("records")  # the result stored before runs existed is one run, of unknown data
    assert (old["scenario"], old["status"], old["data_version"]) == ("old", "optimal", None)
    assert reopened.read_results("summary", ["old"])["status"].tolist() == ["optimal"]
    assert "description_da" in {c["name"] for c in inspect(reopened.engine).get_columns("skills")}
    assert "assumed" in {c["name"] for c in inspect(reopened.engine).get_columns("companies")}
    assert reopened.load_dataset().companies["assumed"].isna().all()
    skills = reopened.load_dataset().skills
    assert sorted(skills.index) == sorted(tiny_dataset.skills.index)
    assert skills["description_da"].isna().all()


def test_each_database_draws_its_own_cell_key_secret_and_keeps_it(tmp_path: Path) -> None:
    first, second = Store(f"sqlite:///{tmp_path / 'a.sqlite'}"), Store(f"sqlite:///{tmp_path / 'b.sqlite'}")
    secret = first.secret("cell_key_secret")
    assert len(secret) == 64 and secret == first.secret("cell_key_secret")
    assert secret == Store(first.url).secret("cell_key_secret")  # kept across opens
    assert second.secret("cell_key_secret") != secret


def test_published_gaps_use_the_database_secret_unless_the_operator_sets_one(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from skills import service

    service._store_for.cache_clear()
    assert service.init_database(sample=True)["loaded"] == "sample region"
    own = service.disclosure_settings().cell_key_secret
    assert own == service.get_store().secret("cell_key_secret") != "vetplan-cell-key"
    monkeypatch.setenv("VETPLAN_CELL_KEY_SECRET", "operator-secret")
    assert service.disclosure_settings().cell_key_secret == "operator-secret"
