"""Uploaded files stop at ``KEMBAR_MAX_UPLOAD_BYTES`` while they stream in.

Django keeps a file of up to ``FILE_UPLOAD_MAX_MEMORY_SIZE`` in memory and
writes a larger one to a temporary file, whatever its size: a 200 MB upload
used to reach the disk (and then memory, when a view read it) before any
check.  :class:`SizeLimitUploadHandler` sits first among the upload handlers
(:class:`UploadLimitMiddleware` puts it there, before the CSRF check reads the
form) and counts the bytes of each file as they arrive.  Once a file is over
the limit, the rest of it is read and thrown away, chunk by chunk, and the
form receives a :class:`RefusedUpload` in its place: it has the name and the
size seen so far and no content, so the service that checks sizes
(:func:`kembar.partnerships.documents.pdf_check`, the spreadsheet import)
refuses it with its own message, in the user's language, and the fields sent
with the file (the CSRF token, the title) still arrive.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse

__all__ = ["RefusedUpload", "SizeLimitUploadHandler", "UploadLimitMiddleware", "upload_limit"]


def upload_limit() -> int:
    """The largest file accepted, in bytes (``KEMBAR_MAX_UPLOAD_BYTES``)."""
    return int(settings.KEMBAR_MAX_UPLOAD_BYTES)


class RefusedUpload(UploadedFile):
    """A file that was over the limit: its name and the bytes counted, its content dropped."""

    refused = True

    def __init__(self, *, name: str, size: int, content_type: str | None) -> None:
        super().__init__(
            file=io.BytesIO(b""), name=name, content_type=content_type, size=size, charset=None
        )


class SizeLimitUploadHandler(FileUploadHandler):
    """Counts each file's bytes; past the limit, drops them and hands on a RefusedUpload."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = upload_limit()
        self.over = False
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        # A part that declares its length says at once that it is too large.
        self.over = self.content_length is not None and self.content_length > self.limit
        if self.over:
            self.received = self.content_length or 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if not self.over:
            self.received = start + len(raw_data)
            self.over = self.received > self.limit
        else:
            self.received = max(self.received, start + len(raw_data))
        # None stops the chunk here: the handlers after this one (memory,
        # temporary file) never see the bytes of a file over the limit.
        return None if self.over else raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.over:
            return None
        self.over = False
        return RefusedUpload(
            name=self.file_name or "", size=self.received, content_type=self.content_type
        )


class UploadLimitMiddleware:
    """Puts :class:`SizeLimitUploadHandler` first for every request that may carry files.

    It must come before ``CsrfViewMiddleware``, which reads the form (and so
    the files) to find its token.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            # Before anything reads the body the handlers are still a plain list.
            request.upload_handlers = [SizeLimitUploadHandler(request), *request.upload_handlers]
        return self.get_response(request)
