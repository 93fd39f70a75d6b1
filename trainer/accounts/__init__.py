"""Accounts: users and sign-in, the permission matrix, the audit trail, keys kept outside the
database, backups, site settings.

May import: db, trainer.errors. Everything else builds on it (tests/unit/test_import_hygiene.py).
"""
