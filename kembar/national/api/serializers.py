"""Serializers of the national API: the query parameters and the documented answers.

The keys of an answer are a contract: a region is exactly ``kode``, ``name``,
``partnerships``, ``active``, ``dormant``, ``participants_per_10k`` and
``reported``; a flow exactly ``region``, ``country`` and ``partnerships``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kembar.common.api import NamedChoiceField
from kembar.geo.models import Region, RegionLevel
from kembar.national.periods import REPORT_STATUSES

LEVEL_CHOICES = [("province", _("provinces")), ("kab_kota", _("kabupaten and kota"))]


def _province(value: str) -> str:
    if not Region.objects.filter(kode=value, level=RegionLevel.PROVINCE).exists():
        raise serializers.ValidationError(_("No province has this code."))
    return value


class RegionQuerySerializer(serializers.Serializer[Any]):
    level = NamedChoiceField(
        LEVEL_CHOICES,
        enum_name="NationalLevelEnum",
        required=False,
        default="kab_kota",
        help_text=_("province, or kab_kota (kabupaten and kota; the default)."),
    )
    province = serializers.CharField(
        required=False,
        max_length=2,
        help_text=_(
            "Kemendagri code of a province, e.g. 33: its kabupaten and kota (or, with "
            "level=province, the province itself)."
        ),
    )
    year = serializers.IntegerField(
        required=False,
        min_value=1950,
        max_value=2100,
        help_text=_(
            "Figures of one year (states at its end, its activities and participants, its "
            "report); without it, the figures now."
        ),
    )

    def validate_province(self, value: str) -> str:
        return _province(value)


class FlowQuerySerializer(serializers.Serializer[Any]):
    level = NamedChoiceField(
        LEVEL_CHOICES,
        enum_name="NationalLevelEnum",
        required=False,
        help_text=_("province or kab_kota; without it, every regional government."),
    )
    province = serializers.CharField(
        required=False,
        max_length=2,
        help_text=_("Kemendagri code of a province: it and its kabupaten and kota."),
    )

    def validate_province(self, value: str) -> str:
        return _province(value)


class NationalRegionSerializer(serializers.Serializer[Any]):
    """One regional government: its own partnerships (a province's row: the provincial
    government's own; its kabupaten and kota are rows of their own).

    ``active`` and ``dormant`` are health states (as on the staff health pages),
    or for a partnership with no dated record the state its stage or documented
    status states.  ``participants_per_10k`` is local participants per 10,000
    residents; null when the count is 1–4 people or would reveal such a count,
    or the population is not known.  ``reported`` is the status of the PP 28/2018
    Pasal 43 report for the year asked (without one: the latest period whose
    report was due): on_time, late, missing, pending (not yet due), or null when
    no report was expected and none was sent.
    """

    kode = serializers.CharField(help_text=_("Kemendagri code, e.g. 33.74."))
    name = serializers.CharField()
    partnerships = serializers.IntegerField()
    active = serializers.IntegerField()
    dormant = serializers.IntegerField()
    participants_per_10k = serializers.FloatField(allow_null=True)
    reported = NamedChoiceField(
        [(status, label) for status, label in REPORT_STATUSES.items()],
        enum_name="NationalReportStatusEnum",
        allow_null=True,
    )


class NationalFlowSerializer(serializers.Serializer[Any]):
    """Partnerships of one regional government with partners in one country."""

    region = serializers.CharField(help_text=_("Kemendagri code of the regional government."))
    country = serializers.CharField(help_text=_("ISO 3166-1 alpha-2 code of the partner country."))
    partnerships = serializers.IntegerField()
