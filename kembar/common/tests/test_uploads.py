"""A file over the limit is dropped while it streams in; the form still gets its fields."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from kembar.common.uploads import RefusedUpload, SizeLimitUploadHandler, UploadLimitMiddleware


class Recorder(FileUploadHandler):
    """Counts the bytes that reach the handlers after the limit (memory, temporary file)."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.seen = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.seen += len(raw_data)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def parsed(request: HttpRequest) -> HttpRequest:
    UploadLimitMiddleware(lambda _request: HttpResponse())(request)
    request.POST  # noqa: B018 - reading it parses the body, as CsrfViewMiddleware does
    return request


def test_a_file_over_the_limit_arrives_as_a_refused_upload(settings: Any) -> None:
    settings.KEMBAR_MAX_UPLOAD_BYTES = 100_000
    content = b"x" * 300_000
    request = RequestFactory().post(
        "/upload/",
        {
            "csrfmiddlewaretoken": "token",
            "file": SimpleUploadedFile("besar.xlsx", content),
            "title": "after the file",
        },
    )
    recorder = Recorder(request)
    request.upload_handlers = [recorder, *request.upload_handlers]

    parsed(request)

    upload = request.FILES["file"]
    assert isinstance(upload, RefusedUpload)
    assert (upload.name, upload.size, upload.read()) == ("besar.xlsx", 300_000, b"")
    assert request.POST["title"] == "after the file"
    assert request.POST["csrfmiddlewaretoken"] == "token"
    # The handlers after the limit got the file only up to the chunk that crossed it.
    assert recorder.seen <= 100_000 + 64 * 1024


def test_a_file_within_the_limit_is_untouched(settings: Any) -> None:
    settings.KEMBAR_MAX_UPLOAD_BYTES = 100_000
    request = RequestFactory().post(
        "/upload/", {"file": SimpleUploadedFile("kecil.csv", b"a,b\n1,2\n")}
    )

    parsed(request)

    upload = request.FILES["file"]
    assert not isinstance(upload, RefusedUpload | list)
    assert upload.read() == b"a,b\n1,2\n"


def test_a_part_that_declares_its_length_is_refused_at_once(settings: Any) -> None:
    settings.KEMBAR_MAX_UPLOAD_BYTES = 10
    handler = SizeLimitUploadHandler()
    handler.new_file("file", "mou.pdf", "application/pdf", 5_000)

    assert handler.receive_data_chunk(b"x" * 8, 0) is None
    refused = handler.file_complete(8)
    assert isinstance(refused, RefusedUpload)
    assert refused.size == 5_000
