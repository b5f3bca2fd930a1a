"""Sign-in and roles: Argon2 hashes, throttling, expiring sessions, and every page's service call refused beyond its role."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select

from skills import access, accounts, service
from skills.access import Principal, Role
from skills.errors import AccessError, SignInError
from skills.store import Store, sessions, users

REPO = Path(__file__).resolve().parents[1]
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The sample region with one stored plan, shared by this module's tests (read only)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('access') / 'access.sqlite'}"
    with pytest.MonkeyPatch.context() as patch, access.acting_as(Principal.operator()):
        patch.setenv("DATABASE_URL", url)
        service._store_for.cache_clear()
        service.init_database(sample=True)
        result = service.solve(service.load_scenario(None, {"name": "shared", "time_limit_s": 15, "mip_gap": 0.05}))
        companies = service.load_dataset().companies.index.tolist()
        providers = sorted(set(service.load_dataset().courses["provider"]))
        yield {"url": url, "result": result, "a": companies[0], "b": companies[1], "p": providers[0], "q": providers[1]}
    service._store_for.cache_clear()


@pytest.fixture
def store(region: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("DATABASE_URL", region["url"])
    return service.get_store()


# ---- passwords, throttling, sessions ------------------------------------------------------------


def test_passwords_are_stored_only_as_argon2_hashes(store: Store) -> None:
    password = accounts.add_user(store, "hash-check", "analyst")
    with store.engine.connect() as connection:
        row = connection.execute(select(users).where(users.c.user_name == "hash-check")).mappings().one()
    assert str(row["password_hash"]).startswith("$argon2id$")
    assert all(password not in str(value) for value in row.values())
    assert "password_hash" not in accounts.list_users(store).columns
    assert len(password) >= accounts.MIN_PASSWORD_LENGTH


def test_five_wrong_passwords_slow_the_next_attempt(store: Store) -> None:
    password = accounts.add_user(store, "throttled", "policymaker")
    for attempt in range(5):
        with pytest.raises(SignInError, match=accounts.WRONG):
            accounts.sign_in(store, "throttled", "wrong password!", now=T0 + timedelta(seconds=attempt))
    # the right password must now wait too
    with pytest.raises(SignInError, match=r"try again in \d+ s"):
        accounts.sign_in(store, "throttled", password, now=T0 + timedelta(seconds=6))
    token = accounts.sign_in(store, "throttled", password, now=T0 + timedelta(seconds=40))
    assert accounts.session_principal(store, token, now=T0 + timedelta(seconds=41)) == Principal("throttled", Role.POLICYMAKER)
    # a success clears the count: four more failures do not make anyone wait
    for attempt in range(4):
        with pytest.raises(SignInError, match=accounts.WRONG):
            accounts.sign_in(store, "throttled", "still wrong!", now=T0 + timedelta(seconds=50 + attempt))
    accounts.sign_in(store, "throttled", password, now=T0 + timedelta(seconds=55))


def test_an_unknown_user_and_a_wrong_password_read_the_same(store: Store) -> None:
    accounts.add_user(store, "same-message", "analyst")
    with pytest.raises(SignInError) as unknown:
        accounts.sign_in(store, "nobody-here", "whatever password")
    with pytest.raises(SignInError) as wrong:
        accounts.sign_in(store, "same-message", "whatever password")
    assert str(unknown.value) == str(wrong.value) == accounts.WRONG


def test_sessions_expire_go_idle_and_end_at_sign_out(store: Store) -> None:
    password = accounts.add_user(store, "sessions", "analyst")
    token = accounts.sign_in(store, "sessions", password, now=T0)
    assert accounts.session_principal(store, token, now=T0 + timedelta(minutes=59)) is not None
    assert accounts.session_principal(store, token, now=T0 + timedelta(minutes=59 + 61)) is None  # idle too long
    token = accounts.sign_in(store, "sessions", password, now=T0)
    for minutes in range(30, 8 * 60, 30):  # kept busy, it still ends after 8 hours
        assert accounts.session_principal(store, token, now=T0 + timedelta(minutes=minutes)) is not None
    assert accounts.session_principal(store, token, now=T0 + timedelta(hours=8, minutes=1)) is None
    token = accounts.sign_in(store, "sessions", password)
    assert _session_rows(store, "sessions") == 1  # the expired ones were deleted, not just ignored
    accounts.sign_out(store, token)
    assert _session_rows(store, "sessions") == 0  # sign-out deletes the session row
    assert accounts.session_principal(store, token) is None
    assert accounts.session_principal(store, "made-up-token") is None


def _session_rows(store: Store, user_name: str) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).where(sessions.c.user_name == user_name)).scalar_one())


def test_a_company_user_needs_a_stored_company(store: Store, region: dict[str, Any]) -> None:
    with pytest.raises(service.InputError, match="stored company"):
        accounts.add_user(store, "no-company", "company", company_id="NO-SUCH")
    with pytest.raises(service.InputError, match="provider of a stored course"):
        accounts.add_user(store, "no-provider", "provider", provider="Nowhere School")
    accounts.add_user(store, "bound", "company", company_id=region["a"])
    assert accounts.get_user(store, "bound").principal() == Principal("bound", Role.COMPANY, company_id=region["a"])


def test_demo_users_one_per_role_with_generated_passwords(store: Store) -> None:
    listed = {user["user"]: user for user in accounts.demo_users(store)}
    assert {user["role"] for user in listed.values()} == set(Role)
    for user in listed.values():
        if user["password"]:  # created now (the module's region made them at init already)
            accounts.sign_in(store, user["user"], user["password"])
    assert all(user["password"] == "" for user in accounts.demo_users(store))  # never shown twice


# ---- what each role may ask the service for ------------------------------------------------------


def _company(region: dict[str, Any]) -> Principal:
    return Principal("hr-a", Role.COMPANY, company_id=region["a"])


def _provider(region: dict[str, Any]) -> Principal:
    return Principal("school-p", Role.PROVIDER, provider=region["p"])


POLICY = Principal("policy", Role.POLICYMAKER)

#: For each service function a page calls with data behind it: requests some role must be refused.
#: Each entry: (who, the call) built from the region.
Refusal = tuple[str, Callable[[dict[str, Any], Principal], object]]
REFUSED: dict[str, list[Refusal]] = {
    "gaps": [
        ("company", lambda r, p: service.gaps("gaps", by="company", company=r["b"], principal=p)),
        ("company", lambda r, p: service.gaps("gaps", by="company", principal=p)),
        ("provider", lambda r, p: service.gaps("gaps", by="skill", company=r["a"], principal=p)),
        ("policymaker", lambda r, p: service.gaps("coverage", by="skill", company=r["a"], principal=p)),
        ("policymaker", lambda r, p: service.gaps("gaps", by=("company", "skill"), principal=p)),
        ("provider", lambda r, p: service.gaps("gaps", by="course", provider=r["q"], principal=p)),
    ],
    "coverage_options": [
        ("company", lambda r, p: service.coverage_options(r["b"], principal=p)),
        ("provider", lambda r, p: service.coverage_options(r["a"], principal=p)),
        ("policymaker", lambda r, p: service.coverage_options(r["a"], principal=p)),
    ],
    "company_profile": [
        ("company", lambda r, p: service.company_profile(r["b"], principal=p)),
        ("provider", lambda r, p: service.company_profile(r["a"], principal=p)),
        ("policymaker", lambda r, p: service.company_profile(r["a"], principal=p)),
    ],
    "company_workbook": [
        ("company", lambda r, p: service.company_workbook(r["b"], principal=p)),
        ("policymaker", lambda r, p: service.company_workbook(r["a"], principal=p)),
    ],
    "company_choices": [
        ("provider", lambda r, p: service.company_choices(principal=p)),
        ("policymaker", lambda r, p: service.company_choices(principal=p)),
    ],
    "review_queue": [(role, lambda r, p: service.review_queue(principal=p)) for role in ("company", "provider", "policymaker")],
    "review_suggestions": [
        (role, lambda r, p: service.review_suggestions(1, principal=p)) for role in ("company", "provider", "policymaker")
    ],
    "resolve_review": [
        (role, lambda r, p: service.resolve_review(1, "plc_programming", principal=p)) for role in ("company", "provider", "policymaker")
    ],
    "import_data": [
        (role, lambda r, p: service.import_data("courses", b"course_id\n", name="x.csv", principal=p))
        for role in ("company", "provider", "policymaker")
    ],
    "export_table": [
        (role, lambda r, p: service.export_table("demand", principal=p)) for role in ("company", "provider", "policymaker")
    ],
    "save_survey_mapping_text": [
        (role, lambda r, p: service.save_survey_mapping_text("x", "columns: {}", principal=p))
        for role in ("company", "provider", "policymaker")
    ],
    "solve": [(role, lambda r, p: service.solve(r["result"].scenario, principal=p)) for role in ("company", "provider")],
    "compare_scenarios": [(role, lambda r, p: service.compare_scenarios(["shared"], principal=p)) for role in ("company", "provider")],
    "scenario_table": [
        ("provider", lambda r, p: service.scenario_table("participants", ["shared"], principal=p)),
        ("provider", lambda r, p: service.scenario_table("hires", ["shared"], principal=p)),
        ("company", lambda r, p: service.scenario_table("explanations", ["shared"], principal=p)),
        ("policymaker", lambda r, p: service.scenario_table("explanations", ["shared"], principal=p)),
    ],
    "plan_view": [(role, lambda r, p: service.plan_view(r["result"], principal=p)) for role in ("company", "provider")],
    "plan_limits": [(role, lambda r, p: service.plan_limits(r["result"], principal=p)) for role in ("company", "provider")],
    "unmet_reasons": [(role, lambda r, p: service.unmet_reasons(r["result"], principal=p)) for role in ("company", "provider")],
    "plan_workbook": [
        (role, lambda r, p: service.plan_workbook(r["result"], principal=p)) for role in ("company", "provider", "policymaker")
    ],
    "sweep_budgets": [
        (role, lambda r, p: service.sweep_budgets([0.0, 1000.0], principal=p, in_process=True)) for role in ("company", "provider")
    ],
    "priorities_report": [(role, lambda r, p: service.priorities_report("shared", principal=p)) for role in ("company", "provider")],
    "compare_runs": [(role, lambda r, p: service.compare_runs(["shared"], principal=p)) for role in ("company", "provider")],
    "rerun_scenario": [(role, lambda r, p: service.rerun_scenario("shared", principal=p)) for role in ("company", "provider")],
    "delete_runs": [(role, lambda r, p: service.delete_runs("shared", principal=p)) for role in ("company", "provider")],
    "survey_answers": [
        ("company", lambda r, p: service.survey_answers(r["b"], principal=p)),
        ("provider", lambda r, p: service.survey_answers(r["a"], principal=p)),
        ("policymaker", lambda r, p: service.survey_answers(r["a"], principal=p)),
    ],
    "save_survey_answers": [
        ("company", lambda r, p: service.save_survey_answers(r["b"], service.survey_answers(r["b"], principal=Principal.operator()),
                                                             replace=True, principal=p)),
        ("provider", lambda r, p: service.save_survey_answers(r["a"], service.survey_answers(r["a"], principal=Principal.operator()),
                                                              replace=True, principal=p)),
        ("policymaker", lambda r, p: service.save_survey_answers(r["a"], service.survey_answers(r["a"], principal=Principal.operator()),
                                                                 replace=True, principal=p)),
    ],
    "rows_replaced": [
        (role, lambda r, p: service.rows_replaced(
            service.import_data("courses", b"course_id\n", name="x.csv", dry_run=True, principal=Principal.operator()), principal=p))
        for role in ("company", "provider", "policymaker")
    ],
    "course_planning": [
        ("provider", lambda r, p: service.course_planning(r["q"], principal=p)),
        ("company", lambda r, p: service.course_planning(r["p"], principal=p)),
    ],
    "course_planning_workbook": [
        ("provider", lambda r, p: service.course_planning_workbook(r["q"], principal=p)),
        ("company", lambda r, p: service.course_planning_workbook(r["p"], principal=p)),
    ],
    "suggestions_at_least": [(role, lambda r, p: service.suggestions_at_least(0, principal=p)) for role in ("company", "provider", "policymaker")],
    "accept_suggestions_at_least": [
        (role, lambda r, p: service.accept_suggestions_at_least(0, principal=p)) for role in ("company", "provider", "policymaker")
    ],
}
#: Page calls with no stored data behind them (text, choices offered to everyone, formatting of what the caller holds).
NO_DATA = {
    "budget_text", "data_tables", "database_url", "disclosure_sentence", "gaps_for_display", "get_store_for",
    "load_scenario", "problems_frame", "read_survey_mapping", "report_file", "scenario_files", "scenario_overrides",
    "session_principal", "sign_in", "sign_in_by_email", "sign_out", "skill_choices", "skill_groups", "survey_mapping_text",
    "survey_mappings", "write_frame", "comparison_workbook", "kpi_labels", "scenario_names", "plan_charts", "default_language",
    "plan_disclosure_sentence",
    "scenario_changes", "client_file_name", "disclosure_terms", "sector_names",
}
#: Open to every signed-in role: region-wide counts, names of stored scenarios, empty templates.
EVERY_ROLE = {"info", "unmapped", "stored_scenarios", "template", "scenario_runs", "provider_choices", "course_titles"}


def _page_calls() -> set[str]:
    called: set[str] = set()
    for path in [*(REPO / "pages").glob("*.py"), REPO / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "service":
                called.add(node.attr)
    return called - {"Info", "ImportOutcome", "PlanResult", "Comparison", "CompanyProfile", "CoursePlanning"}


def test_every_service_function_a_page_calls_has_its_rule_here() -> None:
    unruled = _page_calls() - set(REFUSED) - NO_DATA - EVERY_ROLE
    assert not unruled, f"pages call {sorted(unruled)}: add their refusals to REFUSED"


def _principal(role: str, region: dict[str, Any]) -> Principal:
    return {"company": _company(region), "provider": _provider(region), "policymaker": POLICY}[role]


@pytest.mark.parametrize(
    ("function", "index"), [(name, index) for name, cases in REFUSED.items() for index in range(len(cases))],
    ids=lambda value: str(value),
)
def test_each_role_is_refused_what_it_may_not_see(function: str, index: int, region: dict[str, Any], store: Store) -> None:
    role, call = REFUSED[function][index]
    with pytest.raises(AccessError) as refused:
        call(region, _principal(role, region))
    message = str(refused.value)
    assert message and "Traceback" not in message
    assert region["b"] not in message  # a refusal never shows the other company's data


@pytest.mark.parametrize("function", sorted(REFUSED))
def test_nobody_signed_in_gets_nothing(function: str, region: dict[str, Any], store: Store) -> None:
    _role, call = REFUSED[function][0]
    token = access._CURRENT.set(None)
    try:
        with pytest.raises(AccessError, match="sign in first"):
            call(region, None)  # type: ignore[arg-type]
    finally:
        access._CURRENT.reset(token)


def test_a_company_sees_its_own_rows_only(region: dict[str, Any], store: Store) -> None:
    who = _company(region)
    assert service.company_choices(principal=who)["company_id"].tolist() == [region["a"]]
    own = service.gaps("gaps", by="company", company=region["a"], principal=who)
    assert set(own["company_id"].dropna()) == {region["a"]}
    for table in ("participants", "hires", "gaps", "closures", "company_costs"):
        rows = service.scenario_table(table, ["shared"], principal=who)
        assert set(rows["company_id"]) <= {region["a"]}, table
    everything = service.scenario_table("participants", ["shared"])
    mine = everything[everything["company_id"] == region["a"]]
    runs = service.scenario_table("runs", ["shared"], principal=who)
    assert set(zip(runs["year"], runs["course_id"], strict=True)) == set(zip(mine["year"], mine["course_id"], strict=True))


def test_a_provider_sees_its_own_courses_only(region: dict[str, Any], store: Store) -> None:
    who = _provider(region)
    demand = service.gaps("gaps", by="course", principal=who)
    assert len(demand) and set(demand["provider"]) == {region["p"]}
    runs = service.scenario_table("runs", ["shared"], principal=who)
    assert set(runs["provider"]) <= {region["p"]}
    assert len(service.scenario_table("runs", ["shared"])) > len(runs)
    assert service.provider_choices(principal=who) == [region["p"]]
    chosen = service.gaps("gaps", by="course", provider=region["q"], principal=POLICY)
    assert set(chosen["provider"]) == {region["q"]}


def test_a_policymaker_sees_plans_without_company_identities(region: dict[str, Any], store: Store) -> None:
    company_ids = set(service.load_dataset().companies.index)
    for table in ("participants", "hires", "gaps", "runs"):
        pooled = service.scenario_table(table, ["shared"], principal=POLICY)
        assert "company_id" not in pooled.columns, table
        assert not company_ids & set(pooled.astype(str).to_numpy().ravel()), table
    shown = service.plan_view(region["result"], principal=POLICY)
    assert "company_id" not in shown["participants"].columns
    full = region["result"].participants
    # pooled by sector, region and size band under disclosure control; the total is the plan's exact figure
    pooled = shown["participants"]
    assert set(pooled["pooled_by"]) == {"sector", "region", "size band", "all"}
    total = pooled[pooled["pooled_by"] == "all"]
    assert total["participants"].iloc[0] == full["participants"].sum()
    small = pooled[pooled["companies"] < 3]
    assert small["participants"].isna().all() and small["band"].notna().all()
    # a run of one or two companies shows a band, never its exact participants
    runs = shown["runs"]
    few = runs[runs["companies"] < 3]
    assert len(few) and few["participants"].isna().all() and few["band"].notna().all()
    reasons = service.unmet_reasons(region["result"], principal=POLICY)
    assert list(reasons.columns) == ["reason", "unmet_units", "companies", "band"]
    chart = service.plan_charts(region["result"], principal=POLICY)["closed_and_unmet"]
    assert set(chart.columns) == {"group", "status", "units"}
    assert "perturbed" in service.plan_disclosure_sentence(principal=POLICY)
    assert service.plan_disclosure_sentence(principal=Principal.operator()) == ""
    for sentence in service.plan_limits(region["result"], principal=POLICY):
        assert not any(company in sentence.split() for company in company_ids)


def test_a_policymaker_asking_for_a_companys_plan_rows_is_refused(region: dict[str, Any], store: Store) -> None:
    for table in ("closures", "company_costs"):
        with pytest.raises(AccessError, match=r"a company's plan rows .* are not open to the policymaker role"):
            service.scenario_table(table, ["shared"], principal=POLICY)


def test_providers_and_companies_see_runs_with_protected_cohorts(region: dict[str, Any], store: Store) -> None:
    everything = service.scenario_table("runs", ["shared"])
    for who in (_provider(region), _company(region)):
        runs = service.scenario_table("runs", ["shared"], principal=who)
        few = runs[runs["companies"] < 3]
        assert few["participants"].isna().all(), who.role
        assert (runs["participants"].dropna() <= (runs["runs"] * runs["seats"])[runs["participants"].notna()]).all()
        assert len(runs) < len(everything)


def test_the_cli_as_a_role_produces_what_that_role_sees(region: dict[str, Any], store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    from skills.cli import main

    assert main(["--as", f"company:{region['a']}", "gaps", "--company", region["b"]]) == 2
    assert "your own company" in capsys.readouterr().err
    assert main(["--as", "policymaker", "export", "demand"]) == 2
    assert main(["--as", "nosuchrole", "info"]) == 2
    assert main(["--as", f"company:{region['a']}", "gaps", "--by", "company", "--company", region["a"], "--format", "json"]) == 0
    rows = pd.read_json(__import__("io").StringIO(capsys.readouterr().out))
    assert set(rows["company_id"].dropna()) - {"Total"} == {region["a"]}
