"""Wall times of `vetplan --help` and `vetplan info --json` on the sample region: median, min, max and target."""

from __future__ import annotations

import argparse
import subprocess
import time
from collections.abc import Sequence

from _common import BIN, Row, Target, add_common_arguments, burner, print_table, sample_data_home

#: What is timed, as arguments to ``vetplan``, and its target (``None``: none set).
COMMANDS: list[tuple[list[str], Target | None]] = [
    (["--help"], Target(1.0, strict=True)),
    (["info", "--json"], None),
]


def wall_times(arguments: Sequence[str], environment: dict[str, str], repeat: int) -> list[float]:
    """Run ``vetplan arguments`` once to warm up, then ``repeat`` times, timing each run.

    Parameters
    ----------
    arguments
        Arguments after ``vetplan``.
    environment
        Environment of the runs (it names the data home).
    repeat
        Counted runs.

    Returns
    -------
    list[float]
        Wall seconds of the counted runs, from start to exit of the process.
    """
    command = [str(BIN / "vetplan"), *arguments]
    seconds: list[float] = []
    for run in range(repeat + 1):
        start = time.perf_counter()
        subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL)
        if run:
            seconds.append(time.perf_counter() - start)
    return seconds


def main() -> None:
    """Measure every command and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    add_common_arguments(parser)
    options = parser.parse_args()
    with sample_data_home() as environment, burner(options.busy):
        rows = [
            Row(f"vetplan {' '.join(arguments)}", wall_times(arguments, environment, options.repeat), target)
            for arguments, target in COMMANDS
        ]
    print_table("vetplan CLI wall time (s), 72-company sample region", rows, options.repeat, options.busy)


if __name__ == "__main__":
    main()
