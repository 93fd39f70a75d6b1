"""Files from the field: roster reading, checking and import, held rows and merges, instructors' result sheets.

May import: db, trainer.errors, trainer.accounts, trainer.registry, trainer.training, trainer.reporting.summary.
"""
