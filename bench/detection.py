"""Precision and recall of ``person_table`` detection, next to a plain header-regex baseline.

Two corpora: the labelled real tables in ``../shared/corpus/real`` (``labels.tsv``; read in place,
never copied) and the project's synthetic cases (``tests/matcher/synthetic.py``: every format,
several languages, hard negatives).  A file counts as positive when the matcher reports at least
one ``person_table`` finding in it.  The baseline sees the same extracted tables and flags a table
whose header matches a personal-data regex, the way header-regex scanners work.

    .venv/bin/python bench/detection.py [--corpus ../shared/corpus/real] [-v]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.models import FindingKind  # noqa: E402
from matcher.scan import ScanResult, scan_bytes, scan_file  # noqa: E402

BASELINE = re.compile(
    r"name|nombre|nom\b|nome|dob|birth|naissance|nacimiento|nascimento|ssn|social|passport|pasaporte|"
    r"e-?mail|phone|tel[eé]fono|address|direcci[oó]n|adresse|\bage\b|edad|\bsex\b|gender|nationality|"
    r"nacionalidad|citizenship|\ba[-_ ]?num",
    re.IGNORECASE,
)


@dataclass
class Outcome:
    name: str
    truth: bool
    matcher: bool
    baseline: bool


def baseline_positive(result: ScanResult) -> bool:
    return any(any(BASELINE.search(h) for h in table.header) for table in result.tables)


def matcher_positive(result: ScanResult) -> bool:
    return any(f.kind == FindingKind.person_table for f in result.findings)


def real_outcomes(corpus: Path) -> list[Outcome]:
    out = []
    with open(corpus / "labels.tsv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            result = scan_file(corpus / row["file"])
            if result.errors:
                print(f"  error: {result.errors}")
            out.append(Outcome(row["file"], row["label"] == "POS", matcher_positive(result), baseline_positive(result)))
    return out


def synthetic_outcomes() -> list[Outcome]:
    from tests.matcher.synthetic import corpus

    out = []
    for case in corpus():
        result = scan_bytes(case.data, case.filename)
        out.append(Outcome(case.name, case.person, matcher_positive(result), baseline_positive(result)))
    return out


def scores(pairs: Iterable[tuple[bool, bool]]) -> tuple[int, int, int, int, float, float]:
    tp = fp = fn = tn = 0
    for truth, predicted in pairs:
        tp += truth and predicted
        fp += (not truth) and predicted
        fn += truth and not predicted
        tn += (not truth) and not predicted
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return tp, fp, fn, tn, precision, recall


def report(title: str, outcomes: list[Outcome], verbose: bool) -> None:
    positives = sum(o.truth for o in outcomes)
    print(f"\n{title}: {len(outcomes)} files ({positives} POS, {len(outcomes) - positives} NEG)")
    print(f"  {'detector':22s} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4} {'precision':>10} {'recall':>8}")
    for label, attribute in (("spillwatch matcher", "matcher"), ("header-regex baseline", "baseline")):
        tp, fp, fn, tn, precision, recall = scores((o.truth, getattr(o, attribute)) for o in outcomes)
        print(f"  {label:22s} {tp:4d} {fp:4d} {fn:4d} {tn:4d} {precision:10.3f} {recall:8.3f}")
    wrong = [o for o in outcomes if o.truth != o.matcher]
    for o in wrong:
        print(f"  matcher {'missed' if o.truth else 'false positive'}: {o.name}")
    if verbose:
        for o in outcomes:
            if o.truth != o.baseline:
                print(f"  baseline {'missed' if o.truth else 'false positive'}: {o.name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus" / "real"),
                        help="labelled corpus folder with labels.tsv (default ../shared/corpus/real)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list the baseline's mistakes")
    args = parser.parse_args()
    started = time.perf_counter()
    corpus = Path(args.corpus)
    if (corpus / "labels.tsv").exists():
        report(f"real corpus {corpus}", real_outcomes(corpus), args.verbose)
    else:
        print(f"no labels.tsv in {corpus}; pass --corpus")
    report("synthetic corpus (tests/matcher/synthetic.py)", synthetic_outcomes(), args.verbose)
    print(f"\n{time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
