"""Spillwatch's ground floor: what every stage needs and nothing else.

Settings (``core.settings``), config file models (``core.config``), the dataclasses that cross packages
(``core.models``), errors, timestamps, logging set-up, the catalog schema and migrations
(``core.catalog``) and the egress guard (``core.egress``).  It imports no other package of the project;
``tests/core/test_floors.py`` keeps it that way (see docs/architecture.md).
"""

__version__ = "0.1.0"
