"""Deterministic demo data at default, quick and full scale, loaded in bulk.

May import: db, trainer.errors, trainer.accounts, trainer.registry, trainer.training,
trainer.certification, trainer.reporting; never trainer.commands or screens.
"""
