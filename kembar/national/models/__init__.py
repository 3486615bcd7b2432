"""The ministry's view of every region: summaries and the record of reports sent.

Dependency direction: ``national`` sits on top, beside ``insights``; it imports
``geo``, ``accounts``, ``partnerships``, ``programs`` and ``insights``, and
nothing imports it.  The data apps do not know the summaries exist: they are
kept in step through signals (:mod:`kembar.national.triggers`), a nightly
refresh and ``manage.py national_refresh``.
"""

from kembar.national.models.reports import ReportSubmission
from kembar.national.models.summaries import RegionSummary, RegionYearSummary

__all__ = ["RegionSummary", "RegionYearSummary", "ReportSubmission"]
