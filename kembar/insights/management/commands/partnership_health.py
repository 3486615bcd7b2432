"""``manage.py partnership_health``: state, warning and score of every partnership in a file.

The contract other parts rely on (issue 15): ``--events FILE --as-of YYYY-MM-DD
--format json`` reads a CSV file with the columns
``partnership_id,date,kind,direction`` and nothing else (no database), ignores
events dated after the as-of date, and prints ``{"as_of", "partnerships":
[{"id", "state", "warning_since", "score", "reciprocity", "components",
"explanation"}]}`` for every partnership with an event on or before it.  A bad
row stops the command with a message naming its line and column.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kembar.analytics.health import EventFileError, describe, health_arrays, read_events

PROBLEMS = {
    "header": gettext_lazy("the header must be partnership_id,date,kind,direction"),
    "columns": gettext_lazy("the row must have 4 columns"),
    "empty_id": gettext_lazy("the partnership id is empty"),
    "date": gettext_lazy("not a date YYYY, YYYY-MM or YYYY-MM-DD"),
    "kind": gettext_lazy("unknown kind"),
    "direction": gettext_lazy("the direction must be inbound, outbound or empty"),
}


def health_payload(path: Path, as_of: date) -> dict[str, Any]:
    """The command's JSON object for the events in ``path`` as of ``as_of``."""
    events = read_events(path)
    result = health_arrays(events, as_of)
    partnerships = []
    for i in result["present"].nonzero()[0]:
        record = describe(result, int(i), as_of).to_dict()
        partnerships.append(
            {
                "id": events.ids[i],
                "state": record["state"],
                "warning_since": record["warning_since"],
                "score": record["score"],
                "reciprocity": record["reciprocity"],
                "components": record["components"],
                "explanation": record["explanation"],
            }
        )
    return {"as_of": as_of.isoformat(), "partnerships": partnerships}


class Command(BaseCommand):
    help = cast(
        str,
        gettext_lazy(
            "Compute the health of every partnership in an events file as of a date: state "
            "(active, at_risk, dormant, ended), when the warning started, score 0-100 with its "
            "components, and reciprocity."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--events",
            type=Path,
            required=True,
            help=_("CSV file with the columns partnership_id,date,kind,direction"),
        )
        parser.add_argument("--as-of", required=True, help=_("the date, YYYY-MM-DD"))
        parser.add_argument(
            "--format", choices=["json"], default="json", help=_("output format (json)")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = date.fromisoformat(options["as_of"])
        except ValueError as exc:
            raise CommandError(
                _("--as-of must be a date YYYY-MM-DD, not %(value)r") % {"value": options["as_of"]}
            ) from exc
        try:
            payload = health_payload(options["events"], as_of)
        except OSError as exc:
            raise CommandError(
                _("cannot read %(path)s: %(error)s")
                % {"path": options["events"], "error": exc.strerror}
            ) from exc
        except EventFileError as exc:
            raise CommandError(
                _("%(path)s line %(line)d, column %(column)s: %(problem)s (%(value)r)")
                % {
                    "path": options["events"],
                    "line": exc.line,
                    "column": exc.column,
                    "problem": PROBLEMS[exc.problem],
                    "value": exc.value,
                }
            ) from exc
        self.stdout.write(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
