"""The council report's "Learning" section: the learning measures of the year.

The figures are those of the staff dashboard (:mod:`kembar.knowledge.measures`)
under the report's public rules: only the public partnerships' activities,
real ones (no demonstration records), and only the policies the cooperation
office made public after review.  Lessons and reflections appear only as
counts, shares and days, never with their text.  "Still due" is judged on
31 December of the year, so the same record gives the same report.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kembar.geo.models import Region
from kembar.knowledge.measures import learning_figures, learning_tables
from kembar.partnerships.models import Partnership
from kembar.reports.content import Section, Table

__all__ = ["learning_section"]

#: The dashboard's tables the report shows, and whether each gets bars.
REPORT_TABLES = {
    "summary": False,
    "reflections": True,
    "outcomes": True,
    "policies_partnership": True,
    "policies_sector": True,
}


def learning_section(region: Region, year: int, partnerships: QuerySet[Partnership]) -> Section:
    """Lessons per activity, reflections, days to review, lessons applied, policies adopted."""
    figures = learning_figures(
        region_id=region.kode,
        year=year,
        today=dt.date(year, 12, 31),
        demo=False,
        partnerships=partnerships,
        public_policies=True,
    )
    tables = tuple(
        Table(
            key=f"learning_{table.key}",
            title=table.title,
            columns=table.columns,
            rows=table.rows,
            chart=REPORT_TABLES[table.key],
        )
        for table in learning_tables(figures)
        if table.key in REPORT_TABLES
    )
    return Section(
        key="learning",
        title=_("Learning"),
        paragraphs=(
            _(
                "What the cooperation taught the city: lessons drawn from the activities "
                "completed in %(year)s, the agencies' reflections on them (due within 30 days "
                "of the end, judged on 31 December), lessons applied, and the policies adopted "
                "in %(year)s that were made public after review."
            )
            % {"year": year},
        ),
        tables=tables,
    )
