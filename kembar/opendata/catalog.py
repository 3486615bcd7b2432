"""The DCAT catalogue of the open data, as JSON-LD, for portals that harvest (CKAN, ckanext-dcat).

One ``dcat:Dataset`` per dataset of the package, titles and descriptions in
Bahasa Indonesia and English, the licence, the publisher (the region's
government), the coverage (``dct:spatial``) and one ``dcat:Distribution`` per
format (CSV, JSON) with its download address, media type and size.  The field
mapping to CKAN is in ``docs/open-data.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from kembar.geo.models import Region
from kembar.opendata.build import LICENSE, PackageState
from kembar.opendata.datasets import DATASETS

__all__ = ["CONTEXT", "FORMATS", "catalog"]

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
#: Each format: file suffix, IANA media type, ``dct:format`` label.
FORMATS = (("csv", "text/csv", "CSV"), ("json", "application/json", "JSON"))
_IANA = "https://www.iana.org/assignments/media-types/"


def _both(text_id: str, text_en: str) -> list[dict[str, str]]:
    return [{"@language": "id", "@value": text_id}, {"@language": "en", "@value": text_en}]


def _date(value: str) -> dict[str, str]:
    return {"@value": value, "@type": "xsd:dateTime"}


def _size(path: Path) -> dict[str, str]:
    return {"@value": str(path.stat().st_size), "@type": "xsd:nonNegativeInteger"}


def catalog(state: PackageState) -> dict[str, Any]:
    """The catalogue of the package ``state`` describes."""
    base = f"{settings.KEMBAR_SITE_URL}/open-data/"
    region = settings.KEMBAR_HOME_REGION
    region_name = (
        Region.objects.filter(kode=region).values_list("name", flat=True).first() or region
    )
    modified = _date(state.built_at.isoformat())
    publisher = {
        "@id": settings.KEMBAR_SITE_URL + "/",
        "@type": "foaf:Organization",
        "foaf:name": _both(f"Pemerintah {region_name}", f"Government of {region_name}"),
        "foaf:homepage": {"@id": settings.KEMBAR_SITE_URL + "/"},
    }
    spatial = {
        "@type": "dct:Location",
        "skos:prefLabel": region_name,
        "dct:identifier": region,
    }
    license_ref = {"@id": LICENSE["path"]}
    datasets = []
    for dataset in DATASETS:
        distributions = []
        for suffix, media_type, label in FORMATS:
            name = f"{dataset.name}.{suffix}"
            distributions.append(
                {
                    "@id": f"{base}{name}",
                    "@type": "dcat:Distribution",
                    "dct:title": _both(
                        f"{dataset.title_id} ({label})", f"{dataset.title_en} ({label})"
                    ),
                    "dcat:accessURL": {"@id": base},
                    "dcat:downloadURL": {"@id": f"{base}{name}"},
                    "dcat:mediaType": {"@id": _IANA + media_type},
                    "dct:format": label,
                    "dcat:byteSize": _size(state.path / name),
                    "dct:license": license_ref,
                    "dct:modified": modified,
                }
            )
        datasets.append(
            {
                "@id": f"{base}#{dataset.name}",
                "@type": "dcat:Dataset",
                "dct:identifier": f"kembar-{region}-{dataset.name}",
                "dct:title": _both(dataset.title_id, dataset.title_en),
                "dct:description": _both(dataset.description_id, dataset.description_en),
                "dct:publisher": publisher,
                "dct:license": license_ref,
                "dct:issued": modified,
                "dct:modified": modified,
                "dct:language": [
                    {"@id": "http://publications.europa.eu/resource/authority/language/IND"},
                    {"@id": "http://publications.europa.eu/resource/authority/language/ENG"},
                ],
                "dcat:keyword": list(dataset.keywords),
                "dct:spatial": spatial,
                "dcat:landingPage": {"@id": base},
                "dcat:distribution": distributions,
            }
        )
    return {
        "@context": CONTEXT,
        "@id": f"{base}catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _both(
            f"Data terbuka kerja sama luar negeri {region_name}",
            f"Open data on the international cooperation of {region_name}",
        ),
        "dct:description": _both(
            "Data publik Kembar: kerja sama, kegiatan, anggaran, hasil, jangkauan dan ekonomi.",
            "Kembar's public data: partnerships, activities, budgets, results, reach, economy.",
        ),
        "dct:publisher": publisher,
        "dct:license": license_ref,
        "dct:modified": modified,
        "foaf:homepage": {"@id": base},
        "dcat:dataset": datasets,
    }
