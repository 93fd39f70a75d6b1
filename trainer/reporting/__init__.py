"""Reports for analysts: the catalogue, summary tables, exports, small-cell suppression, pseudonyms.

May import: db, trainer.errors, trainer.accounts, trainer.registry.reference, trainer.registry.names,
trainer.registry.vetting. Never screens. The other packages import trainer.reporting.summary only.
"""
