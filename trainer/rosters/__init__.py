"""Files from the field: roster reading and import, held rows and merges, instructors' result sheets.

May import: db, trainer.errors, trainer.registry, trainer.training, trainer.accounts, trainer.reporting.summary.
"""
