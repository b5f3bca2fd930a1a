"""Precision and recall of the skill matcher on the labelled phrases, overall, per language and by threshold."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skills.mapping import Matcher, match  # noqa: E402
from skills.settings import load_settings  # noqa: E402
from skills.taxonomy import load_taxonomy  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "mapping_labelled.csv"
SWEEP = (60.0, 70.0, 75.0, 80.0, 85.0, 88.0, 90.0, 95.0, 99.0)


def score(results: pd.DataFrame, threshold: float) -> dict[str, float]:
    """Precision (correct among auto-mapped) and recall (correct auto-mapped among labelled phrases)."""
    auto = results["score"] >= threshold
    auto &= results["predicted"] != ""
    correct = auto & (results["predicted"] == results["skill_id"])
    labelled = results["skill_id"] != ""
    mapped = int(auto.sum())
    return {
        "phrases": len(results),
        "labelled": int(labelled.sum()),
        "auto_mapped": mapped,
        "correct": int(correct.sum()),
        "wrong": mapped - int(correct.sum()),
        "precision": correct.sum() / mapped if mapped else float("nan"),
        "recall": correct.sum() / labelled.sum() if labelled.sum() else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    parser.add_argument(
        "--errors",
        action="store_true",
        help="also list wrong and missed phrases at the default threshold",
    )
    args = parser.parse_args(argv)

    labelled = pd.read_csv(args.labelled, dtype=str, keep_default_na=False)
    taxonomy = load_taxonomy()
    threshold = load_settings().mapping_threshold
    started = time.perf_counter()
    matcher = Matcher.from_taxonomy(taxonomy, threshold=threshold)
    built = time.perf_counter()
    found = [match(phrase, matcher) for phrase in labelled["phrase"]]
    done = time.perf_counter()
    results = labelled.assign(
        predicted=[m.skill_id or "" for m in found],
        score=[m.score for m in found],
        method=[m.method for m in found],
    )

    print(
        f"matcher: {len(taxonomy)} skills, {len(matcher.choice_texts)} names; built in {built - started:.2f} s; "
        f"{len(labelled)} phrases matched in {done - built:.2f} s ({(done - built) / len(labelled) * 1000:.1f} ms each)"
    )
    print(f"\nAt the default threshold {threshold:g}:")
    rows = [{"subset": "all", **score(results, threshold)}]
    for language, group in results.groupby("language"):
        rows.append({"subset": f"language={language}", **score(group, threshold)})
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda x: f"{x:.3f}"))

    print("\nThreshold sweep (all phrases):")
    sweep = pd.DataFrame([{"threshold": t, **score(results, t)} for t in SWEEP])
    print(sweep.to_string(index=False, float_format=lambda x: f"{x:.3f}"))

    print("\nAuto-mapped phrases by method (default threshold):")
    auto = results[(results["score"] >= threshold) & (results["predicted"] != "")]
    by_method = (
        auto.assign(correct=auto["predicted"] == auto["skill_id"])
        .groupby("method")["correct"]
        .agg(["count", "sum"])
    )
    print(by_method.rename(columns={"sum": "correct"}).to_string())

    if args.errors:
        wrong = auto[auto["predicted"] != auto["skill_id"]]
        missed = results[(results["skill_id"] != "") & ~results.index.isin(auto.index)]
        with pd.option_context(
            "display.width", 200, "display.max_colwidth", 70, "display.max_rows", 1000
        ):
            print("\nWrong auto-mappings:")
            print(wrong[["phrase", "skill_id", "predicted", "score", "method"]].to_string())
            print("\nMissed (sent to review):")
            print(missed[["phrase", "skill_id", "predicted", "score", "method"]].to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
