"""The password rule the first-run and user screens state: read before the database is opened
(the first-run screen can be the app's first, drawn before peewee is imported, docs/speed.md).
"""

from __future__ import annotations

MIN_PASSWORD = 8
