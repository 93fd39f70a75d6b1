"""Headline counts for the home screen."""
from __future__ import annotations

from dataclasses import dataclass

from db import models
from db.connection import database
from db.schema import status
from trainer.setup import backend


@dataclass(frozen=True)
class Overview:
    backend: str
    schema_version: int
    trainees: int
    courses: int
    cohorts: int
    certificates: int
    users: int


def overview() -> Overview:
    with database.connection_context():
        return Overview(
            backend=backend(), schema_version=status(database.obj).version,
            trainees=models.Trainee.select().count(), courses=models.Course.select().count(),
            cohorts=models.Cohort.select().count(), certificates=models.Certificate.select().count(),
            users=models.User.select().count())
