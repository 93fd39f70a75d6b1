"""Certificates: issue behind the gates, revoke, renew, signed payloads, PDF and Open Badges.

May import: db, trainer.errors, trainer.registry, trainer.training, trainer.accounts, trainer.reporting.summary.
"""
