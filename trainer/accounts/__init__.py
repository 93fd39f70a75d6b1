"""Accounts: users and sign-in, the permission matrix, the audit trail, backups, site settings.

May import: db, trainer.errors (and, for backups, the reporting summary it rebuilds).
"""
