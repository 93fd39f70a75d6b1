"""Reports for analysts: the catalogue, summary tables, exports, small-cell suppression, pseudonyms.

May import: db, trainer.errors, trainer.registry (reference, names), trainer.accounts.
"""
