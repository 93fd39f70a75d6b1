"""Person-level export of the registry: pseudonymised unless a role that may identify asks for names.

National IDs and names leave only with `identified=True` *and* the role's
"trainee.identify" permission; asking without the permission is refused,
never quietly downgraded. Every export is an audit event.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peewee import JOIN

from db import models
from db.connection import database
from db.dialect import dialect
from trainer.accounts import audit
from trainer.accounts.access import Actor
from trainer.errors import PermissionDenied, TrainerError
from trainer.reporting import exports
from trainer.reporting.pseudonyms import Pseudonymiser

TRAINEE_FORMATS = ("csv", "xlsx", "json", "ndjson")
PSEUDONYMOUS = (
    "pseudonym",
    "force",
    "province",
    "gender",
    "birth_year",
    "rank",
    "status",
    "first_trained_on",
    "ilp_competency_on",
)
IDENTIFIED = (
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "latin_name",
    "date_of_birth",
    "national_id",
    "service_number",
    "phone",
)


@dataclass(frozen=True)
class ExportDone:
    path: str
    format: str
    rows: int
    identified: bool
    notes: tuple[str, ...] = ()


def _may_export(actor: Actor) -> None:
    if not (actor.may("report.run") or actor.may("trainee.read")):
        raise PermissionDenied(f"{actor.username} ({actor.role}) may not export trainees")


def export_trainees(
    actor: Actor, fmt: str, path: Path | str, *, identified: bool = False, progress: exports.Progress | None = None
) -> ExportDone:
    _may_export(actor)
    if identified and not actor.may("trainee.identify"):
        raise PermissionDenied(f"{actor.username} ({actor.role}) may not export names or national IDs")
    if fmt not in TRAINEE_FORMATS:
        raise TrainerError(f"trainee exports are {', '.join(TRAINEE_FORMATS)}, not {fmt!r}")
    exports.check_extension(fmt, path)
    if actor.session_id is not None:
        from trainer.accounts.access import check_session

        check_session(actor)
    tokens = Pseudonymiser()
    T, PS = models.Trainee, models.PersonSummary
    columns = PSEUDONYMOUS + (IDENTIFIED if identified else ())
    with database.connection_context():
        from trainer.reporting.summary import ensure_built

        ensure_built()
        live = T.status != "merged"
        total = PS.select().count()  # for progress only: one row per live person
        fields = [T.uuid, T.force, T.province, T.gender, T.date_of_birth, T.rank, T.status, PS.trained_on, PS.ilp_on]
        if identified:
            fields += [
                T.given_name,
                T.father_name,
                T.grandfather_name,
                T.family_name,
                T.given_name_latin,
                T.father_name_latin,
                T.grandfather_name_latin,
                T.family_name_latin,
                T.national_id,
                T.service_number,
                T.phone,
            ]
        query = (
            T.select(*fields).join(PS, on=(PS.trainee == T.id), join_type=JOIN.LEFT_OUTER).where(live).order_by(T.id)
        )
        sql, args = query.sql()

        def rows() -> Iterator[list[Any]]:
            # Raw cursor rows: peewee's per-field conversion costs more than the whole CSV writing.
            # SQLite hands dates over as ISO text: CSV and JSON keep it, XLSX gets real dates.
            token = tokens.token
            real_dates = fmt == "xlsx"
            for chunk in dialect().stream(sql, args):
                for r in chunk:
                    dob = r[4]
                    trained, ilp = r[7], r[8]
                    if real_dates:
                        dob, trained, ilp = _date(dob), _date(trained), _date(ilp)
                    out = [token(r[0]), r[1], r[2], r[3], int(str(dob)[:4]) if dob else None, r[5], r[6], trained, ilp]
                    if identified:
                        latin = " ".join(x for x in r[13:17] if x)
                        out += [r[9], r[10], r[11], r[12], latin, dob, r[17] or "", r[18] or "", r[19] or ""]
                    yield out

        notes = (
            ("Identified export: names and national IDs. Keep it within the ministry.",)
            if identified
            else ("Pseudonymised: persons appear as keyed tokens (HMAC), stable for this site's key.",)
        )
        if fmt == "xlsx":
            n = exports.write_xlsx(
                path,
                columns,
                rows(),
                title="Trainees",
                notes=[("Note", x) for x in notes],
                progress=progress,
                total=total,
            )
        else:
            if fmt == "csv":
                n = exports.write_csv(path, columns, rows(), progress=progress, total=total)
            else:
                n = exports.write_json(path, columns, rows(), progress=progress, total=total, lines=fmt == "ndjson")
            meta = {
                "export": "trainees",
                "format": fmt,
                "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "identified": identified,
                "notes": list(notes),
                "columns": list(columns),
                "rows": n,
            }
            sidecar = Path(path).with_name(Path(path).name + "-metadata.json")
            sidecar.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        with database.atomic():
            audit.record(actor, "export", "trainee", "", rows=n, format=fmt, identified=identified)
    return ExportDone(str(path), fmt, n, identified, notes)


def _date(value: datetime.date | str | None) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value[:10])
