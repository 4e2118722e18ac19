"""Real services for the test suite: an Elasticsearch node and a PostgreSQL server.

Both are started by the suite itself (no Docker), as a non-root user when the suite runs as root,
on 127.0.0.1 and free ports, with their data in a temporary folder, and stopped at the end.
"""
