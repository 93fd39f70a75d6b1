"""The permission matrix, tested: every service operation run as every role, on SQLite and PostgreSQL.

Each service operation is one row (rows_*.py, by theme): the PERMISSIONS key(s) that govern
it, and a representative call on a prepared world (world.py). A role in the key's set must
get past the gate (no PermissionDenied; a domain refusal such as a missing precondition still
counts as past it); any other role must get PermissionDenied. Rows with `scoped=True` also run
as a registrar of another centre and an instructor who does not teach the cohort, who must be
refused. test_coverage.py fails when a PERMISSIONS key, or a service function anywhere under
trainer/ that checks a permission, has no row: add one with the permission or the function.
"""
