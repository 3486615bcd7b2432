"""The network endpoints before any twin-town link is loaded (a fresh instance)."""

from __future__ import annotations

import pytest
from django.test import Client

from kembar.geo.tests.factories import CityFactory, CountryFactory


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["ego", "recommendations"])
def test_a_city_in_an_empty_network_has_no_partners_not_a_server_error(
    client: Client, endpoint: str
) -> None:
    city = CityFactory.create(id=1810821, name="Fuzhou", country=CountryFactory.create(iso2="CN"))

    response = client.get(f"/api/v1/network/cities/{city.id}/{endpoint}/")

    assert response.status_code == 200
    body = response.json()
    assert body["city"]["id"] == 1810821
    assert body["in_network"] is False
