"""The ``vetplan`` command line: batch work over the same service the app uses."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from skills import service
from skills.errors import InputError, VetplanError

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
    result = service.init_database(sample=args.sample)
    _print(
        args,
        result,
        f"database ready: {result['database']} (schema version {result['schema_version']}); loaded: {result['loaded']}",
    )
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    summary = service.info()
    counts = summary.counts
    lines = [f"database: {summary.database}"]
    lines += [f"{name:>14}: {value:,}" for name, value in counts.items()]
    if summary.pending_review:
        lines.append(f"{'pending review':>14}: {summary.pending_review} phrase(s) not yet mapped to a skill")
    if summary.missing:
        lines.append("missing:")
        lines += [f"  - {item}" for item in summary.missing]
    _print(args, summary.as_dict(), "\n".join(lines))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vetplan",
        description="Plan vocational training and recruitment for manufacturing SMEs.",
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 bad input, 1 other failure)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except InputError as error:
        _fail(args, error, problems=[p.as_dict() for p in error.problems])
        return EXIT_BAD_INPUT
    except VetplanError as error:
        _fail(args, error)
        return EXIT_FAILED
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
