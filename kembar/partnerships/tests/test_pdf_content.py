"""PDFs are parsed: a fake, an encrypted file or one that runs actions is refused with a reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from kembar.partnerships.documents import DocumentRejected, pdf_check
from kembar.partnerships.models import PartnershipDocument
from kembar.partnerships.tests import pdfs
from kembar.partnerships.tests.test_documents import (
    People,
    lifecycle,
    partnership,
    people,
    too_large_message,
    upload,
)

__all__ = ["lifecycle", "partnership", "people"]  # fixtures, imported for these tests

FIX = "Print the document to a new PDF (or scan it) and upload that file."
NOT_READABLE = (
    "The file is not a readable PDF, although it starts like one. Save or scan the document "
    "as PDF again and upload that file."
)
ENCRYPTED = (
    "The PDF is encrypted or protected with a password. Save it again without protection "
    "(or print it to a new PDF) and upload that file."
)
JAVASCRIPT = f"The PDF contains JavaScript, which Kembar does not accept. {FIX}"
LAUNCH = f"The PDF contains an action that starts a program, which Kembar does not accept. {FIX}"
AUTOMATIC = (
    "The PDF contains actions that run by themselves when it is opened or viewed, which "
    f"Kembar does not accept. {FIX}"
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (pdfs.html_with_pdf_comment, NOT_READABLE),
        (lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", NOT_READABLE),
        (pdfs.encrypted_pdf, ENCRYPTED),
        (pdfs.javascript_pdf, JAVASCRIPT),
        (pdfs.open_action_pdf, JAVASCRIPT),
        (pdfs.launch_pdf, LAUNCH),
        (pdfs.additional_actions_pdf, AUTOMATIC),
    ],
    ids=["html", "no-pages", "encrypted", "javascript", "open-action", "launch", "aa"],
)
def test_a_pdf_that_is_not_safe_is_refused_with_its_reason(
    build: Callable[[], bytes], message: str
) -> None:
    content = build()
    assert content.lstrip(b"<!- ").startswith(b"%PDF-")  # it passes the old byte checks

    with pytest.raises(DocumentRejected) as rejected:
        pdf_check(SimpleUploadedFile("mou.pdf", content))

    assert rejected.value.messages == [message]


def test_a_plain_pdf_from_a_writer_is_accepted() -> None:
    content = pdfs.blank_pdf()

    assert pdf_check(SimpleUploadedFile("mou.pdf", content))[1] == len(content)


@pytest.mark.django_db
def test_a_refused_pdf_stores_nothing(partnership: Any, people: People, media: Path) -> None:
    with pytest.raises(DocumentRejected) as rejected:
        upload(
            partnership,
            people.officer,
            upload=SimpleUploadedFile("mou.pdf", pdfs.javascript_pdf()),
        )

    assert rejected.value.messages == [JAVASCRIPT]
    assert PartnershipDocument.objects.count() == 0
    assert not media.exists() or not any(media.rglob("*.pdf"))


@pytest.mark.django_db
def test_a_title_with_a_control_character_is_refused(partnership: Any, people: People) -> None:
    with pytest.raises(DocumentRejected) as rejected:
        upload(partnership, people.officer, title="MoU\x1bSemarang")

    assert rejected.value.messages == [
        "Title contains an invisible character that is not allowed (U+001B) at position 4; "
        "delete it or type the text again."
    ]


@pytest.mark.django_db
def test_an_upload_over_the_limit_through_the_page_is_refused_unread(
    partnership: Any, people: People, settings: Any
) -> None:
    settings.KEMBAR_MAX_UPLOAD_BYTES = 2**20
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(people.officer)
    content = pdfs.blank_pdf() + b"%" + b"x" * 2**20

    response = client.post(
        f"/staff/partnerships/{partnership.slug}/documents/",
        {
            "kind": "loi",
            "title": "Letter of intent",
            "language": "id+en",
            "file": SimpleUploadedFile("loi.pdf", content, content_type="application/pdf"),
        },
    )

    assert response.status_code == 400
    assert too_large_message("1") in response.content.decode()
    assert PartnershipDocument.objects.count() == 0


@pytest.mark.django_db
def test_the_api_refuses_html_dressed_as_pdf(partnership: Any, people: People) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people.officer)

    response = client.post(
        f"/api/v1/partnerships/{partnership.slug}/documents/",
        {
            "kind": "loi",
            "title": "Letter of intent",
            "language": "id+en",
            "file": SimpleUploadedFile("loi.pdf", pdfs.html_with_pdf_comment()),
        },
    )

    assert response.status_code == 400
    assert response.json()["reasons"] == [NOT_READABLE]
