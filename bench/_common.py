"""Helpers shared by the wall-time benches: a sample data home, a CPU burner, the options and the table."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(1, str(REPO))  # for the repository's own modules, e.g. the browser settings of tests/
#: The scripts (``vetplan``, ``streamlit``) of the environment the bench runs in, e.g. ``.venv/bin``.
BIN = Path(sys.executable).parent
#: Environment variables that would point the app or the CLI at another database than the temp data home.
DATABASE_VARIABLES = ("DATABASE_URL", "VETPLAN_DATABASE_URL")


@dataclass(frozen=True)
class Target:
    """A wall-time target in seconds, met by the median.

    Attributes
    ----------
    seconds
        The limit.
    strict
        ``True`` for "< seconds", ``False`` for "≤ seconds".
    """

    seconds: float
    strict: bool = False

    def met(self, value: float) -> bool:
        """Whether ``value`` seconds meets the target.

        Parameters
        ----------
        value
            A measured time in seconds.

        Returns
        -------
        bool
            ``True`` when ``value`` is below (or, unless strict, at) the limit.
        """
        return value < self.seconds if self.strict else value <= self.seconds

    def __str__(self) -> str:
        return f"{'<' if self.strict else '≤'} {self.seconds:g} s"


@dataclass(frozen=True)
class Row:
    """One measured operation of a bench table.

    Attributes
    ----------
    name
        What was timed.
    seconds
        The counted runs, in seconds (warm-up runs excluded).
    target
        The target, or ``None`` when the operation has none.
    """

    name: str
    seconds: Sequence[float]
    target: Target | None = None


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--repeat`` and ``--busy`` to a bench's argument parser.

    Parameters
    ----------
    parser
        The parser to extend.
    """
    parser.add_argument("--repeat", type=int, default=5, help="counted runs per operation (default 5)")
    parser.add_argument(
        "--busy",
        action="store_true",
        help="burn one core with a busy loop while measuring (as if another job shared the machine)",
    )


def bench_environment(data_home: Path) -> dict[str, str]:
    """The process environment with ``VETPLAN_DATA_HOME`` set, no database URL override, this repo first.

    ``PYTHONPATH`` names the repository the bench lives in, so that a copy of the
    repository (say, an export of a commit) is measured rather than the editable install.

    Parameters
    ----------
    data_home
        Folder holding the embedded SQLite database.

    Returns
    -------
    dict[str, str]
        A copy of ``os.environ`` for the subprocesses of a bench.
    """
    environment = {key: value for key, value in os.environ.items() if key not in DATABASE_VARIABLES}
    environment["VETPLAN_DATA_HOME"] = str(data_home)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return environment


@contextmanager
def sample_data_home() -> Iterator[dict[str, str]]:
    """A temp data home initialised with ``vetplan init --sample``, removed afterwards.

    Yields
    ------
    dict[str, str]
        The environment that points ``vetplan`` and the app at it.
    """
    folder = Path(tempfile.mkdtemp(prefix="vetplan-bench-"))
    try:
        environment = bench_environment(folder)
        subprocess.run(
            [str(BIN / "vetplan"), "init", "--sample"],
            cwd=folder,
            env=environment,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        yield environment
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def burner(busy: bool) -> Iterator[None]:
    """While the block runs, keep one core busy with ``while True: pass`` when ``busy`` is set.

    The busy loop is pinned to the last CPU so that the bench itself keeps the
    other core, as on a shared 2-core machine with one other job.

    Parameters
    ----------
    busy
        Start the burner; with ``False`` the block runs on a quiet machine.

    Yields
    ------
    None
    """
    if not busy:
        yield
        return
    cpu = max(os.sched_getaffinity(0))
    process = subprocess.Popen(
        [sys.executable, "-c", f"import os\nos.sched_setaffinity(0, {{{cpu}}})\nwhile True: pass"],
        stdin=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        process.kill()
        process.wait()


def conditions(busy: bool) -> str:
    """The machine condition a table was measured under, for its header.

    Parameters
    ----------
    busy
        Whether the burner ran.

    Returns
    -------
    str
        A short phrase such as ``"quiet"``.
    """
    cores = len(os.sched_getaffinity(0))
    if busy:
        return f"busy: one core burned by a busy loop ({cores} cores)"
    return f"quiet: no burner ({cores} cores; the machine is shared)"


def print_table(title: str, rows: Sequence[Row], repeat: int, busy: bool) -> None:
    """Print median, min and max seconds of every row and PASS/FAIL against its target.

    Parameters
    ----------
    title
        First header line.
    rows
        The measured operations.
    repeat
        Counted runs per operation, for the header.
    busy
        Whether the burner ran, for the header.
    """
    width = max([len("operation"), *(len(row.name) for row in rows)])
    print(f"{title} — {conditions(busy)}; {repeat} counted runs each after a warm-up; PASS when the median meets the target")
    header = f"{'operation':<{width}}  {'median':>7}  {'min':>7}  {'max':>7}  {'target':>8}  result"
    print(header)
    print("-" * len(header))
    for row in rows:
        median, low, high = statistics.median(row.seconds), min(row.seconds), max(row.seconds)
        target = str(row.target) if row.target else "-"
        result = "-" if row.target is None else "PASS" if row.target.met(median) else "FAIL"
        print(f"{row.name:<{width}}  {median:>7.3f}  {low:>7.3f}  {high:>7.3f}  {target:>8}  {result}")
