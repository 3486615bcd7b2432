"""The survey after an activity: answering, the protected aggregate, its pages, the certificate."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from kembar.accounts.models import Role, User
from kembar.geo.models import Region
from kembar.geo.tests.factories import RegionFactory
from kembar.participation.links import (
    registration_from_survey_token,
    survey_path,
    survey_token,
)
from kembar.participation.models import (
    Opportunity,
    Registration,
    RegistrationStatus,
    SurveyResponse,
)
from kembar.participation.registrations import (
    RegistrationData,
    RegistrationRefused,
    check_in,
    registration_start,
)
from kembar.participation.services import opportunity_transition
from kembar.participation.survey import survey_submit, survey_summary
from kembar.participation.tasks import mail_text
from kembar.participation.tests.conftest import People
from kembar.participation.tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db

GAINS = ["knowledge", "skills", "network", "business", "culture", "confidence"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def published(people: People) -> Opportunity:
    opportunity = OpportunityFactory.create(
        activity=people.activity, title_en="Youth exchange", title_id="Pertukaran pemuda"
    )
    return opportunity_transition(actor=people.officer, opportunity=opportunity, target="published")


def kelurahan(kecamatan: Region) -> Region:
    return RegionFactory.create(kode=f"{kecamatan.kode}.1001", name=f"Kelurahan {kecamatan.name}")


def registered(
    people: People,
    opportunity: Opportunity,
    number: int,
    *,
    group: str = "students_youth",
    home: Region | None = None,
    attended: bool = True,
    language: str = "id",
) -> Registration:
    registration = registration_start(
        opportunity=opportunity,
        email=f"warga{number}@example.org",
        data=RegistrationData(
            name=f"Warga Nomor {number}",
            group=group,
            home_kelurahan=home,
            consents={"taking_part"},
            language=language,
        ),
        verified=True,
    )
    if attended:
        check_in(actor=people.officer, opportunity=opportunity, code=registration.checkin_code)
    registration.refresh_from_db()
    return registration


def answer(registration: Registration, **changes: Any) -> SurveyResponse:
    values: dict[str, Any] = {
        "gained": ["knowledge"],
        "satisfaction": 4,
        "again": "yes",
        "comment": "",
    }
    values.update(changes)
    return survey_submit(registration=registration, **values)


def messages(error: ValidationError) -> dict[str, list[str]]:
    return {name: [str(m) for m in items] for name, items in error.message_dict.items()}


def gains(row: dict[str, Any]) -> dict[str, int | None]:
    return {gain["code"]: gain["count"] for gain in row["gains"]}


# --- answering -----------------------------------------------------------------------------


def test_an_answer_copies_group_and_kecamatan(people: People) -> None:
    opportunity = published(people)
    registration = registered(people, opportunity, 1, group="business", home=kelurahan(people.tugu))
    response = answer(
        registration,
        gained=["skills", "knowledge", "skills"],
        satisfaction=5,
        again="maybe",
        comment="  Sangat bermanfaat.\nTerima kasih.  ",
    )
    response.refresh_from_db()
    assert (
        response.registration,
        response.activity,
        response.opportunity,
        response.group,
        response.home_kecamatan_id,
        response.gained,
        response.satisfaction,
        response.again,
        response.comment,
    ) == (
        registration,
        people.activity,
        opportunity,
        "business",
        "33.74.03",
        ["knowledge", "skills"],
        5,
        "maybe",
        "Sangat bermanfaat.\nTerima kasih.",
    )


def test_only_a_registration_that_attended_may_answer(people: People) -> None:
    registration = registered(people, published(people), 1, attended=False)
    assert registration.status == RegistrationStatus.CONFIRMED
    with pytest.raises(RegistrationRefused) as raised:
        answer(registration)
    assert (raised.value.code, raised.value.message) == (
        "not_attended",
        "The survey is for those who took part; this registration was not checked in.",
    )
    assert SurveyResponse.objects.count() == 0


def test_a_second_answer_is_refused_and_the_first_stands(people: People) -> None:
    registration = registered(people, published(people), 1)
    first = answer(registration, satisfaction=2)
    with pytest.raises(RegistrationRefused) as raised:
        answer(registration, satisfaction=5)
    assert raised.value.code == "answered"
    assert raised.value.message == (
        "You have already answered this survey; thank you. An answer cannot be changed."
    )
    assert list(SurveyResponse.objects.values_list("pk", "satisfaction")) == [(first.pk, 2)]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"satisfaction": 0}, {"satisfaction": ["Choose how satisfied you are, from 1 to 5."]}),
        ({"satisfaction": 6}, {"satisfaction": ["Choose how satisfied you are, from 1 to 5."]}),
        ({"satisfaction": True}, {"satisfaction": ["Choose how satisfied you are, from 1 to 5."]}),
        (
            {"gained": ["knowledge", "fame", "money"]},
            {"gained": ["Unknown answer: fame, money. Choose from the list."]},
        ),
        (
            {"again": "perhaps"},
            {"again": ["Choose whether you would take part again: yes, maybe or no."]},
        ),
        (
            {"comment": "x" * 2001},
            {"comment": ["Your comment may have at most 2,000 characters; it has 2,001."]},
        ),
        (
            {"comment": "Bel\x07"},
            {
                "comment": [
                    "Comment contains an invisible character that is not allowed (U+0007) at "
                    "position 4; delete it or type the text again."
                ]
            },
        ),
    ],
)
def test_invalid_answers_are_refused_by_field(
    people: People, changes: dict[str, Any], expected: dict[str, list[str]]
) -> None:
    registration = registered(people, published(people), 1)
    with pytest.raises(ValidationError) as raised:
        answer(registration, **changes)
    assert messages(raised.value) == expected
    assert SurveyResponse.objects.count() == 0


def test_the_survey_mail_links_to_the_survey(people: People, settings: Any) -> None:
    settings.KEMBAR_SITE_URL = "https://kembar.example"
    registration = registered(people, published(people), 1, language="en")
    text = mail_text(registration, "survey")
    assert text is not None
    subject, body = text
    assert subject == "[Kembar] What did “Youth exchange” bring you?"
    found = re.search(r"https://kembar\.example/warga/survei/([^/\s]+)/", body)
    assert found is not None
    assert registration_from_survey_token(found.group(1)) == registration


# --- the aggregate -------------------------------------------------------------------------


def answered(people: People, count: int, *, start: int = 1, **registration: Any) -> None:
    opportunity = Opportunity.objects.filter(activity=people.activity).first() or published(people)
    satisfactions = [5, 4, 4, 3, 5, 2, 5, 4]
    for number in range(start, start + count):
        answer(
            registered(people, opportunity, number, **registration),
            satisfaction=satisfactions[(number - start) % len(satisfactions)],
            again="yes" if (number - start) % 5 != 4 else "no",
            gained=["knowledge", "culture"] if (number - start) % 2 == 0 else ["knowledge"],
        )


def test_four_answers_are_suppressed(people: People) -> None:
    answered(people, 4)
    rows = survey_summary(people.activity, by="activity")
    assert [(row["label"], row["total"], row["suppressed"], row["count"]) for row in rows] == [
        (people.activity.title, False, True, None),
        ("All answers", True, True, None),
    ]
    assert (rows[0]["satisfaction"], rows[0]["again_yes"]) == (None, None)
    assert set(gains(rows[0]).values()) == {None}


def test_five_answers_are_shown_with_exact_values(people: People) -> None:
    answered(people, 5)
    total = survey_summary(people.activity, by="activity")[-1]
    # Satisfaction 5, 4, 4, 3, 5; again yes ×4 and no ×1; culture chosen by 3 of 5.
    assert (total["suppressed"], total["count"], total["satisfaction"]) == (False, 5, 4.2)
    # 4 "yes" and 1 "not yes" are counts of 1–4 people: the share is not shown.
    assert total["again_yes"] is None
    # Knowledge by all five (and none without it) is shown; culture 3 / 2 without is not.
    assert gains(total) == {
        "knowledge": 5,
        "skills": 0,
        "network": 0,
        "business": 0,
        "culture": None,
        "confidence": 0,
    }


def test_ten_answers_show_the_share_of_yes(people: People) -> None:
    answered(people, 10)
    total = survey_summary(people.activity, by="activity")[-1]
    # 8 yes, 2 no: the 2 is a small count, so the share stays hidden ...
    assert (total["count"], total["again_yes"]) == (10, None)
    assert gains(total)["culture"] == 5  # 5 chose it, 5 did not


def test_the_share_of_yes_is_shown_when_neither_side_is_small(people: People) -> None:
    opportunity = published(people)
    for number in range(1, 11):
        answer(
            registered(people, opportunity, number),
            again="yes" if number <= 5 else "maybe",
            satisfaction=3,
        )
    total = survey_summary(people.activity, by="activity")[-1]
    assert (total["count"], total["satisfaction"], total["again_yes"]) == (10, 3.0, 0.5)


def test_one_small_row_takes_the_next_smallest_with_it(people: People) -> None:
    """Shown: 6 + 5 + total 14 would give the third row (3) back; so the 5 goes too."""
    answered(people, 6, start=1, group="students_youth")
    answered(people, 5, start=20, group="business")
    answered(people, 3, start=40, group="academia")
    rows = survey_summary(people.activity, by="group")
    assert [(row["key"], row["count"], row["suppressed"]) for row in rows] == [
        ("students_youth", 6, False),
        ("business", None, True),
        ("academia", None, True),
        (None, 14, False),
    ]
    assert [row["label"] for row in rows] == [
        "students and youth",
        "business / UMKM",
        "academia",
        "All answers",
    ]
    # Satisfaction of the 6 (5, 4, 4, 3, 5, 2) and of all 14 (23 + 21 + 13).
    assert (rows[0]["satisfaction"], rows[-1]["satisfaction"]) == (3.83, 4.07)


def test_by_kecamatan_outside_the_city_is_a_row(people: People) -> None:
    answered(people, 5, start=1, home=kelurahan(people.tugu))
    answered(people, 5, start=10, home=None)
    rows = survey_summary(local_region_id="33.74", by="kecamatan")
    assert [(row["key"], row["label"], row["count"]) for row in rows] == [
        ("33.74.03", "Tugu", 5),
        (None, "outside the city", 5),
        (None, "All answers", 10),
    ]


def test_a_region_without_answers_has_no_rows(people: People) -> None:
    answered(people, 5)
    assert survey_summary(local_region_id="33.71", by="group") == []


# --- pages ---------------------------------------------------------------------------------


def activity_page(client: Client, people: People) -> str:
    client.cookies["kembar_language"] = "en"
    response = client.get(f"/activities/{people.activity.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_activity_page_shows_the_summary_from_five_answers_and_never_comments(
    client: Client, people: People
) -> None:
    opportunity = published(people)
    for number in range(1, 5):
        answer(registered(people, opportunity, number), comment=f"Rahasia {number}")
    page = activity_page(client, people)
    assert 'id="survey-summary-suppressed"' in page
    assert 'id="survey-summary-table"' not in page
    answer(registered(people, opportunity, 5), comment="Rahasia 5")
    page = activity_page(client, people)
    assert "The survey after the activity: 5 answers" in page
    assert '<td class="numeric" data-figure="satisfaction">4.0</td>' in page
    assert '<td class="numeric" data-gain="knowledge">5</td>' in page
    assert "Rahasia" not in page
    assert 'id="survey-summary-suppressed"' not in page


def test_the_public_reach_page_shows_the_tables_by_group_and_kecamatan(
    client: Client, people: People
) -> None:
    answered(people, 6, start=1, group="students_youth", home=kelurahan(people.tugu))
    answered(people, 2, start=10, group="business", home=kelurahan(people.utara))
    client.cookies["kembar_language"] = "en"
    response = client.get("/insights/reach/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<caption>By stakeholder group</caption>" in page
    assert "<caption>By home kecamatan</caption>" in page
    flat = " ".join(page.split())
    hidden = '<td class="numeric"><span class="muted">not shown</span></td>'
    # 6 + 2 = 8 shown: the 2 is hidden, and the 6 with it (8 − 6 would give the 2 back).
    for key, label in (
        ("students_youth", "students and youth"),
        ("business", "business / UMKM"),
        ("33.74.03", "Tugu"),
        ("33.74.02", "Semarang Utara"),
    ):
        assert f'<tr data-key="{key}"> <th scope="row">{label}</th> {hidden}' in flat
    # The total: 8 answers, satisfaction 4.0; 7 yes / 1 not: the share is not shown.
    total = (
        '<tr class="total"> <th scope="row">All answers</th> <td class="numeric">8</td> '
        '<td class="numeric">4.0</td> <td class="numeric">—</td> <td class="numeric">8</td>'
    )
    assert flat.count(total) == 2


def test_the_survey_page_takes_an_answer_and_then_thanks(client: Client, people: People) -> None:
    registration = registered(people, published(people), 1)
    path = survey_path(registration)
    form = client.get(path)
    assert form.status_code == 200
    assert form["Cache-Control"] == "private, no-store" or set(
        form["Cache-Control"].replace(" ", "").split(",")
    ) == {"private", "no-store"}
    assert 'id="survey-form"' in form.content.decode()
    refused = client.post(path, {"satisfaction": "7", "again": "yes"})
    assert refused.status_code == 200
    assert SurveyResponse.objects.count() == 0
    sent = client.post(
        path,
        {"gained": ["network", "culture"], "satisfaction": "5", "again": "yes", "comment": "Ok"},
    )
    assert (sent.status_code, sent["Location"]) == (302, path)
    assert list(SurveyResponse.objects.values_list("gained", "satisfaction", "again")) == [
        (["network", "culture"], 5, "yes")
    ]
    thanks = client.get(path).content.decode()
    assert 'id="survey-thanks"' in thanks and 'id="survey-form"' not in thanks


def test_a_tampered_token_is_not_found(client: Client, people: People) -> None:
    registration = registered(people, published(people), 1)
    token = survey_token(registration)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert client.get(f"/warga/survei/{tampered}/").status_code == 404
    assert client.get(f"/warga/sertifikat/{tampered}.pdf").status_code == 404
    registration.resident.link_key = "new"
    registration.resident.save()
    assert client.get(f"/warga/sertifikat/{token}.pdf").status_code == 404


# --- the certificate -----------------------------------------------------------------------


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def test_the_certificate_is_a_one_page_pdf_in_the_registrations_language(
    client: Client, people: People
) -> None:
    registration = registered(people, published(people), 1, language="en")
    response = client.get(f"/warga/sertifikat/{survey_token(registration)}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"private", "no-store"}
    assert response["Content-Disposition"] == (
        f'attachment; filename="kembar-certificate-{registration.number}.pdf"'
    )
    pages, text = pdf_text(response.content)
    assert pages == 1
    flat = " ".join(text.split())
    for expected in (
        "Certificate of participation",
        "Warga Nomor 1",
        people.activity.title_en or people.activity.title_id,
        "Brisbane",
        registration.number,
    ):
        assert expected in flat


def test_the_certificate_is_refused_before_attending(client: Client, people: People) -> None:
    registration = registered(people, published(people), 1, attended=False)
    response = client.get(f"/warga/sertifikat/{survey_token(registration)}.pdf")
    assert response.status_code == 403


def test_a_citizen_downloads_their_own_certificate_only(client: Client, people: People) -> None:
    opportunity = published(people)
    own = registered(people, opportunity, 1)
    other = registered(people, opportunity, 2)
    user = User.objects.create(username="warga1", email="warga1@example.org", role=Role.CITIZEN)
    own.resident.user = user
    own.resident.save()
    client.force_login(user)
    response = client.get(f"/warga/pendaftaran/{own.pk}/sertifikat.pdf")
    assert response.status_code == 200
    assert pdf_text(response.content)[0] == 1
    assert client.get(f"/warga/pendaftaran/{other.pk}/sertifikat.pdf").status_code == 404
    client.force_login(people.officer)
    assert client.get(f"/warga/pendaftaran/{own.pk}/sertifikat.pdf").status_code == 403


def test_staff_read_the_comments_on_the_call_and_the_reading_is_logged(people: Any) -> None:
    from kembar.accounts.tests.factories import force_login_with_second_factor
    from kembar.participation.models import PersonalDataAccess
    from kembar.participation.registrations import check_in
    from kembar.participation.survey import survey_submit
    from kembar.participation.tests.factories import person, published_call, register

    call = published_call(people.activity)
    guest = register(call, "k@example.test", person(name="Komentator"))
    check_in(actor=people.officer, opportunity=call, code=guest.checkin_code)
    survey_submit(
        registration=guest, gained=[], satisfaction=3, again="maybe", comment="Ruangannya panas"
    )
    client = Client()
    force_login_with_second_factor(client, people.officer)
    page = client.get(f"/staff/opportunities/{call.pk}/").content.decode()
    assert "Ruangannya panas" in page
    assert "Komentator" not in page
    assert list(PersonalDataAccess.objects.values_list("action", "people")) == [
        ("survey comments", 1)
    ]
    other = Client()
    force_login_with_second_factor(other, people.council)
    assert "Ruangannya panas" not in other.get(f"/staff/opportunities/{call.pk}/").content.decode()
