from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kembar.programs.demo import DemoError, demo_generate, demo_remove


class Command(BaseCommand):
    help = (
        "Fill demonstration activities (money, participants, results, trip reports) for the "
        "real partnerships of Kota Semarang, 2016–2026, reproducibly from --seed. Every record "
        "is marked as a demonstration (is_demo, reference DEMO-…, title [DEMO]). Running it "
        "again replaces the previous demonstration set; --remove deletes it and nothing else."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=1, help="the same seed gives the same records (default 1)"
        )
        parser.add_argument(
            "--region", default="33.74", help="Kemendagri code of the city (default 33.74)"
        )
        parser.add_argument(
            "--activities",
            type=int,
            default=None,
            metavar="M",
            help="exactly M activities, spread over the partnerships and years as the plans "
            "say (the same seed and M give the same records); default: the plans' own "
            "numbers (seed 1: 206)",
        )
        parser.add_argument(
            "--remove",
            action="store_true",
            help="delete all demonstration records (and their history) instead",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["remove"]:
            removed = demo_remove()
            self.stdout.write(f"Removed {removed} demonstration activities and all under them.")
            return
        try:
            summary = demo_generate(
                seed=options["seed"],
                local_region_id=options["region"],
                activities=options["activities"],
            )
        except DemoError as exc:
            raise CommandError(f"{exc} Nothing changed.") from exc
        if summary.removed:
            self.stdout.write(f"Replaced the previous {summary.removed} demonstration activities.")
        self.stdout.write(
            f"Demonstration set from seed {summary.seed}: {summary.activities} activities "
            f"({', '.join(f'{slug} {n}' for slug, n in summary.by_partnership.items())})."
        )
        self.stdout.write(
            f"  participants: {summary.participants_local} local, "
            f"{summary.participants_partner} partner people hosted, "
            f"in {summary.participant_rows} breakdown rows"
        )
        self.stdout.write(
            f"  budget lines: {summary.budget_lines}; contributions: {summary.contributions}"
        )
        self.stdout.write(
            f"  results: {summary.results} ({summary.indicator_periods} indicator periods, "
            f"{summary.disaggregations} disaggregated values)"
        )
        self.stdout.write(
            f"  trip reports: {summary.trip_reports} ({summary.travellers} traveller rows)"
        )
        self.stdout.write(f"  economic effects: {summary.economic_effects}")
