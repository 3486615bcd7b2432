"""Time-based one-time passwords (TOTP, RFC 6238) for the second sign-in factor.

A thin layer over PyOTP, the well-kept implementation: it adds what Kembar
needs around it and PyOTP leaves to the caller, namely aware datetimes only,
a window of accepted steps that also returns the matched step (stored as used,
so that a code cannot be replayed), and the secret grouped for typing by hand.
The parameters are those every authenticator app understands by default:
HMAC-SHA-1, 30-second steps, 6 digits.

References
----------
.. [1] D. M'Raihi et al., "TOTP: Time-Based One-Time Password Algorithm",
   RFC 6238, 2011.
.. [2] PyOTP, https://pyauth.github.io/pyotp/
"""

from __future__ import annotations

import binascii
import datetime as dt
import hmac

import pyotp

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
#: Base32 characters of a new secret: 160 bits, the HMAC-SHA-1 output length.
SECRET_LENGTH = 32


class InvalidSecret(ValueError):
    """The secret is not valid base32, or too short to be safe (under 112 bits)."""


def new_secret() -> str:
    """A new random secret of 160 bits, as unpadded base32.

    Examples
    --------
    >>> secret = new_secret()
    >>> len(secret), secret.isupper()
    (32, True)
    """
    return pyotp.random_base32(SECRET_LENGTH)


def format_secret(secret: str) -> str:
    """The secret in groups of four characters, for typing it into an app by hand.

    Examples
    --------
    >>> format_secret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    'GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ'
    """
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def _generator(secret: str, digits: int = DIGITS) -> pyotp.TOTP:
    cleaned = secret.replace(" ", "").upper().rstrip("=")
    try:
        return pyotp.TOTP(cleaned, digits=digits, interval=PERIOD)
    except (binascii.Error, ValueError) as error:
        raise InvalidSecret(str(error)) from error


def _seconds(at: dt.datetime | float) -> float:
    if isinstance(at, dt.datetime):
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("a naive datetime is ambiguous; pass an aware one")
        return at.timestamp()
    return float(at)


def time_step(at: dt.datetime | float) -> int:
    """The RFC 6238 time step ``T`` that contains the moment ``at``.

    Examples
    --------
    >>> time_step(59), time_step(60)
    (1, 2)
    """
    return int(_seconds(at) // PERIOD)


def totp(secret: str, at: dt.datetime | float, *, digits: int = DIGITS) -> str:
    """The code for ``secret`` (base32; case, spaces and padding do not matter) at ``at``.

    Examples
    --------
    The first SHA-1 test vector of RFC 6238, Appendix B:

    >>> totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59, digits=8)
    '94287082'
    """
    return _generator(secret, digits).generate_otp(time_step(at))


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
    accepted (clock drift, slow typing).  A step at or before ``last_step``
    (the step of the last code accepted) is refused, so a code cannot be
    replayed.  PyOTP's own ``verify`` answers only yes or no, which is not
    enough to record the step, hence the loop over its ``generate_otp``.

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
    generator = _generator(secret, digits)
    current = time_step(at)
    for step in range(current - window, current + window + 1):
        if step < 0 or (last_step is not None and step <= last_step):
            continue
        if hmac.compare_digest(generator.generate_otp(step), typed):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str = "Kembar") -> str:
    """The ``otpauth://`` URI that authenticator apps read to add the account.

    Examples
    --------
    >>> provisioning_uri("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", account="siti.rahma")
    'otpauth://totp/Kembar:siti.rahma?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Kembar'
    """
    return _generator(secret).provisioning_uri(name=account, issuer_name=issuer)
