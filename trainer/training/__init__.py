"""Training: the course catalogue, cohorts, enrolment and its gates, sessions, attendance, results,
pass rules and graduation.

May import: db, trainer.errors, trainer.accounts, trainer.registry, trainer.reporting.summary.
"""
