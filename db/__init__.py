"""The database layer: models, the connection and its dialect, schema and migrations, the search index.

Imports nothing of trainer or screens (tests/unit/test_import_hygiene.py).
"""
