from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from kembar.programs.models import ParticipantCount, ParticipantRollup
from kembar.programs.tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def test_check_finds_a_stale_summary_and_rebuild_mends_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    activity = ActivityFactory.create(participants_local=4)
    # Written behind the services' back, so the summary does not know it yet.
    ParticipantCount.objects.create(
        activity=activity, side="local", group="media", gender="female", age_band="15-24", count=4
    )
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("reach_rollup", "--check")
    assert str(caught.value) == "4 summary rows differ from the counts; run reach_rollup."

    with translation.override("en"):
        call_command("reach_rollup")
        call_command("reach_rollup", "--check")
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "Summary rebuilt: 4 rows.",
        "The summary agrees with the participant counts.",
    ]
    assert sorted(
        ParticipantRollup.objects.values_list("dimension", "category", "participants")
    ) == [
        ("age_band", "15-24", 4),
        ("district", "", 4),
        ("gender", "female", 4),
        ("group", "media", 4),
    ]
