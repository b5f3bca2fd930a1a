"""The read path: each page render loads the dataset at most once per data version; pages import only the service."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from skills import service
from skills.cli import main
from skills.store import Store
from tests.fixtures.builders import csv_bytes
from tests.fixtures.signin import signed_in

REPO = Path(__file__).resolve().parents[1]
PAGES = sorted(path for path in (REPO / "pages").glob("*.py") if path.name not in {"__init__.py", "cached.py"})
SURVEY_HEADER = [
    "company_name", "region", "sector", "employees",
    "skill", "headcount", "current_level", "required_level", "needed_by", "priority",
]

#: What a page may import: the interface layer, and nothing that reads or computes data itself.
PAGE_IMPORTS = {"streamlit", "pages.cached", "pages", "skills.service", "skills", "skills.charts", "skills.errors", "skills.kinds", "skills.i18n"}


class LoadCounter:
    """Counts full dataset reads from the store, whoever asks for them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.loads = 0
        original = Store.load_versioned

        def counted(store: Store) -> tuple[int, object]:
            self.loads += 1
            return original(store)

        monkeypatch.setattr(Store, "load_versioned", counted)

    def take(self) -> int:
        loads, self.loads = self.loads, 0
        return loads


@pytest.fixture
def loads(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoadCounter]:
    service._store_for.cache_clear()
    assert main(["init", "--sample"]) == 0
    st.cache_data.clear()
    st.cache_resource.clear()
    yield LoadCounter(monkeypatch)
    st.cache_data.clear()
    st.cache_resource.clear()


def _render(page: Path) -> AppTest:
    app = signed_in(AppTest.from_file(str(page), default_timeout=120)).run()
    assert not app.exception, f"{page.name}: {app.exception}"
    return app


def test_every_page_loads_the_dataset_at_most_once(loads: LoadCounter) -> None:
    assert [page.name for page in PAGES] == ["courses.py", "data.py", "gaps.py", "home.py", "plan.py", "review.py", "scenarios.py", "sign_in.py"]
    for page in PAGES:
        # each page on its own, with nothing cached: at most one read
        st.cache_data.clear()
        service._BY_VERSION = service._ByVersion()
        loads.take()
        _render(page)
        assert loads.take() <= 1, page.name
    # one visit of every page, starting cold: one read between them
    st.cache_data.clear()
    service._BY_VERSION = service._ByVersion()
    for page in PAGES:
        _render(page)
    assert loads.take() == 1
    # the caches are warm: rendering every page again, or changing a widget, reads nothing
    for page in PAGES:
        _render(page)
    gaps = _render(REPO / "pages" / "gaps.py")
    gaps.selectbox(key="gaps_by").set_value("sector").run()
    assert not gaps.exception
    assert loads.take() == 0


def test_a_write_makes_the_next_render_see_the_new_data(loads: LoadCounter) -> None:
    before = _render(REPO / "pages" / "gaps.py")
    names = before.selectbox(key="gaps_company").options
    assert "Fjord Plast ApS" not in names
    version = service.data_version()
    loads.take()

    survey = csv_bytes([SURVEY_HEADER, ["Fjord Plast ApS", "DK041", "C22", 25, "PLC programming", 2, 0, 2, 2028, "high"]])
    assert service.import_data("survey", survey, name="fjord.csv").stored
    assert service.data_version() == version + 1

    after = _render(REPO / "pages" / "gaps.py")
    assert "Fjord Plast ApS" in after.selectbox(key="gaps_company").options
    home = _render(REPO / "pages" / "home.py")
    companies = {metric.label: metric.value for metric in home.metric}["Companies"]
    assert companies == f"{len(names) + 1:,}"
    # the import read the old version once to merge; the pages read the new one once between them
    assert loads.take() <= 2


def test_a_stored_plan_does_not_reload_the_data(loads: LoadCounter) -> None:
    empty = _render(REPO / "pages" / "scenarios.py")
    assert any("No stored results" in info.value for info in empty.info)
    _render(REPO / "pages" / "home.py")
    version, results = service.data_version(), service.results_version()
    summary = {"status": "optimal", "coverage": 0.5, "public_cost": 1000.0, "company_cost": 250.0}
    service.get_store().save_results("probe", {"summary": pd.DataFrame([summary])}, data_version=version)
    assert (service.data_version(), service.results_version()) == (version, results + 1)
    loads.take()
    scenarios = _render(REPO / "pages" / "scenarios.py")
    assert scenarios.multiselect(key="compare_names").value == ["probe"]
    [runs] = [frame.value for frame in scenarios.dataframe if "run" in frame.value.columns]
    assert runs["run"].tolist() == ["probe"] and runs["on the current data"].tolist() == [True]
    _render(REPO / "pages" / "home.py")
    assert loads.take() == 0  # a new result is not new data


def _runtime_nodes(tree: ast.Module) -> list[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:`` (imports of type names only, never executed)."""
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for statement in node.body
        for inner in ast.walk(statement)
    }
    return [node for node in ast.walk(tree) if id(node) not in skipped]


def _imports(path: Path) -> set[str]:
    """The modules ``path`` imports when it runs (``skills.x`` for ``from skills import x``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.update(f"{node.module}.{alias.name}" if node.module in {"skills", "pages"} else node.module for alias in node.names)
    return found


@pytest.mark.parametrize("page", [*PAGES, REPO / "pages" / "cached.py", REPO / "app.py"], ids=lambda path: path.name)
def test_pages_import_only_the_service_and_the_interface(page: Path) -> None:
    imported = _imports(page)
    project = {name for name in imported if name.split(".")[0] not in sys.stdlib_module_names}
    assert project <= PAGE_IMPORTS, f"{page.name} imports {sorted(project - PAGE_IMPORTS)}"
    assert "streamlit" in imported


def test_the_import_rule_sees_a_forbidden_import(tmp_path: Path) -> None:
    page = tmp_path / "bad.py"
    page.write_text(
        "import streamlit as st\nfrom skills.io import read_table\nfrom skills import schemas\n"
        "if TYPE_CHECKING:\n    from skills.store import Store\ndef f():\n    import pandas\n",
        encoding="utf-8",
    )
    project = {name for name in _imports(page) if name.split(".")[0] not in sys.stdlib_module_names}
    assert project - PAGE_IMPORTS == {"skills.io", "skills.schemas", "pandas"}
