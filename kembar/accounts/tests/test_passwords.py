"""Staff change their password, and reset a forgotten one by e-mail."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from knox.models import AuthToken

from kembar.accounts.models import User
from kembar.accounts.tests.factories import PASSWORD, current_code

pytestmark = [pytest.mark.django_db, pytest.mark.urls("kembar.accounts.tests.urls")]

NEW_PASSWORD = "kota-kembar-semarang-brisbane-1993"


def test_change_password(english: Client, officer: User) -> None:
    english.force_login(officer)
    other_device = Client()
    other_device.force_login(officer)
    AuthToken.objects.create(user=officer)

    page = english.get("/accounts/password/change/")
    response = english.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert page.status_code == 200
    assert '<h1 id="password-change-heading">Change your password</h1>' in page.content.decode()
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/security/"
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert AuthToken.objects.filter(user=officer).count() == 0
    # This session stays; the other device is signed out.
    security = english.get("/accounts/security/")
    assert security.status_code == 200
    assert (
        "Your password is changed. Other sessions and your API tokens are signed out."
        in security.content.decode()
    )
    assert other_device.get("/accounts/security/").status_code == 302


def test_change_password_needs_the_old_one(english: Client, officer: User) -> None:
    english.force_login(officer)
    AuthToken.objects.create(user=officer)

    response = english.post(
        "/accounts/password/change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert AuthToken.objects.filter(user=officer).count() == 1


def test_change_password_page_in_indonesian(client: Client, officer: User) -> None:
    client.force_login(officer)

    response = client.get("/accounts/password/change/")

    assert response.headers["Content-Language"] == "id"


def reset_link(client: Client, email: str) -> str:
    response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    match = re.search(r"http://testserver(/accounts/password/reset/\S+/)", str(mail.outbox[0].body))
    assert match is not None
    return match.group(1)


def test_reset_by_e_mail(english: Client, officer: User) -> None:
    AuthToken.objects.create(user=officer)
    link = reset_link(english, officer.email)

    assert mail.outbox[0].to == ["siti@example.org"]
    assert mail.outbox[0].subject == "Kembar: choose a new password"
    form = english.get(link, follow=True)
    assert form.status_code == 200
    assert form.context["validlink"] is True
    set_url = form.redirect_chain[-1][0]
    done = english.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done.headers["Location"] == "/accounts/password/reset/done/"
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert AuthToken.objects.filter(user=officer).count() == 0
    assert SESSION_KEY not in english.session
    # The link worked once.
    again = english.get(link, follow=True)
    assert again.context["validlink"] is False
    assert "This link does not work any more" in again.content.decode()


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
    english: Client, officer: User
) -> None:
    response = english.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_reset_does_not_skip_the_second_factor(client: Client, totp_officer: User) -> None:
    link = reset_link(client, totp_officer.email)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    signed = client.post(
        "/accounts/login/", {"username": "budi", "password": NEW_PASSWORD, "next": "/"}
    )

    assert signed.headers["Location"] == "/accounts/login/verify/"
    assert SESSION_KEY not in client.session
    client.post("/accounts/login/verify/", {"code": current_code(totp_officer.totp_secret)})
    assert client.session[SESSION_KEY] == str(totp_officer.pk)


def test_reset_pages_in_indonesian(client: Client, db: None) -> None:
    response = client.get("/accounts/password/reset/")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "id"


def test_login_page_links_to_reset(english: Client, db: None) -> None:
    html = english.get("/accounts/login/").content.decode()

    assert '<a href="/accounts/password/reset/">Forgotten your password?</a>' in html
