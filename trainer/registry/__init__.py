"""The registry of persons: trainees, their names and how they match, vetting, reference data, centres.

May import: db, trainer.errors, trainer.accounts (access, audit, settings), trainer.reporting.summary.
"""
