"""The package corpus of ``bench/detection.py``: where a package's data files are found and which
cross-validation source they belong to."""

from __future__ import annotations

import json
from pathlib import Path

from bench.detection import package_folder, package_outcomes, package_source


def test_one_source_per_data_set_across_registries() -> None:
    assert package_source("npm:vega-datasets") == package_source("vega_datasets") == "package:vega_datasets"
    assert package_source("great_tables") != package_source("plotnine")


def test_npm_package_found_in_a_node_modules_folder(tmp_path: Path) -> None:
    folder = tmp_path / "node_modules" / "some-data"
    folder.mkdir(parents=True)
    (folder / "package.json").write_text(json.dumps({"name": "some-data"}), encoding="utf-8")
    assert package_folder("npm:some-data", [tmp_path / "elsewhere", tmp_path / "node_modules"]) == folder
    assert package_folder("npm:other-data", [tmp_path / "node_modules"]) is None


def test_python_package_located_without_import() -> None:
    found = package_folder("matcher", [])
    assert found is not None and (found / "decide.py").exists()
    assert package_folder("no_such_package_here", []) is None


def test_labelled_npm_tables_are_scanned_where_npm_put_them(tmp_path: Path) -> None:
    folder = tmp_path / "node_modules" / "some-data"
    (folder / "data").mkdir(parents=True)
    (folder / "package.json").write_text("{}", encoding="utf-8")
    (folder / "data" / "people.csv").write_text(
        "name,email,date of birth\n" + "".join(
            f"{given} {family},{given.lower()}.{family.lower()}@example.org,19{60 + i}-0{1 + i % 9}-1{i}\n"
            for i, (given, family) in enumerate([("Maria", "Lopez"), ("John", "Carter"), ("Aisha", "Khan"),
                                                 ("Pierre", "Martin"), ("Sofia", "Rossi"), ("David", "Brown")])),
        encoding="utf-8")
    labels = tmp_path / "labels.tsv"
    labels.write_text("package\tpath\tlabel\treason\nnpm:some-data\tdata/people.csv\tPOS\tpeople\n"
                      "npm:missing-data\tdata/x.csv\tNEG\tnot installed\n", encoding="utf-8")
    outcomes = package_outcomes(labels, [tmp_path / "node_modules"])
    assert [(o.name, o.source, o.truth, o.matcher) for o in outcomes] == [
        ("npm:some-data/data/people.csv", "package:some_data", True, True)]
