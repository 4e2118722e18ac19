"""The indexer: WARC/ARC files from any crawler into captures, versions, changes, links, findings
and search documents (see docs/indexer.md).

Entry points:

- :func:`indexer.pipeline.index_paths` — index files or folders; resumable and idempotent
  (the service loop and ``spillwatch index``);
- :func:`indexer.diffs.text_diff`, :func:`indexer.diffs.table_diff` — diffs between two captures,
  computed from the WARC records (the web UI);
- :func:`indexer.warc_reader.read_record_at` — the exact record of a capture (replay);
- :mod:`indexer.search` — the search backends (SQLite FTS5, Elasticsearch).
"""
