"""``manage.py network_evaluate``: how well partner recommendation predicts hidden links."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kembar.analytics.exceptions import InvalidInput
from kembar.analytics.recommend import METHODS, Evaluation, evaluate_recommenders
from kembar.common.tabular import csv_writer
from kembar.insights.management.commands.network_recommend import NetworkCommand

METRICS = ("precision_at_10", "recall_at_50", "map", "auc")


def evaluation_payload(evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation as the JSON object the command prints."""
    return {
        "protocol": {
            "holdout": evaluation.holdout,
            "seed": evaluation.seed,
            "links": evaluation.links,
            "hidden": evaluation.hidden,
            "cities_evaluated": evaluation.cities,
            "auc_samples": evaluation.auc_samples,
            "map_cutoff": 50,
        },
        "methods": {
            method: {
                metric: round(getattr(evaluation.methods[method], metric), 6) for metric in METRICS
            }
            for method in METHODS
        },
    }


class Command(NetworkCommand):
    help = cast(
        str,
        gettext_lazy(
            "Hide a share of the links of a file at random, recommend partners from the rest, and "
            "report precision@10, recall@50, MAP and AUC for Kembar's recommender and the random, "
            "popularity and Adamic-Adar baselines."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--links",
            type=Path,
            required=True,
            help=_(
                "CSV file of links with the columns city1,country1,lat1,lng1,city2,country2,"
                "lat2,lng2"
            ),
        )
        parser.add_argument(
            "--holdout",
            type=float,
            default=0.1,
            help=_("share of the links to hide, between 0 and 1 (default 0.1)"),
        )
        parser.add_argument("--seed", type=int, default=42, help=_("random seed (default 42)"))
        parser.add_argument(
            "--auc-samples",
            type=int,
            default=10_000,
            help=_("comparisons in the sampled AUC (default 10000)"),
        )
        parser.add_argument(
            "--format",
            choices=["json", "csv", "table"],
            default="json",
            help=_("output format (default json)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        graph = self.load_links(options["links"]).graph()
        try:
            evaluation = evaluate_recommenders(
                graph,
                holdout=options["holdout"],
                seed=options["seed"],
                auc_samples=options["auc_samples"],
            )
        except InvalidInput as exc:
            raise CommandError(str(exc)) from exc
        payload = evaluation_payload(evaluation)
        if options["format"] == "json":
            self.stdout.write(json.dumps(payload, indent=2))
            return
        rows = [[method, *payload["methods"][method].values()] for method in METHODS]
        if options["format"] == "csv":
            buffer = io.StringIO()
            writer = csv_writer(buffer, lineterminator="\n")
            writer.writerow(["method", *METRICS])
            writer.writerows(rows)
            self.stdout.write(buffer.getvalue(), ending="")
            return
        protocol = payload["protocol"]
        self.stdout.write(
            f"holdout {protocol['holdout']}, seed {protocol['seed']}: {protocol['hidden']} of "
            f"{protocol['links']} links hidden, {protocol['cities_evaluated']} cities evaluated"
        )
        self.stdout.write("| method | precision@10 | recall@50 | MAP | AUC |")
        self.stdout.write("|---|---|---|---|---|")
        for method, *values in rows:
            self.stdout.write(f"| {method} | " + " | ".join(f"{v:.4f}" for v in values) + " |")
