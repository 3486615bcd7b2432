"""Time-based one-time passwords (TOTP, RFC 6238) for the second sign-in factor.

Pure functions over a base32 secret and a moment in time, built on the
standard library only.  The parameters are those every authenticator app
understands by default: HMAC-SHA-1, 30-second steps, 6 digits.

The algorithm (RFC 6238, section 4, over HOTP of RFC 4226, section 5.3)::

    T    = floor((unix_time - T0) / X)          T0 = 0, X = 30 s
    HS   = HMAC-SHA-1(K, T as 8-byte big-endian)
    o    = HS[19] & 0x0f
    code = (HS[o:o+4] as 31-bit big-endian integer) mod 10**digits

References
----------
.. [1] D. M'Raihi et al., "TOTP: Time-Based One-Time Password Algorithm",
   RFC 6238, 2011.
.. [2] D. M'Raihi et al., "HOTP: An HMAC-Based One-Time Password Algorithm",
   RFC 4226, 2005.
.. [3] "Key Uri Format", google-authenticator wiki (the ``otpauth://`` URI).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

__all__ = [
    "DIGITS",
    "PERIOD",
    "InvalidSecret",
    "format_secret",
    "new_secret",
    "provisioning_uri",
    "time_step",
    "totp",
    "verify",
]

#: Seconds per time step (RFC 6238 ``X``).
PERIOD = 30
#: Digits in a code.
DIGITS = 6
#: Bytes of a new secret: 160 bits, the HMAC-SHA-1 output length (RFC 4226, section 4).
SECRET_BYTES = 20


class InvalidSecret(ValueError):
    """The secret is not valid base32."""


def new_secret() -> str:
    """A new random secret of 160 bits, as unpadded base32.

    Returns
    -------
    str
        32 characters from ``A``–``Z`` and ``2``–``7``.

    Examples
    --------
    >>> secret = new_secret()
    >>> len(secret), secret.isupper()
    (32, True)
    """
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def format_secret(secret: str) -> str:
    """The secret in groups of four characters, for typing it into an app by hand.

    Examples
    --------
    >>> format_secret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    'GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ'
    """
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    try:
        key = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except binascii.Error as error:
        raise InvalidSecret(str(error)) from error
    if not key:
        raise InvalidSecret("empty secret")
    return key


def _seconds(at: dt.datetime | float) -> float:
    if isinstance(at, dt.datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("a naive datetime is ambiguous; pass an aware one")
        return at.timestamp()
    return float(at)


def time_step(at: dt.datetime | float) -> int:
    """The RFC 6238 time step ``T`` that contains the moment ``at``.

    Parameters
    ----------
    at : datetime or float
        An aware datetime, or seconds since the Unix epoch.

    Examples
    --------
    >>> time_step(59), time_step(60)
    (1, 2)
    """
    return int(_seconds(at) // PERIOD)


def _hotp(key: bytes, counter: int, digits: int) -> str:
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def totp(secret: str, at: dt.datetime | float, *, digits: int = DIGITS) -> str:
    """The code for ``secret`` at the moment ``at``.

    Parameters
    ----------
    secret : str
        The shared secret in base32 (case, spaces and padding do not matter).
    at : datetime or float
        An aware datetime, or seconds since the Unix epoch.
    digits : int, optional
        Length of the code (6 by default; RFC 6238's test vectors use 8).

    Returns
    -------
    str
        The code, zero-padded to ``digits`` characters.

    Raises
    ------
    InvalidSecret
        If ``secret`` is not base32.

    Examples
    --------
    The first SHA-1 test vector of RFC 6238, Appendix B (ASCII secret
    ``12345678901234567890``, 59 seconds after the epoch):

    >>> totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59, digits=8)
    '94287082'
    """
    return _hotp(_key(secret), time_step(at), digits)


def verify(
    secret: str,
    code: str,
    *,
    at: dt.datetime | float,
    last_step: int | None,
    window: int = 1,
    digits: int = DIGITS,
) -> int | None:
    """The time step whose code matches ``code``, or ``None``.

    Steps from ``window`` before to ``window`` after the current one are
    accepted, to allow for clocks that drift and codes typed slowly.  A step
    at or before ``last_step`` (the step of the last code accepted) is
    refused, so that a code, once used, cannot be replayed.

    Parameters
    ----------
    secret : str
        The shared secret in base32.
    code : str
        The code the person typed; spaces are ignored.
    at : datetime or float
        The moment of verification (an aware datetime or Unix seconds).
    last_step : int or None
        The step of the last accepted code, ``None`` if none was accepted.
    window : int, optional
        How many steps either side of the current one to accept.
    digits : int, optional
        Length of the code.

    Returns
    -------
    int or None
        The matched step, to be stored as the new ``last_step``.

    Examples
    --------
    >>> secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    >>> verify(secret, "287082", at=59, last_step=None)
    1
    >>> verify(secret, "287082", at=59, last_step=1) is None
    True
    """
    typed = code.replace(" ", "")
    if len(typed) != digits or not typed.isascii() or not typed.isdigit():
        return None
    key = _key(secret)
    current = time_step(at)
    for step in range(current - window, current + window + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(_hotp(key, step, digits), typed):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str = "Kembar") -> str:
    """The ``otpauth://`` URI that authenticator apps read to add the account.

    Parameters
    ----------
    secret : str
        The shared secret in base32.
    account : str
        The name the app shows under the issuer (the username).
    issuer : str, optional
        The service name the app shows.

    Examples
    --------
    >>> provisioning_uri("GEZDGNBVGY3TQOJQ", account="siti.rahma")
    'otpauth://totp/Kembar:siti.rahma?secret=GEZDGNBVGY3TQOJQ&issuer=Kembar&algorithm=SHA1&digits=6&period=30'
    """
    label = f"{quote(issuer, safe='')}:{quote(account, safe='')}"
    query = urlencode(
        {
            "secret": secret.replace(" ", "").upper().rstrip("="),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": PERIOD,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
