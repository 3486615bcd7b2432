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


def test_administrator_resets_a_second_factor_with_a_reason(
    admin_client: Client, totp_officer: User
) -> None:
    from knox.models import AuthToken

    AuthToken.objects.create(user=totp_officer)
    selection = {"action": "reset_second_factor", "_selected_action": [totp_officer.pk]}

    confirm = admin_client.post("/admin/accounts/user/", selection)
    refused = admin_client.post("/admin/accounts/user/", {**selection, "apply": "1", "reason": ""})
    done = admin_client.post(
        "/admin/accounts/user/", {**selection, "apply": "1", "reason": "phone lost"}
    )

    assert confirm.status_code == 200
    assert '<ul id="reset-users"><li>budi' in confirm.content.decode()
    assert refused.status_code == 200
    assert done.status_code == 302
    totp_officer.refresh_from_db()
    assert (totp_officer.totp_enabled, totp_officer.totp_secret) == (False, "")
    assert AuthToken.objects.filter(user=totp_officer).count() == 0
    assert totp_officer.history.latest().history_change_reason == (
        "second factor reset by admin: phone lost"
    )
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.get(object_id=str(totp_officer.pk)).change_message == (
        "second factor reset"
    )


def test_password_set_by_an_administrator_revokes_tokens(
    admin_client: Client, officer: User
) -> None:
    from knox.models import AuthToken

    AuthToken.objects.create(user=officer)
    new = "kota-kembar-semarang-brisbane-1993"

    response = admin_client.post(
        f"/admin/accounts/user/{officer.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(new)
    assert AuthToken.objects.filter(user=officer).count() == 0
