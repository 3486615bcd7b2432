"""Secrets at rest: the second-factor key encrypted, recovery codes keyed-hashed.

The encryption key is derived (HKDF-SHA-256) from the setting
``KEMBAR_FIELD_KEY`` when it is set, else from ``SECRET_KEY``.  Older keys
(``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` after ``KEMBAR_FIELD_KEY`` is
introduced, or after ``SECRET_KEY`` is rotated) still decrypt, so rotating a
key does not lock anyone out; values are re-encrypted with the current key
the next time they are written.  Fernet (AES-128-CBC with HMAC-SHA-256) is the
authenticated scheme of the ``cryptography`` package.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["SecretUnreadable", "decrypt", "encrypt", "keyed_digests"]


class SecretUnreadable(Exception):
    """The stored value was encrypted with a key this instance no longer has."""


def _secrets() -> list[str]:
    """The configured secrets, the current one first."""
    field_key = str(getattr(settings, "KEMBAR_FIELD_KEY", "") or "")
    older = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [field_key, *older] if field_key else older


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


def _fernet() -> MultiFernet:
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(_derive(secret, b"kembar field encryption v1")))
            for secret in _secrets()
        ]
    )


def encrypt(plain: str) -> str:
    """``plain`` encrypted with the current key, as text for a database column."""
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt(stored: str) -> str:
    """The plain text of a value made by :func:`encrypt` with the current or an older key.

    Raises
    ------
    SecretUnreadable
        If no configured key opens it.
    """
    try:
        return _fernet().decrypt(stored.encode("ascii")).decode()
    except InvalidToken as error:
        raise SecretUnreadable("no configured key decrypts this value") from error


def keyed_digests(value: str) -> list[str]:
    """HMAC-SHA-256 of ``value`` under each configured key, the current one first.

    Stored codes are compared by digest, so the database never holds them;
    the key keeps a stolen database from being searched offline.
    """
    return [
        hmac.new(
            _derive(secret, b"kembar recovery codes v1"), value.encode(), hashlib.sha256
        ).hexdigest()
        for secret in _secrets()
    ]
