"""User accounts in the catalog: argon2 password hashes, roles and API tokens.

Used by the login view, the users admin pages, the API's token check and ``spillwatch users``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, insert, select, update

from core.catalog.schema import USER_ROLES, users
from core.timestamps import as_utc
from web import sessions

ROLE_RANK = {"viewer": 1, "analyst": 2, "admin": 3}
MIN_PASSWORD_LENGTH = 12
DEFAULT_MIN_SCORE = 3  # the password_min_score default
TOKEN_PREFIX = "sw_"

_HASHER = PasswordHasher()
# Verified against when the user does not exist, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("spillwatch-no-such-user")


class AccountError(ValueError):
    """A user-facing problem with an account operation (the message says what to change)."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    disabled: bool
    password_hash: str
    has_token: bool = False
    totp_enabled: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = None

    def at_least(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def _account(row: object) -> Account:
    m = row._mapping  # type: ignore[attr-defined]
    return Account(id=int(m["id"]), name=str(m["name"]), role=str(m["role"]), disabled=bool(m["disabled"]),
                   password_hash=str(m["password_hash"]), has_token=m["api_token_hash"] is not None,
                   totp_enabled=bool(m["totp_enabled"]), failed_logins=int(m["failed_logins"] or 0),
                   locked_until=as_utc(m["locked_until"]))


def check_role(role: str) -> str:
    if role not in USER_ROLES:
        raise AccountError(f"role {role!r} is not allowed; expected one of: {', '.join(USER_ROLES)}")
    return role


def check_password(password: str, name: str = "", min_score: int = DEFAULT_MIN_SCORE) -> str:
    """12 or more characters and a zxcvbn strength score of ``min_score`` (0-4) or more, judged with
    the user's name as a known word (a well-kept estimator rather than hand-made rules)."""
    from zxcvbn import zxcvbn

    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    judged = zxcvbn(password[:200], user_inputs=[name, "spillwatch"] if name else ["spillwatch"])
    if int(judged["score"]) < min_score:
        advice = " ".join(filter(None, [judged["feedback"].get("warning", ""),
                                        *judged["feedback"].get("suggestions", [])]))
        raise AccountError(f"the password is too easy to guess (strength {judged['score']} of 4, needs "
                           f"{min_score}); {advice or 'add more unusual words'}")
    return password


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 128 or any(ch.isspace() for ch in name):
        raise AccountError("a user name is 1 to 128 characters without spaces")
    return name


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def get(conn: Connection, user_id: int) -> Account | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _account(row) if row is not None else None


def by_name(conn: Connection, name: str) -> Account | None:
    row = conn.execute(select(users).where(users.c.name == name.strip())).first()
    return _account(row) if row is not None else None


def all_accounts(conn: Connection) -> list[Account]:
    return [_account(r) for r in conn.execute(select(users).order_by(users.c.name))]


def create(conn: Connection, name: str, role: str, password: str, min_score: int = DEFAULT_MIN_SCORE) -> Account:
    name, role = check_name(name), check_role(role)
    check_password(password, name, min_score)
    if by_name(conn, name) is not None:
        raise AccountError(f"a user named {name!r} already exists")
    conn.execute(insert(users).values(name=name, password_hash=hash_password(password), role=role,
                                      api_token_hash=None, disabled=False, created_at=datetime.now(UTC)))
    created = by_name(conn, name)
    assert created is not None
    return created


def authenticate(conn: Connection, name: str, password: str) -> Account | None:
    """The enabled account if the password matches, else None (constant work either way)."""
    account = by_name(conn, name) if name.strip() else None
    try:
        _HASHER.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if account is None or account.disabled:
        return None
    if _HASHER.check_needs_rehash(account.password_hash):
        conn.execute(update(users).where(users.c.id == account.id).values(password_hash=hash_password(password)))
        return get(conn, account.id)
    return account


def set_password(conn: Connection, user_id: int, password: str, min_score: int = DEFAULT_MIN_SCORE) -> None:
    """A new password ends every session of the account and unlocks it."""
    account = get(conn, user_id)
    check_password(password, account.name if account else "", min_score)
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=hash_password(password),
                                                                   failed_logins=0, locked_until=None))
    sessions.end_all(conn, user_id)


def locked_for(account: Account, now: datetime | None = None) -> float:
    """Seconds the account stays locked after too many failed logins (0: not locked)."""
    if account.locked_until is None:
        return 0.0
    return max(0.0, (account.locked_until - (now or datetime.now(UTC))).total_seconds())


def login_failed(conn: Connection, account: Account, max_failures: int, lock_seconds: float) -> None:
    """Count a wrong password or code against the account, from whatever address; lock it at the limit."""
    failures = account.failed_logins + 1
    values: dict[str, object] = {"failed_logins": failures}
    if failures >= max(1, max_failures):
        values = {"failed_logins": 0, "locked_until": datetime.now(UTC) + timedelta(seconds=lock_seconds)}
    conn.execute(update(users).where(users.c.id == account.id).values(**values))


def login_succeeded(conn: Connection, account: Account) -> None:
    if account.failed_logins or account.locked_until is not None:
        conn.execute(update(users).where(users.c.id == account.id).values(failed_logins=0, locked_until=None))


def set_role(conn: Connection, user_id: int, role: str) -> None:
    """A new role ends every session of the account (pages and replay links were issued for the old one)."""
    conn.execute(update(users).where(users.c.id == user_id).values(role=check_role(role)))
    sessions.end_all(conn, user_id)


def set_disabled(conn: Connection, user_id: int, disabled: bool) -> None:
    values: dict[str, object] = {"disabled": disabled}
    if disabled:
        values["api_token_hash"] = None
    conn.execute(update(users).where(users.c.id == user_id).values(**values))
    sessions.end_all(conn, user_id)


def issue_token(conn: Connection, user_id: int) -> str:
    """A new API token for the user (replacing any old one); only its hash is stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    conn.execute(update(users).where(users.c.id == user_id).values(api_token_hash=token_hash(token)))
    return token


def revoke_token(conn: Connection, user_id: int) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(api_token_hash=None))


def by_token(conn: Connection, token: str) -> Account | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = conn.execute(select(users).where(users.c.api_token_hash == token_hash(token))).first()
    if row is None:
        return None
    account = _account(row)
    return None if account.disabled else account


def count_admins(conn: Connection) -> int:
    rows = conn.execute(select(users.c.id).where(users.c.role == "admin", users.c.disabled.is_(False)))
    return len(rows.all())
