"""``spillwatch scan``: exit codes, JSON shape, readable report, --min-severity, recursion."""

from __future__ import annotations

import json

import pytest

from core.models import Finding
from spillwatch.cli import main
from tests.matcher import synthetic as syn


def _write(folder, name, data):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_nothing_found_exits_0(tmp_path, capsys):
    path = _write(tmp_path, "agg.csv", syn.to_csv(syn.country_aggregate(1)))
    assert main(["scan", str(path)]) == 0
    assert capsys.readouterr().out == f"{path} [text/csv]: nothing found\n"


def test_found_exits_1_and_json_has_the_design_shape(tmp_path, capsys):
    path = _write(tmp_path, "sub/dir/people.xlsx",
                  syn.to_xlsx([("People", syn.english_table(syn.people(15, 51)), "visible")]))
    _write(tmp_path, "agg.csv", syn.to_csv(syn.country_aggregate(1)))
    assert main(["scan", "--json", str(tmp_path)]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [sorted(line) for line in lines] == [["errors", "findings", "media_type", "path"]] * 2
    assert [line["path"] for line in lines] == [str(tmp_path / "agg.csv"), str(path)]
    finding = lines[1]["findings"][0]
    assert sorted(finding) == ["columns", "kind", "locator", "reasons", "rows", "sample", "score", "severity"]
    assert Finding.from_dict(finding).to_dict() == finding
    assert finding["rows"] == 15 and finding["severity"] == "critical"


def test_min_severity_filters(tmp_path, capsys):
    path = _write(tmp_path, "staff.csv", syn.to_csv(syn.staff_directory(syn.people(10, 52))))
    assert main(["scan", "--min-severity", "medium", str(path)]) == 0
    assert main(["scan", "--min-severity", "low", str(path)]) == 1
    out = capsys.readouterr().out
    assert "LOW person_table at table: 10 rows" in out


def test_error_exits_2(tmp_path, capsys):
    assert main(["scan", str(tmp_path / "missing.csv")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


def test_bad_severity_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["scan", "--min-severity", "urgent", str(tmp_path)])
    assert exc.value.code == 2
    assert "unknown severity" in capsys.readouterr().err


def test_explain_says_what_rows_describe_and_why(tmp_path, capsys):
    dogs = [["Name", "Species", "Breed", "Sex", "Birth year"]] + [
        [name, "Dog", "Beagle", sex, str(2010 + i)] for i, (name, sex) in
        enumerate([("Bella", "F"), ("Max", "M"), ("Luna", "F"), ("Charlie", "M"), ("Daisy", "F")])]
    path = _write(tmp_path, "dogs.csv", syn.to_csv(dogs))
    assert main(["scan", "--explain", str(path)]) == 0
    out = capsys.readouterr().out
    assert "nothing found" in out and "rows describe: animal" in out
    assert "'Species', 'Breed'" in out and "Bella" not in out  # headers quoted, never cell values
    assert main(["scan", "--explain", "--json", str(path)]) == 0
    (explained,) = json.loads(capsys.readouterr().out)["explain"]
    assert explained["entity"] == "animal" and explained["person_table"] is False
    assert any("animal words" in line for line in explained["against"])


def test_explain_lists_the_signals_for_a_roster(tmp_path, capsys):
    path = _write(tmp_path, "people.csv", syn.to_csv(syn.english_table(syn.people(12, 53))))
    assert main(["scan", "--explain", "--json", str(path)]) == 1
    (explained,) = json.loads(capsys.readouterr().out)["explain"]
    assert explained["entity"] == "person" and explained["person_table"] is True
    assert explained["for"] and explained["against"] == []
