from __future__ import annotations

import pytest
from django.test import Client

from kembar.accounts.models import Notification, User
from kembar.accounts.tests.factories import StandardOrganisations

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kembar.accounts.tests.urls")]


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/organisation/",
        "/admin/accounts/organisation/add/",
        "/admin/accounts/notification/",
        "/admin/accounts/notification/add/",
    ],
)
def test_admin_pages(admin_client: Client, path: str) -> None:
    assert admin_client.get(path).status_code == 200


def test_user_change_page_never_shows_the_secret(admin_client: Client, totp_officer: User) -> None:
    response = admin_client.get(f"/admin/accounts/user/{totp_officer.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert totp_officer.totp_secret not in html
    assert 'name="totp_secret"' not in html
    assert 'name="totp_enabled"' not in html
    assert 'name="organisation"' in html
    assert 'name="role"' in html
    history = admin_client.get(f"/admin/accounts/user/{totp_officer.pk}/history/")
    assert history.status_code == 200
    assert totp_officer.totp_secret not in history.content.decode()


def test_organisation_and_notification_change_pages(
    admin_client: Client, orgs: StandardOrganisations, officer: User
) -> None:
    notification = Notification.objects.create(user=officer, subject="Laporan kegiatan")

    organisation_page = admin_client.get(
        f"/admin/accounts/organisation/{orgs.dinas_pendidikan.pk}/change/"
    )
    notification_page = admin_client.get(f"/admin/accounts/notification/{notification.pk}/change/")

    assert organisation_page.status_code == 200
    assert notification_page.status_code == 200
