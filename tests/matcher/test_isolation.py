"""The capped worker process: a stalled scan times out, a memory-hungry one fails cleanly, and
the next file is scanned by a fresh worker."""

from __future__ import annotations

from matcher.isolation import IsolatedScanner
from tests.matcher import synthetic as syn


def test_results_come_back_from_the_worker(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(syn.to_csv(syn.ice_table(syn.people(10, 71))))
    with IsolatedScanner() as scanner:
        result = scanner.scan_file(path)
        assert result.errors == [] and result.findings[0].rows == 10
        assert scanner.scan_bytes(syn.to_csv(syn.country_aggregate(1)), "agg.csv").findings == []


def test_timeout_kills_the_worker_and_the_next_file_is_scanned(tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(syn.to_csv(syn.ice_table(syn.people(20, 72))) * 3000)
    small = tmp_path / "small.csv"
    small.write_bytes(syn.to_csv(syn.ice_table(syn.people(10, 73))))
    with IsolatedScanner(timeout_seconds=0.05) as scanner:
        result = scanner.scan_file(big)
        assert result.errors == [f"{big}: not scanned within 0 s; the file may be built to stall parsers. "
                                 "Raise the timeout to try again"]
        scanner.timeout = 60
        assert scanner.scan_file(small).findings


def test_memory_cap_gives_an_error_not_a_crash(tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(syn.to_xlsx([("P", syn.english_table(syn.people(3000, 74)), "visible")]))
    with IsolatedScanner(memory_bytes=120 * 1024**2) as scanner:
        result = scanner.scan_file(path)
        assert result.findings == []
        assert len(result.errors) == 1 and str(path) in result.errors[0]
        assert "memory" in result.errors[0]
