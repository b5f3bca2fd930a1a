"""Precision and recall of the skill matcher on the labelled phrases, overall, per language and by threshold."""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from skills.mapping import (  # noqa: E402
    EvidenceModel,
    Matcher,
    fit_evidence_model,
    match,
    match_with_candidates,
)
from skills.settings import load_settings  # noqa: E402
from skills.taxonomy import load_taxonomy  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "mapping_labelled.csv"
#: Real job-ad skill tags (UK LSIP, read from ../shared at run time) and our labels, keyed by the
#: SHA-1 of each tag so that the tags themselves are not copied into the project.
LSIP_TAGS = ROOT.parent / "shared" / "reference" / "lsip-wnycc" / "job_postings_by_specialized_skill.csv"
LSIP_LABELS = ROOT / "tests" / "data" / "lsip_job_tag_labels.csv"
#: ESCO downloads (read from ../shared at run time with --esco; nothing of ESCO is in the project).
ESCO_DIR = ROOT.parent / "shared" / "reference" / "esco-1.2.0"
#: The model the last ``--fit`` produced (read by the test that checks the stored model).
LAST_FIT: EvidenceModel | None = None
SWEEP = (30.0, 40.0, 50.0, 60.0, 70.0, 75.0, 80.0, 85.0, 88.0, 90.0, 95.0, 99.0)


def lsip_labelled(
    tags: Path = LSIP_TAGS, labels: Path = LSIP_LABELS, half: str = "all"
) -> pd.DataFrame:
    """The real job-ad tags with our labels (``confidence == high`` only), as a labelled set.

    ``half`` splits the tags by their hash: ``dev`` (first hex digit 0–7) was looked at while
    developing the matcher, ``test`` (8–f) was not.
    """
    found = pd.read_csv(tags, dtype=str, keep_default_na=False)["Thing"].str.strip().unique()
    keyed = pd.read_csv(labels, dtype=str, keep_default_na=False).set_index("tag_sha1")
    sha = [hashlib.sha1(tag.encode()).hexdigest() for tag in found]
    frame = pd.DataFrame({"phrase": found, "tag_sha1": sha}).join(keyed, on="tag_sha1")
    frame = frame.loc[frame["confidence"] == "high"]
    if half != "all":
        in_dev = frame["tag_sha1"].str[0].isin(list("01234567"))
        frame = frame.loc[in_dev if half == "dev" else ~in_dev]
    return frame.assign(language="en", note="job tag")[["phrase", "language", "skill_id", "note"]]


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
        "--lsip",
        choices=("dev", "test", "all"),
        help="score the real LSIP job-ad tags (needs ../shared) instead of --labelled: the half "
        "used while developing the matcher (dev), the half kept unseen (test), or all",
    )
    parser.add_argument(
        "--fit",
        type=Path,
        nargs="+",
        metavar="FILE",
        help="refit the confidence model on these labelled files (lsip-dev: the dev half of the "
        "real job-ad tags), print it and evaluate with it",
    )
    parser.add_argument(
        "--lsip-weight",
        type=float,
        default=0.3,
        help="weight of each lsip-dev phrase in --fit (the tags are mostly outside the taxonomy)",
    )
    parser.add_argument(
        "--esco",
        type=Path,
        nargs="?",
        const=ESCO_DIR,
        metavar="DIR",
        help="add the ESCO labels of each skill's linked concept (skills.esco_labels) from DIR "
        "(default ../shared/reference/esco-1.2.0) to the matcher",
    )
    parser.add_argument(
        "--esco-as",
        choices=("exact", "aliases"),
        default="exact",
        help="with --esco: the labels as exact names only (default) or as aliases (also fuzzy evidence)",
    )
    parser.add_argument(
        "--esco-narrower",
        action="store_true",
        help="with --esco, also the preferred labels of the linked concepts' narrower concepts",
    )
    parser.add_argument(
        "--errors",
        action="store_true",
        help="also list wrong and missed phrases at the default threshold",
    )
    args = parser.parse_args(argv)

    if (args.lsip or "lsip-dev" in map(str, args.fit or ())) and not LSIP_TAGS.exists():
        print(f"{LSIP_TAGS} not found: the shared reference data is not beside this checkout")
        return 2
    if args.lsip:
        labelled = lsip_labelled(half=args.lsip)
    else:
        labelled = pd.read_csv(args.labelled, dtype=str, keep_default_na=False)
    taxonomy = load_taxonomy()
    extra: dict[str, str] = {}
    if args.esco is not None:
        from skills.esco_labels import esco_names, load_esco_labels, with_esco_aliases

        esco = load_esco_labels(args.esco)
        if esco is None:
            print(f"no ESCO skill files in {args.esco}")
            return 2
        extra = esco_names(taxonomy, esco, narrower=args.esco_narrower)
        print(f"ESCO labels from {', '.join(esco.files)}: {len(extra)} names added ({args.esco_as})")
        if args.esco_as == "aliases":
            taxonomy = with_esco_aliases(taxonomy, esco, narrower=args.esco_narrower).set_index("skill_id")
            extra = {}
    threshold = load_settings().mapping_threshold
    started = time.perf_counter()
    matcher = Matcher.from_taxonomy(taxonomy, threshold=threshold, exact_names=extra)
    built = time.perf_counter()
    if args.fit:
        sets = [
            lsip_labelled(half="dev").assign(weight=args.lsip_weight)
            if str(path) == "lsip-dev"
            else pd.read_csv(path, dtype=str, keep_default_na=False).assign(weight=1.0)
            for path in args.fit
        ]
        training = pd.concat(sets)
        phrases, weights = [], []
        for phrase, skill_id, weight in zip(
            training["phrase"], training["skill_id"], training["weight"], strict=True
        ):
            _, candidates = match_with_candidates(phrase, matcher)
            if not candidates:  # decided by an exact name, or nothing resembles it
                continue
            phrases.append([(features, skill == skill_id) for _, skill, features, _, _ in candidates])
            weights.append(weight)
        model = fit_evidence_model(phrases, sample_weight=weights)
        global LAST_FIT
        LAST_FIT = model
        print(
            f"confidence model fitted on {len(phrases)} phrases:\n"
            f"  fitted: {model}\n  stored: {matcher.evidence_model}\n"
        )
        matcher = Matcher.from_taxonomy(taxonomy, threshold=threshold, exact_names=extra)
        matcher.evidence_model = model
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
    if results["note"].nunique() <= 8:  # a set whose note names the phrase's source
        for (note, language), group in results.groupby(["note", "language"]):
            rows.append({"subset": f"{note}, {language}", **score(group, threshold)})
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
