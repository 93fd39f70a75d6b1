"""Deterministic demo data at default, quick and full scale, loaded in bulk.

May import anything in trainer except trainer.commands; never screens.
"""
