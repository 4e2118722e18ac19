"""Two-factor login: TOTP (RFC 6238, ``pyotp``) and one-time recovery codes.

Required for admins, and for everybody when the ``two_factor`` setting is ``all``; other users may
enrol on their Account page.  The secret lives in the catalog (a private file, see
``docs/security.md``); recovery codes only as argon2 hashes.  A code is accepted once: the time step
of the last accepted code is kept, and a code of that step or an earlier one is refused.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, delete, insert, select, update

from core.catalog.schema import recovery_codes, users
from web.accounts import Account

ISSUER = "Spillwatch"
RECOVERY_CODES = 10
# Codes of the step before and after the current one are accepted too (clocks drift, people type).
DRIFT_STEPS = 1

_HASHER = PasswordHasher()


def required(account: Account, policy: str) -> bool:
    """Must this account log in with a code (``policy`` is the two_factor setting)?"""
    return policy == "all" or account.at_least("admin")


def new_secret() -> str:
    return pyotp.random_base32()


def qr_data_uri(secret: str, account_name: str) -> str:
    """The enrolment QR code as an SVG data URI (the UI's CSP allows ``img-src data:``)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)
    data_uri: str = segno.make(uri, error="m").svg_data_uri(scale=4)
    return data_uri


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The time step whose TOTP code is ``code`` (within the allowed drift), or None."""
    code = _clean(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or datetime.now(UTC))
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enrol(conn: Connection, user_id: int, secret: str, code: str) -> bool:
    """Turn on TOTP with ``secret`` if ``code`` proves the authenticator app has it."""
    step = matching_step(secret, code)
    if step is None:
        return False
    conn.execute(update(users).where(users.c.id == user_id).values(totp_secret=secret, totp_enabled=True,
                                                                   totp_last_step=step))
    return True


def verify(conn: Connection, user_id: int, code: str) -> bool:
    """A fresh TOTP code of the user or one of their unused recovery codes (which is then used up)."""
    row = conn.execute(select(users.c.totp_secret, users.c.totp_last_step, users.c.totp_enabled)
                       .where(users.c.id == user_id)).first()
    if row is None or not row.totp_enabled or not row.totp_secret:
        return False
    step = matching_step(str(row.totp_secret), code)
    if step is not None:
        if step <= int(row.totp_last_step or 0):
            return False  # already used
        conn.execute(update(users).where(users.c.id == user_id).values(totp_last_step=step))
        return True
    return _use_recovery_code(conn, user_id, code)


def _format(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def new_recovery_codes(conn: Connection, user_id: int) -> list[str]:
    """Ten new one-time codes (shown once); the old ones stop working."""
    codes = [_format(secrets.token_hex(5)) for _ in range(RECOVERY_CODES)]
    conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
    conn.execute(insert(recovery_codes), [{"user_id": user_id, "code_hash": _HASHER.hash(_clean(c)), "used_at": None}
                                          for c in codes])
    return codes


def _use_recovery_code(conn: Connection, user_id: int, code: str) -> bool:
    cleaned = _clean(code)
    if len(cleaned) != 10:
        return False
    rows = conn.execute(select(recovery_codes.c.id, recovery_codes.c.code_hash).where(
        recovery_codes.c.user_id == user_id, recovery_codes.c.used_at.is_(None))).all()
    for row in rows:
        try:
            _HASHER.verify(str(row.code_hash), cleaned)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            continue
        conn.execute(update(recovery_codes).where(recovery_codes.c.id == row.id).values(used_at=datetime.now(UTC)))
        return True
    return False


def disable(conn: Connection, user_id: int) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(totp_secret=None, totp_enabled=False,
                                                                   totp_last_step=0))
    conn.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
