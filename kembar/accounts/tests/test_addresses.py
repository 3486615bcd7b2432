"""The client's address behind trusted proxies, and a lockout nobody else can trigger."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory

from kembar.accounts.addresses import client_address
from kembar.accounts.models import User
from kembar.accounts.tests.factories import PASSWORD

LIMIT: int = django_settings.AXES_FAILURE_LIMIT
PROXY = "10.0.0.5"


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        # No trusted proxy: the header is the client's own claim and is ignored.
        ([], "203.0.113.7", "198.51.100.1", "203.0.113.7"),
        ([], "203.0.113.7", "", "203.0.113.7"),
        # From the trusted proxy: the address it appended.
        ([PROXY], PROXY, "203.0.113.7", "203.0.113.7"),
        # Entries the client wrote itself, left of the proxy's, are not believed.
        ([PROXY], PROXY, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        # Two proxies (a network and an address): the first untrusted from the right.
        (["10.0.0.0/24", "172.16.0.2"], PROXY, "203.0.113.7, 172.16.0.2", "203.0.113.7"),
        # A direct request from elsewhere: its header is ignored even when proxies are set.
        ([PROXY], "203.0.113.7", "198.51.100.1", "203.0.113.7"),
        # The proxy sent no header: the proxy is all we know.
        ([PROXY], PROXY, "", PROXY),
        ([PROXY], PROXY, "garbage, 203.0.113.7:51000", "203.0.113.7"),
        ([PROXY], PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        ([], "", "", None),
    ],
)
def test_client_address(
    settings: Any, proxies: list[str], remote: str, forwarded: str, expected: str | None
) -> None:
    settings.KEMBAR_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected


def post_login(client: Client, password: str, **meta: Any) -> Any:
    return client.post(
        "/accounts/login/", {"username": "siti", "password": password, "next": "/"}, **meta
    )


@pytest.mark.django_db
@pytest.mark.urls("kembar.accounts.tests.urls")
def test_failures_from_one_address_do_not_lock_out_another(officer: User) -> None:
    for attempt in range(LIMIT):
        post_login(Client(), f"wrong-{attempt}", REMOTE_ADDR="203.0.113.7")

    locked = post_login(Client(), PASSWORD, REMOTE_ADDR="203.0.113.7")
    other = Client()
    elsewhere = post_login(other, PASSWORD, REMOTE_ADDR="198.51.100.9")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302
    assert SESSION_KEY in other.session


@pytest.mark.django_db
@pytest.mark.urls("kembar.accounts.tests.urls")
def test_behind_a_proxy_failures_of_one_client_do_not_lock_out_another(
    officer: User, settings: Any
) -> None:
    settings.KEMBAR_TRUSTED_PROXIES = [PROXY]
    for attempt in range(LIMIT):
        post_login(
            Client(), f"wrong-{attempt}", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7"
        )

    locked = post_login(Client(), PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = Client()
    officer_at_work = post_login(
        other, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9"
    )

    assert locked.status_code == 429
    assert officer_at_work.status_code == 302
    assert SESSION_KEY in other.session
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.7"]


@pytest.mark.django_db
@pytest.mark.urls("kembar.accounts.tests.urls")
def test_a_forged_header_does_not_escape_the_lockout(officer: User, settings: Any) -> None:
    settings.KEMBAR_TRUSTED_PROXIES = [PROXY]
    for attempt in range(LIMIT):
        post_login(
            Client(),
            f"wrong-{attempt}",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 203.0.113.7",
        )
    direct = [
        post_login(
            Client(), f"wrong-{n}", REMOTE_ADDR="203.0.113.8", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        )
        for n in range(LIMIT)
    ]

    forged = post_login(
        Client(), PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7"
    )

    assert forged.status_code == 429
    assert direct[-1].status_code == 429
    assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == [
        "203.0.113.7",
        "203.0.113.8",
    ]
