"""The registry of persons: trainees, their names and how they match, vetting, reference data, centres.

May import: db, trainer.errors, trainer.accounts, trainer.reporting.summary (kept current on every change).
"""
