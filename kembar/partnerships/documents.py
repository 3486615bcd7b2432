"""Documents of a partnership: check an uploaded PDF, store it as a new version, tell its expiry.

A document is never overwritten: a new upload of the same kind becomes the
next version and *supersedes* the one before, which stays readable.  Only
the current (not superseded) version of a kind counts for expiry, for the
agreement status shown in lists and for reminders
(:mod:`kembar.partnerships.reminders`).

Files are stored under a name derived from their SHA-256, so the same bytes
are stored once however often they are uploaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal, TypedDict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kembar.accounts.models import User
from kembar.common.text import check_text
from kembar.partnerships.models import DocumentKind, Partnership, PartnershipDocument
from kembar.partnerships.pdf_content import pdf_content_problems

__all__ = [
    "EXPIRING_WITHIN_DAYS",
    "AgreementStatus",
    "DocumentRejected",
    "Expiry",
    "agreement_expiry",
    "document_expiry",
    "documents_current",
    "partnership_agreement_status",
    "partnership_current_agreement",
    "partnership_document_upload",
    "partnerships_annotate_agreement",
    "partnerships_expiring",
    "pdf_check",
]

Expiry = Literal["valid", "expiring", "expired", "none"]

#: An agreement this close to its end is flagged ``expiring``; matches the first reminder.
EXPIRING_WITHIN_DAYS = 180

_PDF_MARKERS = (b"%PDF-1.", b"%PDF-2.")
# Readers accept the header anywhere in the first 1024 bytes (some scanners
# write a preamble), so a marker may start at byte 1023 and run past it.
_HEAD_BYTES = 1024 + len(_PDF_MARKERS[0]) - 1
_TAIL_BYTES = 2048
_EOF_MARKER = b"%%EOF"
_MEGABYTE = 1024 * 1024
_CHUNK_BYTES = 64 * 1024


class DocumentRejected(Exception):
    """An upload was refused; ``messages`` say, in the user's language, what to fix."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


def _megabytes(size: int) -> str:
    value = size / _MEGABYTE
    return number_format(value, decimal_pos=0 if value.is_integer() else 1)


def pdf_check(upload: UploadedFile) -> tuple[str, int]:
    """Return the SHA-256 (hex) and size of an uploaded PDF, or raise :class:`DocumentRejected`.

    The content decides, not the name: a PDF starts with ``%PDF-1.`` or
    ``%PDF-2.`` within its first 1024 bytes and ends with ``%%EOF`` within
    its last 2048.  The name must end in ``.pdf`` as well, so that the file
    opens as a PDF when it is downloaded.  The file is read in chunks and
    left at its start.
    """
    problems: list[str] = []
    name = upload.name or ""
    if not name.lower().endswith(".pdf"):
        problems.append(
            _("The file name “%(name)s” does not end in .pdf; upload the document saved as PDF.")
            % {"name": name}
        )
    limit = settings.KEMBAR_MAX_UPLOAD_BYTES
    too_large = _(
        "The file is larger than the limit of %(limit)s MB; scan it at a lower resolution "
        "or compress it, then upload it again."
    ) % {"limit": _megabytes(limit)}
    if upload.size is not None and upload.size > limit:
        # Reading a file that will be refused anyway is wasted work.
        raise DocumentRejected([*problems, too_large])

    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    # Not ``upload.chunks()``: for a file held in memory it yields a copy of
    # the whole content at once.
    upload.seek(0)
    while chunk := upload.read(_CHUNK_BYTES):
        size += len(chunk)
        if size > limit:  # the declared size was wrong
            upload.seek(0)
            raise DocumentRejected([*problems, too_large])
        digest.update(chunk)
        if len(head) < _HEAD_BYTES:
            head += chunk[: _HEAD_BYTES - len(head)]
        tail = (tail + chunk)[-_TAIL_BYTES:]
    upload.seek(0)

    if size == 0:
        problems.append(
            _("The file is empty; choose the scanned or exported PDF and upload it again.")
        )
    elif not any(marker in head for marker in _PDF_MARKERS):
        problems.append(
            _(
                "The file's content is not a PDF; save or scan the document as PDF "
                "and upload that file."
            )
        )
    elif _EOF_MARKER not in tail:
        problems.append(
            _("The PDF is incomplete (its end is missing); upload the complete file again.")
        )
    else:
        problems.extend(pdf_content_problems(upload))
    if problems:
        raise DocumentRejected(problems)
    return digest.hexdigest(), size


def _metadata_problems(
    *,
    kind: DocumentKind | None,
    kind_code: str,
    title: str,
    language: str,
    signed_on: dt.date | None,
    valid_from: dt.date | None,
    valid_until: dt.date | None,
) -> list[str]:
    problems: list[str] = []
    if kind is None:
        problems.append(
            _("Choose the kind of document; “%(kind)s” is not one Kembar knows.")
            % {"kind": kind_code}
        )
    if language not in PartnershipDocument.Language.values:
        problems.append(
            _("Choose the language of the document from the list; “%(language)s” is not one.")
            % {"language": language}
        )
    max_title = PartnershipDocument._meta.get_field("title").max_length or 200
    if not title:
        problems.append(_("Give the document a title."))
    elif (refused := check_text(title, _("Title"))) is not None:
        problems.append(refused)
    elif len(title) > max_title:
        problems.append(_("Shorten the title to at most %(max)d characters.") % {"max": max_title})
    if kind is not None and kind.has_validity:
        if signed_on is None:
            problems.append(
                _("Give the signing date (required for %(kind)s).") % {"kind": kind.name}
            )
        if valid_from is None:
            problems.append(
                _("Give the date the validity starts (required for %(kind)s).")
                % {"kind": kind.name}
            )
        if valid_until is None:
            problems.append(
                _("Give the date the validity ends (required for %(kind)s).") % {"kind": kind.name}
            )
    elif kind is not None and (valid_from is not None or valid_until is not None):
        problems.append(
            _("Remove the validity dates: %(kind)s has no validity period.") % {"kind": kind.name}
        )
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        problems.append(
            _(
                "The validity must end on or after the day it starts; check the dates "
                "“valid from” and “valid until”."
            )
        )
    return problems


def _file_digest(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as stored:
        for chunk in stored.chunks():
            digest.update(chunk)
    return digest.hexdigest()


def partnership_document_upload(
    *,
    partnership: Partnership,
    kind: str,
    title: str,
    language: str,
    upload: UploadedFile,
    uploader: User,
    signed_on: dt.date | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> PartnershipDocument:
    """Store an uploaded PDF as the next version of its kind for ``partnership``.

    Raises :class:`~django.core.exceptions.PermissionDenied` when ``uploader``
    may not add documents to the partnership, and :class:`DocumentRejected`
    with every problem found (metadata and file together) otherwise; in
    both cases nothing is stored.  The new document supersedes the current
    version of the same kind; the partnership row is locked meanwhile, so two
    uploads at once get consecutive versions.  Uploading the file that is
    already the current version is refused rather than stored twice.
    """
    if not uploader.has_perm("partnerships.add_partnershipdocument", partnership):
        raise PermissionDenied(_("You may not add documents to this partnership."))
    title = title.strip()
    kind_obj = DocumentKind.objects.filter(code=kind).first()
    problems = _metadata_problems(
        kind=kind_obj,
        kind_code=kind,
        title=title,
        language=language,
        signed_on=signed_on,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    try:
        sha256, size = pdf_check(upload)
    except DocumentRejected as rejected:
        problems.extend(rejected.messages)
    if problems or kind_obj is None:
        raise DocumentRejected(problems)

    with transaction.atomic():
        locked = Partnership.objects.select_for_update().get(pk=partnership.pk)
        previous = (
            PartnershipDocument.objects.filter(partnership=locked, kind=kind_obj)
            .order_by("-version")
            .first()
        )
        if previous is not None and previous.sha256 == sha256:
            raise DocumentRejected(
                [
                    _(
                        "This file is already version %(version)d, the current %(kind)s; "
                        "nothing was added. To replace it, upload the new file."
                    )
                    % {"version": previous.version, "kind": kind_obj.name}
                ]
            )
        uploaded_at = timezone.now()
        document = PartnershipDocument(
            partnership=locked,
            kind=kind_obj,
            title=title,
            language=language,
            version=previous.version + 1 if previous is not None else 1,
            supersedes=previous,
            signed_on=signed_on,
            valid_from=valid_from,
            valid_until=valid_until,
            sha256=sha256,
            size_bytes=size,
            uploaded_by=uploader,
            uploaded_at=uploaded_at,
        )
        storage = document.file.storage
        name = f"documents/{timezone.localtime(uploaded_at):%Y}/{sha256}.pdf"
        written = False
        if storage.exists(name) and _file_digest(storage, name) == sha256:
            document.file.name = name
        else:
            # A different file under this name (an interrupted write) is kept
            # for inspection; the storage picks a free name beside it.
            document.file.name = storage.save(
                name, upload, max_length=document.file.field.max_length
            )
            written = True
        document._change_reason = f"Uploaded version {document.version} of {kind_obj.code}"  # type: ignore[attr-defined]
        document._history_user = uploader  # type: ignore[attr-defined]
        saved = False
        try:
            document.full_clean()
            document.save()
            saved = True
        except ValidationError as invalid:
            raise DocumentRejected(invalid.messages) from invalid
        finally:
            if written and not saved:
                storage.delete(document.file.name)
    return document


def documents_current() -> QuerySet[PartnershipDocument]:
    """Documents that no later version has superseded."""
    return PartnershipDocument.objects.filter(superseded_by__isnull=True)


def agreement_expiry(valid_until: dt.date | None, *, today: dt.date) -> Expiry:
    """Where an agreement valid until ``valid_until`` stands on ``today``.

    It is still valid on its last day; ``expiring`` from
    :data:`EXPIRING_WITHIN_DAYS` days before.
    """
    if valid_until is None:
        return "none"
    if valid_until < today:
        return "expired"
    if (valid_until - today).days <= EXPIRING_WITHIN_DAYS:
        return "expiring"
    return "valid"


def document_expiry(document: PartnershipDocument, *, today: dt.date) -> Expiry:
    """Where ``document`` stands on ``today``; ``none`` for a kind without validity.

    A superseded document is ``none`` too: only the current version of a kind
    counts.  Select or prefetch ``kind`` and ``superseded_by`` when calling
    this for many documents.
    """
    if not document.kind.has_validity:
        return "none"
    # The reverse one-to-one raises (an AttributeError) when nothing supersedes it.
    if hasattr(document, "superseded_by"):
        return "none"
    return agreement_expiry(document.valid_until, today=today)


def _current_agreements() -> QuerySet[PartnershipDocument]:
    # Of several current agreements (an MoU and a later addendum or PKS), the
    # one valid longest says until when the partnership is covered.
    return (
        documents_current()
        .filter(kind__has_validity=True, valid_until__isnull=False)
        .order_by("-valid_until", "-uploaded_at", "-id")
    )


def partnership_current_agreement(partnership: Partnership) -> PartnershipDocument | None:
    """The current document with validity that runs longest, or ``None``."""
    return _current_agreements().filter(partnership=partnership).select_related("kind").first()


class AgreementStatus(TypedDict):
    """What :func:`partnership_agreement_status` returns.

    ``days_left`` is negative once the agreement has expired.
    """

    document: PartnershipDocument | None
    valid_until: dt.date | None
    days_left: int | None
    status: Expiry
    expiring: bool
    expired: bool


def partnership_agreement_status(partnership: Partnership, *, today: dt.date) -> AgreementStatus:
    """The partnership's current agreement and whether it is expiring or expired on ``today``."""
    document = partnership_current_agreement(partnership)
    valid_until = document.valid_until if document is not None else None
    status = agreement_expiry(valid_until, today=today)
    return {
        "document": document,
        "valid_until": valid_until,
        "days_left": (valid_until - today).days if valid_until is not None else None,
        "status": status,
        "expiring": status == "expiring",
        "expired": status == "expired",
    }


def _agreement_valid_until() -> Subquery:
    return Subquery(
        _current_agreements().filter(partnership=OuterRef("pk")).values("valid_until")[:1]
    )


def partnerships_annotate_agreement(
    partnerships: QuerySet[Partnership],
) -> QuerySet[Partnership]:
    """Add ``agreement_valid_until`` (the current agreement's end, or ``None``) to each row.

    One subquery, so a list can flag its rows with :func:`agreement_expiry`
    without a query per partnership.
    """
    return partnerships.annotate(agreement_valid_until=_agreement_valid_until())


def partnerships_expiring(
    *,
    today: dt.date,
    within_days: int = EXPIRING_WITHIN_DAYS,
    include_expired: bool = False,
) -> QuerySet[Partnership]:
    """Partnerships whose current agreement ends within ``within_days`` of ``today``.

    Soonest first, annotated with ``agreement_valid_until``.  Partnerships in
    a final stage (completed, lapsed, terminated) are left out; so are those
    whose agreement has already expired unless ``include_expired``.
    """
    earliest = dt.date.min if include_expired else today
    return (
        Partnership.objects.exclude(state__is_terminal=True)
        .annotate(agreement_valid_until=_agreement_valid_until())
        .filter(
            agreement_valid_until__gte=earliest,
            agreement_valid_until__lte=today + dt.timedelta(days=within_days),
        )
        .select_related("local_region", "partner_country", "state")
        .order_by("agreement_valid_until", "id")
    )
