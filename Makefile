# The two commands of the README's quick start, plus helpers. Each sets up what it needs first.
.PHONY: demo test lint clean

demo:
	@scripts/setup.sh
	.venv/bin/spillwatch demo

test:
	@scripts/setup.sh --test
	.venv/bin/python -m pytest

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy

clean:
	rm -rf .venv .services spillwatch-data .pytest_cache .ruff_cache .mypy_cache
