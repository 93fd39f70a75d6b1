"""The command palette jumps to a trainee (either script, ID, service no.) or a cohort."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette

from screens.cohorts import CohortsScreen
from screens.commands import lookup
from screens.trainees import TraineesScreen
from tests import clerk_data as make
from tests.tui.conftest import SIZE, new_app, settle, sign_in
from trainer.accounts.access import SYSTEM


async def palette_hits(pilot, typed: str, want: str) -> list[str]:
    """Open the palette, type, and wait (bounded, no fixed sleep) for a hit containing `want`."""
    await pilot.press("ctrl+p")
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*typed)
    prompts: list[str] = []
    for _ in range(400):
        await pilot.pause(0.01)
        options = pilot.app.screen.query_one(CommandList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        if any(want in p for p in prompts):
            break
    return prompts


def test_lookup_finds_trainees_cohorts_in_either_script(admin_url):
    make.centre()
    make.course()
    cohort = make.cohort()
    person = make.trainee("محمد", "جاسم", "عباس", given_name_latin="Mohammed", service_number="SN-4411")
    for typed in ("mohamed", "محمد", "sn-4411"):
        assert [t.key for t in lookup(SYSTEM, typed) if t.kind == "trainee"] == [person.id], typed
    assert [t.key for t in lookup(SYSTEM, "mosul-1") if t.kind == "cohort"] == [cohort.id]


async def test_palette_jumps_to_a_trainee_and_to_a_cohort(admin_url):
    make.centre()
    make.course()
    cohort = make.cohort()
    make.trainee("عمر", "خالد", "سعيد")
    person = make.trainee("محمد", "جاسم", "عباس", given_name_latin="Mohammed", national_id="19900101001")
    app = new_app(admin_url)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("c")
        await settle(pilot)
        prompts = await palette_hits(pilot, "muhammad", "Trainee")
        assert any("Trainee" in p for p in prompts)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TraineesScreen)
        assert app.screen.query_one("#search").value == "19900101001"
        assert "Mohammed" in app.screen.query_one("#trainee-detail").plain
        prompts = await palette_hits(pilot, cohort.code[:12].lower(), "Cohort")
        assert any(cohort.code in p for p in prompts)
        # Move to the cohort hit (trainee hits would rank first if any matched).
        index = next(i for i, p in enumerate(prompts) if cohort.code in p)
        await pilot.press(*(["down"] * index), "enter")
        await settle(pilot)
        assert isinstance(app.screen, CohortsScreen) and app.screen.cohort.id == cohort.id
    assert person.id
