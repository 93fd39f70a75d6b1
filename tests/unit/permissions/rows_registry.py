"""Rows of the permission matrix: people (trainees, their records, vetting, centres) and rosters
(imports, held rows and merges)."""

from __future__ import annotations

from tests.unit.permissions.world import D, Op, World, op, registered_here, trainee_input
from trainer.accounts.access import Actor


def rows() -> dict[str, Op]:
    from trainer.registry import centres, trainees, vetting_decisions
    from trainer.registry import detail as trainee_detail
    from trainer.rosters import imports, merges, vetting_sheets
    from trainer.rosters import result_sheets as results_import

    def trainee_update(w: World, a: Actor) -> object:
        t = trainees.get_trainee(w.actors["admin"], w.trainee_id)
        return trainees.update_trainee(a, t.id, t.version, trainees.with_changes(t, rank="Sergeant"))

    return {
        "registry.trainees.create_trainee": op(
            "trainee.write", lambda w, a: trainees.create_trainee(a, trainee_input(w))
        ),
        "registry.trainees.update_trainee": op("trainee.write", trainee_update, scoped=True),
        "registry.trainees.get_trainee": op(
            "trainee.read", lambda w, a: trainees.get_trainee(a, w.trainee_id), taught=True
        ),
        "registry.trainees.search": op("trainee.read", lambda w, a: trainees.search(a, "Ali")),
        "registry.trainees.page": op("trainee.read", lambda w, a: trainees.page(a, None, 0, 10)),
        "registry.trainees.count": op("trainee.read", lambda w, a: trainees.count(a)),
        "registry.trainees.open_list": op(
            "trainee.read", lambda w, a: trainees.open_list(a, trainees.TraineeFilters(), 10)
        ),
        "registry.detail.load": op("trainee.read", lambda w, a: trainee_detail.load(a, w.trainee_id), taught=True),
        "registry.detail.find_certificates": op(
            "trainee.read", lambda w, a: trainee_detail.find_certificates(a, "MOSUL")
        ),
        "registry.centres.list_centres": op("cohort.read", lambda w, a: centres.list_centres(a)),
        "registry.centres.create_centre": op(
            "reference.write", lambda w, a: centres.create_centre(a, "ERBIL", "Erbil", "IQ-AR")
        ),
        "registry.vetting_decisions.record_decision": op(
            "vetting.write",
            lambda w, a: vetting_decisions.record_decision(
                a, vetting_decisions.DecisionInput("LV-P", "approved", D(2025, 1, 2), trainee_id=w.trainee_id)
            ),
        ),
        "registry.vetting_decisions.record_batch": op(
            "vetting.write",
            lambda w, a: vetting_decisions.record_batch(
                a, vetting_decisions.DecisionInput("LV-P", "approved", D(2025, 1, 2)), [w.trainee_id]
            ),
        ),
        "registry.vetting_decisions.history": op(
            "trainee.read", lambda w, a: vetting_decisions.history(a, w.trainee_id)
        ),
        "registry.vetting_decisions.units": op("trainee.read", lambda w, a: vetting_decisions.units(a)),
        "rosters.result_sheets.import_results": op(
            "result.write", lambda w, a: results_import.import_results(a, w.results_sheet, w.cohort_code), scoped=True
        ),
        "rosters.imports.inspect": op("import.run", lambda w, a: imports.inspect(a, w.roster)),
        "rosters.imports.dry_run": op("import.run", lambda w, a: imports.dry_run(a, w.roster)),
        "rosters.imports.import_trainees": op("import.run", lambda w, a: imports.import_trainees(a, w.roster)),
        "rosters.merges.list_held": op("import.run", lambda w, a: merges.list_held(a)),
        "rosters.merges.count_held": op("import.run", lambda w, a: merges.count_held(a)),
        "rosters.merges.same_person": op(
            ("import.run", "trainee.write"), lambda w, a: merges.same_person(a, 0, 1, w.trainee_id)
        ),
        "rosters.merges.new_person": op(("import.run", "trainee.write"), lambda w, a: merges.new_person(a, 0, 1)),
        "rosters.merges.discard": op("import.run", lambda w, a: merges.discard(a, 0, 1)),
        "rosters.merges.merge_trainees": op(
            ("merge.run", "trainee.write"),
            lambda w, a: merges.merge_trainees(a, w.trainee_id, registered_here(w), reason="same man"),
            scoped=True,
        ),
        "rosters.merges.list_merges": op("trainee.read", lambda w, a: merges.list_merges(a)),
        "rosters.vetting_sheets.import_vetting": op(
            "vetting.write", lambda w, a: vetting_sheets.import_vetting(a, w.roster)
        ),
    }
