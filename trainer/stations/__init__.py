"""Police in a Box: stations and border posts, station kits, postings of graduates, readiness.

Layering: this package may import `db`, `trainer.errors`, `trainer.accounts`
(access, audit, settings), `trainer.registry.reference`,
`trainer.rosters.reading` (a personnel list is read like a roster) and
`trainer.reporting.summary` (readiness reads the person summaries, built on
first use); never `textual` or `screens`. The reports built on it live in
trainer/reporting/ (box_status, readiness, deployment); users' guide:
docs/stations.md.
"""
