"""Every public guidance page answers an anonymous visitor and names no group of 1–4 people."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kembar.guidance.selectors import library_documents
from kembar.guidance.services import practice_share

from .conftest import World
from .test_recognition import YEAR, record

pytestmark = pytest.mark.django_db

#: "3 participants", "2 orang", "4 peserta" …, as the disclosure walk looks for them.
SMALL_GROUP = re.compile(
    r"(?<![\d.,])[1-4]\s+(?:participants?|people|persons?|peserta|orang|pelajar)\b", re.IGNORECASE
)


def test_no_public_guidance_page_shows_a_count_of_one_to_four_people(world: World) -> None:
    record(world.orgs)
    practice = world.practice("Bank sampah sekolah", description_id="Diikuti warga sekitar.")
    practice_share(actor=world.magelang_officer, practice=practice, shared=True)
    _library, documents = library_documents()
    addresses = [
        reverse("guidance:guidance"),
        reverse("guidance:guidance-shared"),
        reverse("guidance:recognition"),
        reverse("guidance:recognition-year", args=[YEAR]),
    ]
    for document in documents:
        addresses.append(reverse("guidance:guidance-document", args=[document.slug]))
        download = reverse("guidance:guidance-document-download", args=[document.slug])
        addresses += [f"{download}?language=id", f"{download}?language=en"]
    for language in ("id", "en"):
        client = Client()
        client.cookies.load({settings.LANGUAGE_COOKIE_NAME: language})
        for address in addresses:
            response = client.get(address)
            assert response.status_code == 200, address
            text = re.sub(r"<[^>]+>", " ", response.content.decode())
            assert SMALL_GROUP.findall(text) == [], (language, address)
