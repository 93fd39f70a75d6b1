"""Many clerks at once: `make load` (tests/load/run.py)."""
