from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.utils import timezone, translation

from kembar.accounts.models import Organisation, Role, User
from kembar.accounts.tests.factories import standard_organisations
from kembar.geo.tests.factories import RegionFactory
from kembar.partnerships.documents import (
    DocumentRejected,
    agreement_expiry,
    document_expiry,
    partnership_agreement_status,
    partnership_document_upload,
    partnerships_annotate_agreement,
    partnerships_expiring,
    pdf_check,
)
from kembar.partnerships.lifecycle_source import LIFECYCLE_FILE, lifecycle_read
from kembar.partnerships.models import (
    DocumentKind,
    LifecycleState,
    Partnership,
    PartnershipDocument,
)
from kembar.partnerships.services import lifecycle_seed_apply
from kembar.partnerships.tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

MOU = "Memorandum of understanding (MoU) / agreement"
NOT_PDF = "The file's content is not a PDF; save or scan the document as PDF and upload that file."
EMPTY = "The file is empty; choose the scanned or exported PDF and upload it again."
INCOMPLETE = "The PDF is incomplete (its end is missing); upload the complete file again."
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
TODAY = dt.date(2026, 3, 2)


def name_message(name: str) -> str:
    return f"The file name “{name}” does not end in .pdf; upload the document saved as PDF."


def too_large_message(limit: str) -> str:
    return (
        f"The file is larger than the limit of {limit} MB; scan it at a lower resolution or "
        "compress it, then upload it again."
    )


def pdf(text: str = "Nota Kesepahaman", *, padding: int = 0) -> bytes:
    """A small valid one-page PDF showing ``text``, built by hand with a correct xref table."""
    content = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    # A comment line after the header makes the file as large as a test needs.
    out = b"%PDF-1.4\n%" + b"k" * padding + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def stored_files(media: Path) -> list[str]:
    return sorted(path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file())


@dataclass(frozen=True)
class People:
    officer: User
    administrator: User
    agency_officer: User
    council_member: User
    leadership: User
    other_officer: User
    partner: User


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Assert the English msgids, whatever the Indonesian catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def lifecycle() -> None:
    lifecycle_seed_apply(lifecycle_read(django_settings.KEMBAR_DATA_DIR / LIFECYCLE_FILE))


def person(username: str, role: str, organisation: Organisation | None) -> User:
    # These users never sign in: an unusable password skips the slow Argon2 hash.
    user = User(username=username, role=role, organisation=organisation)
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def people(lifecycle: None) -> People:
    organisations = standard_organisations()
    return People(
        officer=person("officer", Role.COOPERATION_OFFICER, organisations.semarang),
        administrator=person("admin", Role.ADMINISTRATOR, None),
        agency_officer=person("agency", Role.AGENCY_OFFICER, organisations.dinas_pendidikan),
        council_member=person("council", Role.COUNCIL_MEMBER, organisations.dprd_semarang),
        leadership=person("walikota", Role.LEADERSHIP, organisations.semarang),
        other_officer=person("magelang", Role.COOPERATION_OFFICER, organisations.magelang),
        partner=person("brisbane", Role.PARTNER_COUNTERPART, organisations.partner_government),
    )


@pytest.fixture
def partnership(people: People) -> Partnership:
    return PartnershipFactory.create(slug="smg-brisbane", partner_name="Brisbane")


def upload(partnership: Partnership, uploader: User, **overrides: Any) -> PartnershipDocument:
    arguments: dict[str, Any] = {
        "partnership": partnership,
        "kind": "mou",
        "title": "MoU Semarang–Brisbane",
        "language": "id+en",
        "upload": SimpleUploadedFile("mou.pdf", pdf(), content_type="application/pdf"),
        "uploader": uploader,
        "signed_on": dt.date(2024, 5, 1),
        "valid_from": dt.date(2024, 5, 1),
        "valid_until": dt.date(2029, 4, 30),
    }
    arguments.update(overrides)
    return partnership_document_upload(**arguments)


def make_document(
    partnership: Partnership,
    uploader: User,
    *,
    kind: str = "mou",
    valid_until: dt.date | None,
    version: int = 1,
    supersedes: PartnershipDocument | None = None,
) -> PartnershipDocument:
    """A stored document without a file, for the tests of expiry."""
    sha256 = hashlib.sha256(f"{partnership.slug}/{kind}/{version}".encode()).hexdigest()
    return PartnershipDocument.objects.create(
        partnership=partnership,
        kind=DocumentKind.objects.get(code=kind),
        title=f"{kind} v{version}",
        language="id",
        version=version,
        supersedes=supersedes,
        signed_on=dt.date(2024, 5, 1) if valid_until else None,
        valid_from=dt.date(2024, 5, 1) if valid_until else None,
        valid_until=valid_until,
        file=f"documents/2024/{sha256}.pdf",
        sha256=sha256,
        size_bytes=1000,
        uploaded_by=uploader,
        uploaded_at=dt.datetime(2024, 5, 2, 9, tzinfo=dt.UTC),
    )


# --- pdf_check ---------------------------------------------------------------------------


def test_pdf_check_returns_sha256_and_size() -> None:
    content = pdf()

    result = pdf_check(SimpleUploadedFile("Naskah MoU.PDF", content))

    assert result == (hashlib.sha256(content).hexdigest(), len(content))


def test_pdf_check_accepts_pdf_2_and_a_preamble_before_the_header() -> None:
    content = b"\x00" * 1000 + pdf().replace(b"%PDF-1.4", b"%PDF-2.0", 1)

    assert pdf_check(SimpleUploadedFile("mou.pdf", content))[1] == len(content)


def test_pdf_check_refuses_a_header_after_the_first_1024_bytes() -> None:
    content = b"\x00" * 1024 + pdf()

    with pytest.raises(DocumentRejected) as rejected:
        pdf_check(SimpleUploadedFile("mou.pdf", content))

    assert rejected.value.messages == [NOT_PDF]


class ReadSpy(io.BytesIO):
    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.sizes: list[int | None] = []

    def read(self, size: int | None = -1) -> bytes:
        self.sizes.append(size)
        return super().read(size)


def test_pdf_check_reads_in_chunks_and_rewinds() -> None:
    content = pdf(padding=200_000)
    spy = ReadSpy(content)
    upload_file = InMemoryUploadedFile(
        spy, "file", "mou.pdf", "application/pdf", len(content), None
    )

    result = pdf_check(upload_file)

    assert result == (hashlib.sha256(content).hexdigest(), len(content))
    # Hashing: four chunks, then the empty read that ends them; then pypdf parses the
    # file in small reads, never the whole file at once.
    assert spy.sizes[:5] == [64 * 2**10] * 5
    assert all(size is not None and 0 < size <= 64 * 2**10 for size in spy.sizes[5:])
    assert spy.tell() == 0


@pytest.mark.parametrize(("limit", "shown"), [(2**20, "1"), (3 * 2**19, "1.5"), (20 * 2**20, "20")])
def test_pdf_check_refuses_a_file_over_the_limit_and_names_it_in_mb(
    settings: Any, limit: int, shown: str
) -> None:
    settings.KEMBAR_MAX_UPLOAD_BYTES = limit
    content = pdf(padding=limit)

    with pytest.raises(DocumentRejected) as rejected:
        pdf_check(SimpleUploadedFile("mou.pdf", content))

    assert rejected.value.messages == [too_large_message(shown)]


def test_pdf_check_accepts_a_file_of_exactly_the_limit(settings: Any) -> None:
    content = pdf()
    settings.KEMBAR_MAX_UPLOAD_BYTES = len(content)

    assert pdf_check(SimpleUploadedFile("mou.pdf", content))[1] == len(content)


def test_pdf_check_counts_the_bytes_when_the_declared_size_is_wrong(
    settings: Any,
) -> None:
    settings.KEMBAR_MAX_UPLOAD_BYTES = 2**20
    content = pdf(padding=2**20)
    lying = InMemoryUploadedFile(
        io.BytesIO(content), "file", "mou.pdf", "application/pdf", 10, None
    )

    with pytest.raises(DocumentRejected) as rejected:
        pdf_check(lying)

    assert rejected.value.messages == [too_large_message("1")]


# --- partnership_document_upload: refused files --------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "messages"),
    [
        pytest.param("scan.pdf", PNG + b"\x00" * 64, [NOT_PDF], id="png-renamed-pdf"),
        pytest.param("notes.pdf", b"Minutes of the meeting\n%%EOF\n", [NOT_PDF], id="text-as-pdf"),
        pytest.param("mou.docx", pdf(), [name_message("mou.docx")], id="pdf-named-docx"),
        pytest.param("scan.png", PNG, [name_message("scan.png"), NOT_PDF], id="png"),
        pytest.param("mou.pdf", b"", [EMPTY], id="empty"),
        pytest.param("mou.pdf", pdf()[:-7], [INCOMPLETE], id="cut-off"),
    ],
)
def test_refused_file_stores_nothing(
    partnership: Partnership,
    people: People,
    media: Path,
    name: str,
    content: bytes,
    messages: list[str],
) -> None:
    with pytest.raises(DocumentRejected) as rejected:
        upload(partnership, people.officer, upload=SimpleUploadedFile(name, content))

    assert rejected.value.messages == messages
    assert PartnershipDocument.objects.count() == 0
    assert PartnershipDocument.history.count() == 0
    assert stored_files(media) == []


def test_too_large_upload_stores_nothing(
    settings: Any, partnership: Partnership, people: People, media: Path
) -> None:
    settings.KEMBAR_MAX_UPLOAD_BYTES = 2**20

    with pytest.raises(DocumentRejected) as rejected:
        upload(
            partnership,
            people.officer,
            upload=SimpleUploadedFile("mou.pdf", pdf(padding=2**20)),
        )

    assert rejected.value.messages == [too_large_message("1")]
    assert PartnershipDocument.objects.count() == 0
    assert stored_files(media) == []


def test_every_problem_is_reported_at_once(
    partnership: Partnership, people: People, media: Path
) -> None:
    with pytest.raises(DocumentRejected) as rejected:
        upload(
            partnership,
            people.officer,
            kind="treaty",
            title="   ",
            language="fr",
            upload=SimpleUploadedFile("scan.pdf", PNG),
        )

    assert rejected.value.messages == [
        "Choose the kind of document; “treaty” is not one Kembar knows.",
        "Choose the language of the document from the list; “fr” is not one.",
        "Give the document a title.",
        NOT_PDF,
    ]
    assert PartnershipDocument.objects.count() == 0
    assert stored_files(media) == []


def test_a_title_over_200_characters_is_refused(partnership: Partnership, people: People) -> None:
    with pytest.raises(DocumentRejected) as rejected:
        upload(partnership, people.officer, title="M" * 201)

    assert rejected.value.messages == ["Shorten the title to at most 200 characters."]


# --- partnership_document_upload: stored ---------------------------------------------------


def test_valid_upload_is_version_1_stored_by_its_sha256(
    partnership: Partnership, people: People, media: Path
) -> None:
    content = pdf()
    sha256 = hashlib.sha256(content).hexdigest()
    before = timezone.now()

    document = upload(
        partnership,
        people.officer,
        title="  MoU Semarang–Brisbane  ",
        upload=SimpleUploadedFile("Naskah MoU.pdf", content),
    )

    year = timezone.localtime(document.uploaded_at).year
    document.refresh_from_db()
    assert document.partnership == partnership
    assert document.kind.code == "mou"
    assert document.title == "MoU Semarang–Brisbane"
    assert document.language == "id+en"
    assert document.version == 1
    assert document.supersedes is None
    assert (document.signed_on, document.valid_from, document.valid_until) == (
        dt.date(2024, 5, 1),
        dt.date(2024, 5, 1),
        dt.date(2029, 4, 30),
    )
    assert document.sha256 == sha256
    assert document.size_bytes == len(content)
    assert document.uploaded_by == people.officer
    assert before <= document.uploaded_at <= timezone.now()
    assert document.file.name == f"documents/{year}/{sha256}.pdf"
    assert stored_files(media) == [f"documents/{year}/{sha256}.pdf"]
    assert (media / document.file.name).read_bytes() == content
    record = document.history.get()
    assert record.history_type == "+"
    assert record.history_change_reason == "Uploaded version 1 of mou"
    assert record.history_user == people.officer


def test_an_administrator_may_upload(partnership: Partnership, people: People) -> None:
    document = upload(partnership, people.administrator)

    assert document.version == 1
    assert document.uploaded_by == people.administrator


def test_second_upload_supersedes_the_first(
    partnership: Partnership, people: People, media: Path
) -> None:
    first = upload(partnership, people.officer)
    second = upload(
        partnership,
        people.officer,
        title="MoU Semarang–Brisbane (amended)",
        upload=SimpleUploadedFile("mou-amended.pdf", pdf("Nota Kesepahaman, perubahan")),
    )

    first.refresh_from_db()
    assert second.version == 2
    assert second.supersedes == first
    assert first.superseded_by == second
    assert first.version == 1
    assert second.history.get().history_change_reason == "Uploaded version 2 of mou"
    assert len(stored_files(media)) == 2


def test_versions_count_per_kind(partnership: Partnership, people: People) -> None:
    upload(partnership, people.officer)
    letter = upload(
        partnership,
        people.officer,
        kind="loi",
        title="LoI",
        upload=SimpleUploadedFile("loi.pdf", pdf("Letter of intent")),
        signed_on=dt.date(2023, 1, 5),
        valid_from=None,
        valid_until=None,
    )

    assert letter.version == 1
    assert letter.supersedes is None


def test_the_current_file_again_is_refused(
    partnership: Partnership, people: People, media: Path
) -> None:
    first = upload(partnership, people.officer)

    with pytest.raises(DocumentRejected) as rejected:
        upload(partnership, people.officer, upload=SimpleUploadedFile("copy.pdf", pdf()))

    assert rejected.value.messages == [
        f"This file is already version 1, the current {MOU}; nothing was added. "
        "To replace it, upload the new file."
    ]
    assert list(PartnershipDocument.objects.all()) == [first]
    assert stored_files(media) == [first.file.name]


def test_the_same_bytes_are_stored_once(
    partnership: Partnership, people: People, media: Path
) -> None:
    other = PartnershipFactory.create(slug="smg-other", partner_name="Other")
    first = upload(partnership, people.officer)
    upload(partnership, people.officer, upload=SimpleUploadedFile("b.pdf", pdf("Amended")))
    reverted = upload(partnership, people.officer, upload=SimpleUploadedFile("a.pdf", pdf()))
    elsewhere = upload(other, people.officer, upload=SimpleUploadedFile("a.pdf", pdf()))

    assert reverted.version == 3
    assert reverted.file.name == first.file.name == elsewhere.file.name
    assert len(stored_files(media)) == 2


def test_a_different_file_under_the_same_name_is_kept(
    partnership: Partnership, people: People, media: Path
) -> None:
    content = pdf()
    sha256 = hashlib.sha256(content).hexdigest()
    name = f"documents/{timezone.localdate().year}/{sha256}.pdf"
    (media / name).parent.mkdir(parents=True)
    (media / name).write_bytes(b"half-written")

    document = upload(partnership, people.officer, upload=SimpleUploadedFile("a.pdf", content))

    assert document.file.name != name
    assert (media / document.file.name).read_bytes() == content
    assert (media / name).read_bytes() == b"half-written"


@pytest.mark.parametrize(
    "who", ["agency_officer", "council_member", "leadership", "other_officer", "partner"]
)
def test_upload_without_permission_stores_nothing(
    partnership: Partnership, people: People, media: Path, who: str
) -> None:
    with pytest.raises(PermissionDenied) as denied:
        upload(partnership, getattr(people, who))

    assert str(denied.value) == "You may not add documents to this partnership."
    assert PartnershipDocument.objects.count() == 0
    assert PartnershipDocument.history.count() == 0
    assert stored_files(media) == []


def test_an_officer_may_not_upload_to_another_regions_partnership(
    people: People, media: Path
) -> None:
    magelang = PartnershipFactory.create(
        slug="mgl-partner", local_region=RegionFactory.create(kode="33.71")
    )

    with pytest.raises(PermissionDenied):
        upload(magelang, people.officer)

    assert PartnershipDocument.objects.count() == 0
    assert stored_files(media) == []


# --- validity rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "dates", "messages"),
    [
        pytest.param(
            "mou",
            {"signed_on": None, "valid_from": None, "valid_until": None},
            [
                f"Give the signing date (required for {MOU}).",
                f"Give the date the validity starts (required for {MOU}).",
                f"Give the date the validity ends (required for {MOU}).",
            ],
            id="mou-without-dates",
        ),
        pytest.param(
            "mou",
            {"valid_until": None},
            [f"Give the date the validity ends (required for {MOU})."],
            id="mou-without-end",
        ),
        pytest.param(
            "mou",
            {"valid_from": dt.date(2024, 5, 1), "valid_until": dt.date(2024, 4, 30)},
            [
                "The validity must end on or after the day it starts; check the dates "
                "“valid from” and “valid until”."
            ],
            id="mou-ends-before-it-starts",
        ),
        pytest.param(
            "loi",
            {"valid_from": dt.date(2023, 1, 5), "valid_until": dt.date(2024, 1, 5)},
            ["Remove the validity dates: Letter of intent (LoI) has no validity period."],
            id="loi-with-validity",
        ),
    ],
)
def test_validity_rules_refuse(
    partnership: Partnership,
    people: People,
    media: Path,
    kind: str,
    dates: dict[str, dt.date | None],
    messages: list[str],
) -> None:
    with pytest.raises(DocumentRejected) as rejected:
        upload(partnership, people.officer, kind=kind, **dates)

    assert rejected.value.messages == messages
    assert PartnershipDocument.objects.count() == 0
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("kind", "dates"),
    [
        pytest.param("loi", {"valid_from": None, "valid_until": None}, id="loi-signed"),
        pytest.param(
            "loi", {"signed_on": None, "valid_from": None, "valid_until": None}, id="loi-undated"
        ),
        pytest.param(
            "mou", {"valid_from": dt.date(2024, 5, 1), "valid_until": dt.date(2024, 5, 1)}, id="mou"
        ),
    ],
)
def test_validity_rules_accept(
    partnership: Partnership, people: People, kind: str, dates: dict[str, dt.date | None]
) -> None:
    document = upload(partnership, people.officer, kind=kind, **dates)

    assert document.kind.code == kind
    assert document.valid_until == dates["valid_until"]


# --- expiry --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valid_until", "expected"),
    [
        (None, "none"),
        (TODAY + dt.timedelta(days=181), "valid"),
        (TODAY + dt.timedelta(days=180), "expiring"),
        (TODAY, "expiring"),
        (TODAY - dt.timedelta(days=1), "expired"),
    ],
)
def test_agreement_expiry(valid_until: dt.date | None, expected: str) -> None:
    assert agreement_expiry(valid_until, today=TODAY) == expected


def test_document_expiry(partnership: Partnership, people: People) -> None:
    old = make_document(partnership, people.officer, valid_until=TODAY - dt.timedelta(days=3))
    current = make_document(
        partnership,
        people.officer,
        valid_until=TODAY + dt.timedelta(days=30),
        version=2,
        supersedes=old,
    )
    letter = make_document(partnership, people.officer, kind="loi", valid_until=None)

    assert document_expiry(current, today=TODAY) == "expiring"
    assert document_expiry(current, today=TODAY + dt.timedelta(days=31)) == "expired"
    assert document_expiry(current, today=TODAY - dt.timedelta(days=151)) == "valid"
    assert document_expiry(old, today=TODAY) == "none"
    assert document_expiry(letter, today=TODAY) == "none"


def test_agreement_status_ignores_superseded_versions(
    partnership: Partnership, people: People
) -> None:
    old = make_document(partnership, people.officer, valid_until=TODAY + dt.timedelta(days=20))
    renewed = make_document(
        partnership,
        people.officer,
        valid_until=TODAY + dt.timedelta(days=1000),
        version=2,
        supersedes=old,
    )
    make_document(
        partnership, people.officer, kind="pks", valid_until=TODAY + dt.timedelta(days=90)
    )
    make_document(partnership, people.officer, kind="loi", valid_until=None)

    assert partnership_agreement_status(partnership, today=TODAY) == {
        "document": renewed,
        "valid_until": TODAY + dt.timedelta(days=1000),
        "days_left": 1000,
        "status": "valid",
        "expiring": False,
        "expired": False,
    }


@pytest.mark.parametrize(
    ("days", "status", "expiring", "expired"),
    [(180, "expiring", True, False), (-2, "expired", False, True)],
)
def test_agreement_status_flags(
    partnership: Partnership,
    people: People,
    days: int,
    status: str,
    expiring: bool,
    expired: bool,
) -> None:
    document = make_document(
        partnership, people.officer, valid_until=TODAY + dt.timedelta(days=days)
    )

    assert partnership_agreement_status(partnership, today=TODAY) == {
        "document": document,
        "valid_until": TODAY + dt.timedelta(days=days),
        "days_left": days,
        "status": status,
        "expiring": expiring,
        "expired": expired,
    }


def test_agreement_status_without_an_agreement(partnership: Partnership, people: People) -> None:
    make_document(partnership, people.officer, kind="loi", valid_until=None)

    assert partnership_agreement_status(partnership, today=TODAY) == {
        "document": None,
        "valid_until": None,
        "days_left": None,
        "status": "none",
        "expiring": False,
        "expired": False,
    }


def test_partnerships_expiring(people: People) -> None:
    def partnership_with(slug: str, days: int | None, **fields: Any) -> Partnership:
        partnership = PartnershipFactory.create(slug=slug, partner_name=slug, **fields)
        if days is not None:
            make_document(partnership, people.officer, valid_until=TODAY + dt.timedelta(days=days))
        return partnership

    active = LifecycleState.objects.get(code="active")
    partnership_with("soon", 100, state=active)
    partnership_with("at-the-edge", 180)
    partnership_with("later", 181, state=active)
    partnership_with("expired", -5, state=active)
    partnership_with("terminated", 50, state=LifecycleState.objects.get(code="terminated"))
    partnership_with("no-agreement", None, state=active)
    renewed = partnership_with("renewed", None, state=active)
    old = make_document(renewed, people.officer, valid_until=TODAY + dt.timedelta(days=10))
    make_document(
        renewed,
        people.officer,
        valid_until=TODAY + dt.timedelta(days=2000),
        version=2,
        supersedes=old,
    )

    expiring = partnerships_expiring(today=TODAY)
    with_expired = partnerships_expiring(today=TODAY, include_expired=True)

    assert [(p.slug, p.agreement_valid_until) for p in expiring] == [  # type: ignore[attr-defined]
        ("soon", TODAY + dt.timedelta(days=100)),
        ("at-the-edge", TODAY + dt.timedelta(days=180)),
    ]
    assert [p.slug for p in with_expired] == ["expired", "soon", "at-the-edge"]
    assert [p.slug for p in partnerships_expiring(today=TODAY, within_days=100)] == ["soon"]
    annotated = partnerships_annotate_agreement(Partnership.objects.filter(slug="renewed"))
    assert [p.agreement_valid_until for p in annotated] == [  # type: ignore[attr-defined]
        TODAY + dt.timedelta(days=2000)
    ]
