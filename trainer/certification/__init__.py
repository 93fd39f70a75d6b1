"""Certificates: numbers, issue behind the gates, revoke, renew, look-ups, signed payloads, PDF and Open Badges.

May import: db, trainer.errors, trainer.accounts, trainer.sync, trainer.registry, trainer.training,
trainer.reporting.summary.
"""
