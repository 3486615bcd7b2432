"""``manage.py network_recommend``: new partners for cities, from a links file only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kembar.analytics.exceptions import InvalidInput, UnknownNode
from kembar.analytics.network import City, city_label
from kembar.analytics.recommend import Recommendation, Recommender
from kembar.insights.network_sources import LinksFile, LinksFileError, read_city_list, read_links


class NetworkCommand(BaseCommand):
    """What the network commands share: translated help and reading the links file."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # argparse needs plain strings: resolve the lazy help in the active language.
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def load_links(self, path: Path) -> LinksFile:
        """Read ``path``, report its bad rows on stderr; refuse an unusable file."""
        try:
            links = read_links(path)
        except LinksFileError as exc:
            raise CommandError(_("Links file refused: %(error)s") % {"error": exc}) from exc
        for problem in links.problems:
            self.stderr.write(f"{path}: {problem}")
        if links.problems:
            skipped = len({problem.line for problem in links.problems})
            self.stderr.write(
                _("%(path)s: %(count)d bad row(s) skipped, %(good)d link(s) used")
                % {"path": path, "count": skipped, "good": len(links.links)}
            )
        if not links.links:
            raise CommandError(_("%(path)s holds no usable link") % {"path": path})
        return links


class Command(NetworkCommand):
    help = cast(
        str,
        gettext_lazy(
            "Recommend new partner cities for one or more cities, using only the twin-city links "
            "of the given file; each recommendation is scored and explained."
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
            "--city",
            action="append",
            default=[],
            help=_('a city as "Name, Country"; repeat for several'),
        )
        parser.add_argument(
            "--cities-file",
            type=Path,
            help=_('text or CSV file with one "Name, Country" per line'),
        )
        parser.add_argument(
            "-k",
            "--top",
            dest="k",
            type=int,
            default=10,
            help=_("how many partners to recommend per city (default 10)"),
        )
        parser.add_argument(
            "--format",
            choices=["json", "table"],
            default="json",
            help=_("output format (default json)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        queries: list[str] = list(options["city"])
        if options["cities_file"] is not None:
            try:
                queries.extend(read_city_list(options["cities_file"]))
            except LinksFileError as exc:
                raise CommandError(str(exc)) from exc
        if not queries:
            raise CommandError(_("Give at least one --city or a --cities-file."))
        if options["k"] < 1:
            raise CommandError(_("-k must be at least 1."))
        graph = self.load_links(options["links"]).graph()
        recommender = Recommender(graph)
        cities: list[City] = []
        unknown: list[str] = []
        for query in queries:
            try:
                cities.append(recommender.find(query))
            except UnknownNode as exc:
                unknown.append(str(exc))
        if unknown:
            raise CommandError("\n".join(unknown))
        result: dict[str, list[Recommendation]] = {}
        for city in dict.fromkeys(cities):
            try:
                result[city_label(city)] = recommender.recommend(city, k=options["k"])
            except InvalidInput as exc:  # pragma: no cover - find() already checked the city
                raise CommandError(str(exc)) from exc
        if options["format"] == "table":
            self._table(result)
            return
        payload = {
            label: [
                {
                    "city": item.city,
                    "country": item.country,
                    "score": round(item.score, 6),
                    "explanation": item.explanation,
                }
                for item in items
            ]
            for label, items in result.items()
        }
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))

    def _table(self, result: dict[str, list[Recommendation]]) -> None:
        for label, items in result.items():
            self.stdout.write(label)
            for rank, item in enumerate(items, start=1):
                self.stdout.write(
                    f"  {rank:>2}. {city_label(item.node)}  {item.score:.3f}  {item.explanation}"
                )
