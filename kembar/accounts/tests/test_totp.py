from __future__ import annotations

import base64
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from kembar.accounts import totp

#: RFC 6238, Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "utc", "step", "code"),
    [
        (59, "1970-01-01 00:00:59", 0x1, "94287082"),
        (1111111109, "2005-03-18 01:58:29", 0x23523EC, "07081804"),
        (1111111111, "2005-03-18 01:58:31", 0x23523ED, "14050471"),
        (1234567890, "2009-02-13 23:31:30", 0x273EF07, "89005924"),
        (2000000000, "2033-05-18 03:33:20", 0x3F940AA, "69279037"),
        (20000000000, "2603-10-11 11:33:20", 0x27BC86AA, "65353130"),
    ],
)
def test_rfc6238_sha1_vectors(unix_time: int, utc: str, step: int, code: str) -> None:
    moment = dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC)

    assert moment.timestamp() == unix_time
    assert totp.time_step(unix_time) == step
    assert totp.totp(RFC_SECRET, unix_time, digits=8) == code
    assert totp.totp(RFC_SECRET, moment, digits=8) == code
    assert totp.totp(RFC_SECRET, unix_time) == code[-6:]
    assert totp.verify(RFC_SECRET, code, at=unix_time, last_step=None, digits=8) == step


def test_aware_datetimes_in_any_zone_give_the_same_code() -> None:
    jakarta = dt.timezone(dt.timedelta(hours=7))
    moment = dt.datetime(2009, 2, 14, 6, 31, 30, tzinfo=jakarta)

    assert totp.totp(RFC_SECRET, moment, digits=8) == "89005924"


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        totp.totp(RFC_SECRET, dt.datetime(2009, 2, 13, 23, 31, 30))  # noqa: DTZ001


def test_secret_is_read_in_any_case_with_spaces_and_without_padding() -> None:
    spaced = totp.format_secret(RFC_SECRET.lower())

    assert totp.totp(spaced, 59, digits=8) == "94287082"
    assert totp.totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59, digits=8) == "94287082"


@pytest.mark.parametrize("secret", ["not base32!", "", "A"])
def test_invalid_secret(secret: str) -> None:
    with pytest.raises(totp.InvalidSecret):
        totp.totp(secret, 59)


def test_new_secret_is_160_random_bits_in_base32() -> None:
    secrets = {totp.new_secret() for _ in range(50)}

    assert len(secrets) == 50
    for secret in secrets:
        assert len(secret) == 32
        assert len(base64.b32decode(secret)) == 20


def test_format_secret_groups_of_four() -> None:
    assert totp.format_secret("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == (
        "ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567"
    )


# Step 1234567890 // 30 = 41152263 starts at 1234567890 exactly; its neighbours:
AT = 1234567890
STEP = 41152263


def code_at_step(step: int) -> str:
    return totp.totp(RFC_SECRET, step * totp.PERIOD)


@pytest.mark.parametrize(
    ("offset", "window", "matched"),
    [
        (0, 1, STEP),
        (-1, 1, STEP - 1),
        (1, 1, STEP + 1),
        (-2, 1, None),
        (2, 1, None),
        (0, 0, STEP),
        (-1, 0, None),
        (1, 0, None),
        (-2, 2, STEP - 2),
        (2, 2, STEP + 2),
    ],
)
def test_window_edges(offset: int, window: int, matched: int | None) -> None:
    code = code_at_step(STEP + offset)

    assert totp.verify(RFC_SECRET, code, at=AT, last_step=None, window=window) == matched


def test_last_second_of_a_step_still_accepts_the_next_step() -> None:
    code = code_at_step(STEP + 1)

    assert totp.verify(RFC_SECRET, code, at=AT + 29.999, last_step=None) == STEP + 1
    assert totp.verify(RFC_SECRET, code, at=AT - 0.001, last_step=None) is None


@pytest.mark.parametrize(
    ("offset", "last_step", "matched"),
    [
        (0, None, STEP),
        (0, STEP - 1, STEP),
        (0, STEP, None),
        (0, STEP + 1, None),
        (-1, STEP - 1, None),
        (-1, STEP - 2, STEP - 1),
        (1, STEP, STEP + 1),
    ],
)
def test_replay_refused(offset: int, last_step: int | None, matched: int | None) -> None:
    code = code_at_step(STEP + offset)

    assert totp.verify(RFC_SECRET, code, at=AT, last_step=last_step) == matched


def test_code_used_once_cannot_be_used_again_in_the_window() -> None:
    code = code_at_step(STEP)
    first = totp.verify(RFC_SECRET, code, at=AT, last_step=None)

    assert first == STEP
    assert totp.verify(RFC_SECRET, code, at=AT + 10, last_step=first) is None
    assert totp.verify(RFC_SECRET, code, at=AT + totp.PERIOD, last_step=first) is None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "12 34 5"])
def test_malformed_codes_never_match(typed: str) -> None:
    assert totp.verify(RFC_SECRET, typed, at=AT, last_step=None) is None


def test_code_with_spaces_matches() -> None:
    code = code_at_step(STEP)

    assert totp.verify(RFC_SECRET, f"{code[:3]} {code[3:]}", at=AT, last_step=None) == STEP


def test_provisioning_uri() -> None:
    uri = totp.provisioning_uri(RFC_SECRET, account="siti rahma@semarang")

    parts = urlsplit(uri)
    assert parts.scheme == "otpauth"
    assert parts.netloc == "totp"
    assert parts.path == "/Kembar:siti%20rahma%40semarang"
    # SHA-1, 6 digits and 30 s are the defaults every app assumes; PyOTP leaves them out.
    assert parse_qs(parts.query) == {"secret": [RFC_SECRET], "issuer": ["Kembar"]}


def test_provisioning_uri_with_spaced_secret_and_other_issuer() -> None:
    spaced = totp.format_secret(RFC_SECRET.lower())

    assert totp.provisioning_uri(spaced, account="budi", issuer="Kembar Semarang") == (
        f"otpauth://totp/Kembar%20Semarang:budi?secret={RFC_SECRET}&issuer=Kembar%20Semarang"
    )


def test_secret_shorter_than_112_bits_is_refused() -> None:
    with pytest.raises(totp.InvalidSecret):
        totp.totp("ABCDEFGH", 59)
