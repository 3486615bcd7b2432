"""Reference geography: countries, world cities, Indonesian regions, the twin-town network.

Dependency direction: ``geo`` imports no other Kembar app.  Every other app may
point at these tables; rows here change only through the reference loader,
except the diplomatic relations and the calendar corrections, which an
administrator keeps in ``/admin/``.
"""

from kembar.geo.models.calendar import CalendarDay
from kembar.geo.models.diplomacy import DiplomaticRelation
from kembar.geo.models.places import City, CityOrigin, Country
from kembar.geo.models.reference import ReferenceLoad
from kembar.geo.models.regions import Region, RegionLevel, RegionPopulation
from kembar.geo.models.twins import TwinLink, TwinReviewRow

__all__ = [
    "CalendarDay",
    "City",
    "CityOrigin",
    "Country",
    "DiplomaticRelation",
    "ReferenceLoad",
    "Region",
    "RegionLevel",
    "RegionPopulation",
    "TwinLink",
    "TwinReviewRow",
]
