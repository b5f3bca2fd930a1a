"""The ``vetplan`` command line: batch work over the same service the app uses.

Each command imports the service (pandas, SQLAlchemy, PuLP) only when it runs, so ``--help``
and argument errors answer at once.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skills.access import Principal, acting_as
from skills.errors import InputError, StoreBusyError, VetplanError
from skills.kinds import EXPORT_FORMATS, KINDS, TEMPLATE_KINDS

if TYPE_CHECKING:
    from optimisation.scenarios import Scenario

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

Handler = Callable[[argparse.Namespace], int]


def _print(args: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    else:
        print(text)


def cmd_init(args: argparse.Namespace) -> int:
    from skills import service

    result = service.init_database(sample=args.sample)
    lines = [f"database ready: {result['database']} (schema version {result['schema_version']}); loaded: {result['loaded']}"]
    created = [user for user in result.get("users", []) if user["password"]]
    if created:
        lines.append("demo users to sign in with (the passwords are shown only now; vetplan user passwd NAME sets a new one):")
        lines += [
            f"  {user['user']:<9} {user['password']}  ({user['role']}{' ' + (user['company_id'] or user['provider']) if user['company_id'] or user['provider'] else ''})"
            for user in created
        ]
    elif result.get("users"):
        lines.append(f"users exist already: {', '.join(u['user'] for u in result['users'])} (vetplan user passwd NAME sets a new password)")
    _print(args, result, "\n".join(lines))
    return EXIT_OK


def cmd_user(args: argparse.Namespace) -> int:
    from skills import service

    if args.action == "list":
        _emit_table(args, service.list_users(), "users")
        return EXIT_OK
    if not args.name:
        msg = f"vetplan user {args.action} needs a user name"
        raise InputError(msg)
    if args.action == "add":
        if not args.role:
            msg = "vetplan user add needs --role (company, provider, policymaker, analyst or admin)"
            raise InputError(msg)
        password = service.add_user(
            args.name, args.role, company_id=args.company, provider=args.provider, email=args.email,
            password="" if args.sso_only else None,
        )
        text = f"added {args.name}; password (shown only now): {password}" if password else f"added {args.name} (single sign-on only)"
        _print(args, {"user": args.name, "password": password}, text)
    elif args.action == "remove":
        service.remove_user(args.name)
        _print(args, {"user": args.name, "removed": True}, f"removed {args.name} and ended their sessions")
    else:
        password = service.set_password(args.name)
        _print(args, {"user": args.name, "password": password}, f"new password for {args.name} (shown only now): {password}")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    from skills import service

    summary = service.info()
    counts = summary.counts
    lines = [f"database: {summary.database}"]
    lines += [f"{name:>14}: {value:,}" for name, value in counts.items()]
    if summary.pending_review:
        lines.append(f"{'pending review':>14}: {summary.pending_review} phrase(s) not yet mapped to a skill")
    lines.append(f"{'data version':>14}: {summary.data_version}")
    if summary.missing:
        lines.append("missing:")
        lines += [f"  - {item}" for item in summary.missing]
    if summary.readiness:
        lines.append("before any plan (base scenario's years):")
        lines += [f"  - {sentence}" for sentence in summary.readiness]
    _print(args, summary.as_dict(), "\n".join(lines))
    return EXIT_OK


def _problem_lines(problems: list[dict[str, Any]], limit: int = 50) -> list[str]:
    lines = []
    for problem in problems[:limit]:
        where = ", ".join(
            f"{key} {problem[key]}" for key in ("file", "sheet", "row", "column") if problem.get(key) not in (None, "")
        )
        value = f" (value {problem['value']!r})" if problem.get("value") not in (None, "") else ""
        lines.append(f"  {problem.get('severity', 'error')}: {where}: {problem['message']}{value}")
    if len(problems) > limit:
        lines.append(f"  ... and {len(problems) - limit} more (use --json for all)")
    return lines


def cmd_import(args: argparse.Namespace) -> int:
    from skills import service

    outcome = service.import_data(
        args.kind, args.file, sheet=args.sheet, mapping=args.mapping, dry_run=args.dry_run, esco_use=args.esco_use
    )
    summary = outcome.summary
    if outcome.ok:
        verb = "checked (dry run, nothing stored)" if args.dry_run else "imported"
        head = f"{summary['file']}: {verb}: {summary['rows_accepted']} of {summary['rows_read']} row(s)"
        if summary.get("pending"):
            head += f"; {summary['pending']} skill phrase(s) wait for review (vetplan mapping list)"
    else:
        head = f"{summary['file']}: rejected, nothing was stored: {len([p for p in summary['problems'] if p['severity'] == 'error'])} error(s)"
    _print(args, {**summary, "stored": outcome.stored}, "\n".join([head, *_problem_lines(summary["problems"])]))
    return EXIT_OK if outcome.ok else EXIT_BAD_INPUT


def cmd_export(args: argparse.Namespace) -> int:
    from skills import service

    data = service.export_table(args.table, fmt=args.format, out=args.out)
    if args.out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        _print(args, {"table": args.table, "out": args.out, "bytes": len(data)}, f"wrote {args.out}")
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    from skills import service

    service.template(args.kind, args.out)
    _print(args, {"kind": args.kind, "out": args.out}, f"wrote the {args.kind} template to {args.out}")
    return EXIT_OK


def cmd_mapping(args: argparse.Namespace) -> int:
    from skills import service

    if args.action == "list":
        queue = service.review_queue(None if args.all else "pending")
        records = queue.to_dict("records")
        text = queue.to_string(index=False) if len(queue) else "nothing waits for review"
        _print(args, {"items": records}, text)
        return EXIT_OK
    if args.id is None:
        msg = f"mapping {args.action} needs the review item id (see vetplan mapping list)"
        raise InputError(msg)
    if args.action == "show":
        likely = service.review_suggestions(args.id)
        text = likely.to_string(index=False) if len(likely) else "no skill of the taxonomy resembles this phrase"
        _print(args, {"id": args.id, "likely_skills": likely.to_dict("records")}, text)
        return EXIT_OK
    if args.action == "accept":
        result = service.resolve_review(args.id)
    elif args.action == "set":
        if not args.skill:
            msg = "mapping set needs --skill SKILL_ID"
            raise InputError(msg)
        result = service.resolve_review(args.id, args.skill)
    else:  # add
        if not (args.skill and args.label and args.group):
            msg = "mapping add needs --skill NEW_ID --label LABEL --group GROUP"
            raise InputError(msg)
        result = service.resolve_review(
            args.id, new_skill={"skill_id": args.skill, "label": args.label, "group": args.group, "label_da": args.label_da or ""}
        )
    _print(args, result, f"{result['phrase']!r} -> {result['skill_id']} (also resolved {result['also_resolved']} more)")
    return EXIT_OK


def _emit_table(args: argparse.Namespace, frame: Any, name: str) -> None:
    """Print or write a result table in the format asked for."""
    from skills import service

    fmt = args.format
    if fmt == "table":
        if args.out:
            msg = "--out needs --format csv, json or xlsx"
            raise InputError(msg)
        print(frame.to_string(index=False) if len(frame) else f"no {name}")
        return
    data = service.write_frame(frame, fmt, args.out)
    if args.out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        print(f"wrote {len(frame)} row(s) to {args.out}", file=sys.stderr)


def cmd_gaps(args: argparse.Namespace) -> int:
    from skills import service

    by = tuple(args.by.split(",")) if "," in args.by else args.by
    table = service.gaps(args.view, by=by, company=args.company, provider=args.provider)
    shown = service.gaps_for_display(table)
    if args.json:
        args.format = "json"
    _emit_table(args, shown, "gaps")
    waiting = service.unmapped()
    if waiting["rows"]:
        print(
            f"note: {waiting['rows']} survey row(s) ({waiting['headcount']} people) wait for skill review and are not counted"
            " above (vetplan mapping list)",
            file=sys.stderr,
        )
    return EXIT_OK


def _scenario(path: str | None, pairs: list[str], name: str = "base") -> Scenario:
    """The scenario of ``vetplan solve``: scenario ``name`` of the file (default base.yaml), ``--set key=value`` on top.

    Raises
    ------
    ScenarioError
        Naming the file or the ``--set`` option and the key, for bad input (exit code 2).
    """
    from optimisation.scenarios import parse_set_options
    from skills import service

    return service.load_scenario(path, parse_set_options(pairs), name=name, source="--set")


def cmd_solve(args: argparse.Namespace) -> int:
    from skills import service

    scenario = _scenario(args.scenario, args.set or [], args.name)
    result = service.solve(scenario, source_file=args.scenario)
    return _report_solve(args, scenario, result)


def _report_solve(args: argparse.Namespace, scenario: Scenario, result: Any) -> int:
    """Print a solve's headline, limits and checker findings; write the workbook with ``--out``."""
    from skills import service

    if getattr(args, "out", None):
        service.plan_file(result, args.out, source_file=getattr(args, "scenario", None))
    payload = {"scenario": scenario.name, **result.to_json_dict(), "readiness": service.plan_readiness(scenario.years).as_dict()}
    if result.plan is None:
        return _no_plan(args, payload, result)
    gap = "" if result.gap is None else f", gap {100 * result.gap:.2f} %"
    ready = service.plan_readiness(scenario.years)
    lines = [
        *([ready.headline()] if ready.capped else []),
        f"scenario {scenario.name}: {result.status.value}{gap}",
        f"closed gap units {result.closed_units:,.0f}, unmet {result.unmet_units:,.0f}",
        f"participants {payload['participants']['total']:,}, course runs {payload['runs']['total']:,}, hires {payload['hires']['total']:,}",
        f"cost {result.total_cost:,.0f} (public {result.public_cost:,.0f}, companies {result.company_cost:,.0f})",
    ]
    if result.is_poor:
        lines.insert(1 if ready.capped else 0, f"POOR PLAN (not a good plan): {result.result.message}")
    if result.violations:
        lines.append(f"PLAN CHECKER: {len(result.violations)} violation(s)")
        lines += [f"  - {v}" for v in result.violations[:20]]
    limits = service.plan_limits(result, 8)
    if limits:
        lines.append("what limits the plan:")
        lines += [f"  - {sentence}" for sentence in limits]
    changes = service.scenario_changes(scenario, getattr(args, "scenario", None))
    lines.append("changes against the base: " + ("; ".join(changes) if changes else "none"))
    if getattr(args, "out", None):
        lines.append(f"wrote {args.out}")
    _print(args, {**payload, "changes": changes}, "\n".join(lines))
    return EXIT_OK


def _no_plan(args: argparse.Namespace, payload: dict[str, Any], result: Any) -> int:
    """Say why a solve found no plan, and what to change; no plan figures, nothing stored.

    The scenario's own settings caused it (a target nothing can meet, too little time): exit 2,
    as for other input to change. A solver failure with time to spare: exit 1.
    """
    solve = result.result
    if result.status.value == "infeasible" and solve.target is not None:
        why = f"{solve.target.sentence()}; lower the target or relax what caps it, and solve again"
        code = EXIT_BAD_INPUT
    elif result.status.value == "infeasible":
        why = (
            "its constraints cannot all be met (for example a coverage target above what the budget, "
            "course seats and hires allow); relax one and solve again"
        )
        code = EXIT_BAD_INPUT
    elif solve.limit == "time limit":
        why = (
            f"the solver found no plan within the time limit of {result.scenario.time_limit_s:g} s; "
            "allow more time (--set time_limit_s=...)"
        )
        code = EXIT_BAD_INPUT
    else:
        why = f"the solver stopped without a plan ({solve.message or solve.solver_status or 'no reason given'})"
        code = EXIT_FAILED
    source = Path(args.scenario).name if getattr(args, "scenario", None) else "base.yaml"
    text = f"{source}: scenario {payload['scenario']}: {result.status.value}, no plan: {why}. Nothing was stored."
    _print(args, {**payload, "stored": False, "reason": why}, text)
    return code


def cmd_scenario(args: argparse.Namespace) -> int:
    """vetplan scenario list|show|run|delete: the stored runs of scenarios."""
    from skills import service

    if args.action == "list":
        runs = service.scenario_runs([args.name] if args.name else None)
        if args.json:
            args.format = "json"
        columns = ["run_id", "scenario", "created_at", "status", "gap", "seconds", "data_version", "on_current_data", "latest", "changes"]
        _emit_table(args, runs[columns], "stored runs")
        return EXIT_OK
    if not args.name:
        msg = f"vetplan scenario {args.action} needs a scenario name (vetplan scenario list shows them)"
        raise InputError(msg)
    if args.action == "show":
        runs = service.scenario_runs([args.name])
        run_id = args.run if args.run is not None else int(runs.loc[runs["latest"], "run_id"].iloc[0])
        record = service.show_run(run_id)
        if record["scenario"] != args.name:
            msg = f"run {run_id} is a run of {record['scenario']!r}, not {args.name!r}"
            raise InputError(msg)
        stale = service.stale_sentence(record, service.data_version())
        lines = [
            f"run {record['run_id']} of {record['scenario']}: {record['status']}"
            + ("" if record["gap"] is None else f", gap {100 * record['gap']:.2f} %")
            + ("" if record["seconds"] is None else f", {record['seconds']:.1f} s")
            + f", {record['created_at']}",
            "changes against the base: " + ("; ".join(record["changes"]) or "none"),
            *([stale] if stale else []),
            f"{len(runs)} run(s) stored under this name",
        ]
        _print(args, record, "\n".join(lines))
        return EXIT_OK
    if args.action == "run":
        stored = args.name in service.stored_scenarios()
        if not stored and args.name in service.scenario_names():
            scenario = service.load_scenario(name=args.name)
            result = service.solve(scenario)
        else:
            result = service.rerun_scenario(args.name)
        if result.plan is None:
            return _no_plan(args, {"scenario": args.name, **result.to_json_dict()}, result)
        return _report_solve(args, result.scenario, result)
    removed = service.delete_runs(args.name, run_id=args.run)
    _print(args, {"scenario": args.name, "removed": removed}, f"removed {removed} run(s) of {args.name}")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    """vetplan compare: stored runs against a baseline."""
    from skills import service

    comparison = service.compare_runs(args.names, baseline=args.baseline)
    if args.out:
        service.comparison_file(comparison, args.out)
    if args.json:
        print(json.dumps(comparison.as_json(), indent=2, ensure_ascii=False, default=str))
        return EXIT_OK
    table = comparison.kpis.T
    table.index.name = "kpi"
    lines = [f"baseline: {comparison.baseline}; money in {comparison.currency}", table.to_string(float_format=lambda v: f"{v:,.2f}")]
    if len(comparison.settings):
        lines += ["settings that differ:", comparison.settings.to_string(index=False)]
    lines += comparison.notes
    if args.out:
        lines.append(f"wrote {args.out}")
    print("\n".join(lines))
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    """vetplan sweep NAME --budgets B1 B2 ...: closed gap against public budget, the knee marked."""
    from optimisation.scenarios import parse_set_options
    from skills import service

    sweep = service.sweep_budgets(
        [float(b) for b in args.budgets], name=args.name, source_file=args.file, overrides=parse_set_options(args.set or [])
    )
    frame = sweep.to_frame()
    if args.out:
        service.write_frame(frame, "xlsx" if args.out.endswith(".xlsx") else "csv", args.out)
    if args.json:
        print(json.dumps(sweep.to_json_dict(), indent=2, default=str, ensure_ascii=False))
        return EXIT_OK
    from skills.settings import load_settings

    currency = load_settings().currency  # the region's currency, without counting the whole database
    columns = [c for c in ("budget", "weighted_closed_units", "closed_units", "public_cost", "status", "gap", "reused_from", "is_knee") if c in frame]
    lines = [f"budget sweep of {args.name} (public money per year, {currency}); each solved plan stored as {args.name}-budget-B", frame[columns].to_string(index=False)]
    if sweep.knee_budget is not None:
        lines.append(f"diminishing returns from {currency} {sweep.knee_budget:,.0f} a year (docs/sweep.md says how the point is found)")
    lines += [f"breach: {problem}" for problem in sweep.problems]
    lines += [f"note: {note}" for note in sweep.notes]
    if args.out:
        lines.append(f"wrote {args.out}")
    print("\n".join(lines))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """vetplan report priorities NAME: the region's priority skill areas from a stored run."""
    from skills import service

    report = service.priorities_report(args.name, run_id=args.run)
    if args.out:
        service.priorities_file(report, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
        return EXIT_OK
    if args.json:
        print(json.dumps({name: frame.to_dict("records") for name, frame in report.sheets().items()}, indent=2, default=str, ensure_ascii=False))
    else:
        print(report.to_markdown())
    return EXIT_OK


def cmd_scenarios(args: argparse.Namespace) -> int:
    from skills import service

    table = service.compare_scenarios(args.names or None)
    if args.json:
        args.format = "json"
    _emit_table(args, table, "stored scenario results")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vetplan",
        description="Plan vocational training and recruitment for manufacturing SMEs.",
    )
    parser.add_argument(
        "--as", dest="acting_as", metavar="ROLE[:ID]",
        help="produce exactly what this role would see, e.g. --as policymaker or --as company:C001 (default: everything)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--json", action="store_true", help="print machine-readable JSON")
        sub.set_defaults(handler=handler)
        return sub

    init = add("init", cmd_init, "Create the database (and load the sample region with --sample).")
    init.add_argument("--sample", action="store_true", help="load the sample region into an empty database")
    add("info", cmd_info, "Counts of companies, courses, providers, skills, demand rows; what is missing.")

    imp = add("import", cmd_import, "Import a file (xlsx, xlsm or csv): all of it or nothing, with a report.")
    imp.add_argument("kind", choices=KINDS, help="what the file holds")
    imp.add_argument("file", help="path of the file")
    imp.add_argument("--sheet", help="Excel sheet to read (default: the first that holds the table)")
    imp.add_argument("--mapping", help="YAML column mapping for a wide survey-tool export")
    imp.add_argument("--dry-run", action="store_true", help="check the file and report; store nothing")
    imp.add_argument(
        "--esco-use", choices=["links", "taxonomy"], default="links",
        help="esco-skills: link our skills to ESCO (default) or add ESCO skills to the taxonomy",
    )

    exp = add("export", cmd_export, "Write a stored table as csv, json or xlsx (formula-like text neutralised).")
    exp.add_argument("table", help="a data table (skills, companies, demand, ...), mapping_queue, learned_aliases or plan_<table>")
    exp.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
    exp.add_argument("--out", help="output file (default: standard output)")

    tpl = add("template", cmd_template, "Write an Excel template with dropdowns for a survey, a course catalogue or supply.")
    tpl.add_argument("kind", choices=TEMPLATE_KINDS)
    tpl.add_argument("out", help="output .xlsx file")

    mapping = add("mapping", cmd_mapping, "Review skill phrases the matcher was unsure of.")
    mapping.add_argument(
        "action",
        choices=["list", "show", "accept", "set", "add"],
        help="list the queue; show the likeliest skills for one item; accept the suggestion; set another skill; add a new skill",
    )
    mapping.add_argument("id", nargs="?", type=int, help="review item id (from mapping list)")
    mapping.add_argument("--skill", help="skill_id to use (set) or create (add)")
    mapping.add_argument("--label", help="English label of a new skill (add)")
    mapping.add_argument("--label-da", help="Danish label of a new skill (add)")
    mapping.add_argument("--group", help="skill group of a new skill (add)")
    mapping.add_argument("--all", action="store_true", help="list reviewed items too")

    gap = add("gaps", cmd_gaps, "Skills gaps by a dimension, catalogue coverage, or curriculum gaps (disclosure-controlled).")
    gap.add_argument("view", nargs="?", default="gaps", choices=["gaps", "coverage", "curriculum"])
    gap.add_argument(
        "--by", default="skill",
        help="company|skill|group|sector|region|size|role|year|level|course, or two joined by a comma (group,sector)",
    )
    gap.add_argument("--company", help="one company's own view (its data only, unsuppressed)")
    gap.add_argument("--provider", help="with --by course: the expected demand for one provider's courses")
    gap.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table")
    gap.add_argument("--out", help="output file (csv, json or xlsx)")

    sol = add("solve", cmd_solve, "Plan training and recruitment for a scenario; the result is stored under its name.")
    sol.add_argument("scenario", nargs="?", help="scenario YAML (default: data/scenarios/base.yaml)")
    sol.add_argument(
        "--name", default="base",
        help="a scenario the file defines (its fragments applied in order on the base), e.g. tight_budget; default: base",
    )
    sol.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a scenario setting, e.g. --set budget_per_year=100000")
    sol.add_argument("--out", help="write the plan workbook (.xlsx)")

    user = add("user", cmd_user, "Manage who may sign in to the app: add, list, remove, passwd (a new password).")
    user.add_argument("action", choices=["add", "list", "remove", "passwd"])
    user.add_argument("name", nargs="?", help="user name")
    user.add_argument("--role", choices=["company", "provider", "policymaker", "analyst", "admin"])
    user.add_argument("--company", help="company id of a company user")
    user.add_argument("--provider", help="provider name of a provider user")
    user.add_argument("--email", help="e-mail for single sign-on (OpenID Connect)")
    user.add_argument("--sso-only", action="store_true", help="no password: the user signs in through single sign-on only")
    user.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table")
    user.add_argument("--out", help="output file (list)")

    scen = add("scenario", cmd_scenario, "Stored runs of scenarios: list, show, run again on the current data, delete.")
    scen.add_argument("action", choices=["list", "show", "run", "delete"])
    scen.add_argument("name", nargs="?", help="scenario name")
    scen.add_argument("--run", type=int, help="one run id (show, delete); default: the latest (show) or every run (delete)")
    scen.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table")
    scen.add_argument("--out", help="output file (list: csv, json or xlsx; run: the plan workbook)")

    compare = add("compare", cmd_compare, "Compare stored runs against a baseline: KPIs, differences, the settings that differ.")
    compare.add_argument("names", nargs="*", help="scenario names (their latest runs) or NAME@RUN_ID; default: every stored scenario")
    compare.add_argument("--baseline", help="the run the others are compared with (default: the first named)")
    compare.add_argument("--out", help="write the comparison as a workbook (.xlsx) or one CSV of every KPI (.csv)")

    sweep = add("sweep", cmd_sweep, "Solve one scenario at several public budgets: closed gap against budget, the point of diminishing returns.")
    sweep.add_argument("name", help="a scenario of the file (base, tight_budget, ...)")
    sweep.add_argument("--budgets", nargs="+", required=True, type=float, metavar="B", help="public budgets per year (at least 2)")
    sweep.add_argument("--file", help="scenario YAML (default: data/scenarios/base.yaml)")
    sweep.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a scenario setting for every budget")
    sweep.add_argument("--out", help="write the curve as .xlsx or .csv")

    report = add("report", cmd_report, "Reports from a stored run: priorities (the region's priority skill areas, as an LSIP states them).")
    report.add_argument("kind", choices=["priorities"])
    report.add_argument("name", help="scenario name (its latest run)")
    report.add_argument("--run", type=int, help="an older run of that scenario")
    report.add_argument("--out", help="write it as .xlsx or a printable .md page")

    cmp_ = add("scenarios", cmd_scenarios, "Compare the stored results of scenarios side by side.")
    cmp_.add_argument("names", nargs="*", help="scenario names (default: all stored)")
    cmp_.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table")
    cmp_.add_argument("--out", help="output file (csv, json or xlsx)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 bad input, 1 other failure)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        principal = Principal.parse(args.acting_as) if args.acting_as else Principal.operator()
        with acting_as(principal):
            return handler(args)
    except InputError as error:
        _fail(args, error, problems=[p.as_dict() for p in error.problems])
        return EXIT_BAD_INPUT
    except StoreBusyError as error:
        _fail(args, error)
        return EXIT_BAD_INPUT
    except VetplanError as error:
        _fail(args, error)
        return EXIT_FAILED
    except BrokenPipeError:  # output piped into head & co.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # the CLI never shows a traceback
        _fail(args, error, prefix="internal error (please report it): ")
        return EXIT_FAILED


def _fail(args: argparse.Namespace, error: BaseException, *, problems: list[dict[str, Any]] | None = None, prefix: str = "") -> None:
    message = f"{prefix}{error}"
    if getattr(args, "json", False):
        print(json.dumps({"error": message, "problems": problems or []}, indent=2, ensure_ascii=False, default=str))
    else:
        print(f"vetplan: {message}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
