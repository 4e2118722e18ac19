"""``spillwatch users add|list|set-role|disable|enable|password|token``: web UI accounts.

Passwords are read from a prompt or, with ``--password-stdin``, from standard input; never from the
command line, where ``ps`` and shell history would show them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from core.errors import ConfigError
from spillwatch.commands.base import Command, Context

if TYPE_CHECKING:
    from sqlalchemy import Engine


class UsersCommand(Command):
    name = "users"
    help = "manage web UI users (roles: admin, analyst, viewer)"
    description = ("Accounts of the web UI and API. Roles: {roles} — viewers see masked data only, analysts "
        "triage findings and may view unmasked data (audited), admins also manage users.")

    def describe(self) -> str:
        from core.catalog.schema import USER_ROLES

        return self.description.format(roles=", ".join(USER_ROLES))

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        from core.catalog.schema import USER_ROLES

        actions = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)
        add = actions.add_parser("add", help="create a user", description="Create a user; the password is asked "
                                 "for twice, or read from standard input with --password-stdin.")
        add.add_argument("name")
        add.add_argument("--role", required=True, choices=USER_ROLES)
        add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        add.set_defaults(handler=run_add)
        listing = actions.add_parser("list", help="list users")
        listing.set_defaults(handler=run_list)
        role = actions.add_parser("set-role", help="change a user's role")
        role.add_argument("name")
        role.add_argument("role", choices=USER_ROLES)
        role.set_defaults(handler=run_set_role)
        for action, help_text in (("disable", "disable a user (ends sessions, revokes the API token)"),
                                  ("enable", "enable a disabled user")):
            p = actions.add_parser(action, help=help_text)
            p.add_argument("name")
            p.set_defaults(handler=run_disable, disable=action == "disable")
        password = actions.add_parser("password", help="set a user's password (ends their sessions)")
        password.add_argument("name")
        password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        password.set_defaults(handler=run_password)
        token = actions.add_parser("token", help="issue a new API token for a user (printed once)",
                                   description="Issue an API token for /api/v1 (replaces the user's old token); "
                                   "send it as 'Authorization: Bearer TOKEN'.")
        token.add_argument("name")
        token.add_argument("--revoke", action="store_true", help="revoke the user's token instead")
        token.set_defaults(handler=run_token)
        reset = actions.add_parser("reset-two-factor", help="turn off a user's two-factor login (a lost phone); "
                                   "they enrol again at the next login if it is required",
                                   description="Turn off two-factor login and its recovery codes for a user and end "
                                   "their sessions; an admin (or everybody with two_factor: all) enrols again at the "
                                   "next login.")
        reset.add_argument("name")
        reset.set_defaults(handler=run_reset_two_factor)


def _engine(ctx: Context) -> Engine:
    return ctx.catalog()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise ConfigError(["users: the two passwords differ; nothing changed"])
    return first


def _account_id(engine: Engine, name: str) -> int:
    from web import accounts

    with engine.connect() as conn:
        account = accounts.by_name(conn, name)
    if account is None:
        raise ConfigError([f"users: no user named {name!r}; see `spillwatch users list`"])
    return account.id


def run_add(ctx: Context) -> int:
    from web import accounts
    from web.audit import record

    engine = _engine(ctx)
    password = _read_password(ctx.args.password_stdin)
    try:
        with engine.begin() as conn:
            account = accounts.create(conn, ctx.args.name, ctx.args.role, password,
                                      ctx.config().settings.password_min_score)
            record(conn, None, "user_create", account.name, {"role": account.role, "via": "cli"})
    except accounts.AccountError as exc:
        raise ConfigError([f"users add: {exc}"]) from None
    print(f"user {account.name} created with role {account.role}")
    return 0


def run_list(ctx: Context) -> int:
    from web import accounts

    with _engine(ctx).connect() as conn:
        people = accounts.all_accounts(conn)
    if not people:
        print("no users; create one with `spillwatch users add NAME --role admin`")
    for p in people:
        state = "disabled" if p.disabled else "enabled"
        print(f"{p.name:<24} {p.role:<8} {state:<8} {'api token' if p.has_token else ''}")
    return 0


def run_set_role(ctx: Context) -> int:
    from web import accounts
    from web.audit import record

    engine = _engine(ctx)
    user_id = _account_id(engine, ctx.args.name)
    with engine.begin() as conn:
        accounts.set_role(conn, user_id, ctx.args.role)
        record(conn, None, "user_role", ctx.args.name, {"role": ctx.args.role, "via": "cli"})
    print(f"user {ctx.args.name} is now {ctx.args.role}")
    return 0


def run_disable(ctx: Context) -> int:
    from web import accounts
    from web.audit import record

    engine = _engine(ctx)
    user_id = _account_id(engine, ctx.args.name)
    action = "disable" if ctx.args.disable else "enable"
    with engine.begin() as conn:
        accounts.set_disabled(conn, user_id, ctx.args.disable)
        record(conn, None, f"user_{action}", ctx.args.name, {"via": "cli"})
    print(f"user {ctx.args.name} {action}d")
    return 0


def run_password(ctx: Context) -> int:
    from web import accounts
    from web.audit import record

    engine = _engine(ctx)
    user_id = _account_id(engine, ctx.args.name)
    password = _read_password(ctx.args.password_stdin)
    try:
        with engine.begin() as conn:
            accounts.set_password(conn, user_id, password, ctx.config().settings.password_min_score)
            record(conn, None, "user_password", ctx.args.name, {"via": "cli"})
    except accounts.AccountError as exc:
        raise ConfigError([f"users password: {exc}"]) from None
    print(f"password of {ctx.args.name} changed")
    return 0


def run_token(ctx: Context) -> int:
    from web import accounts
    from web.audit import record

    engine = _engine(ctx)
    user_id = _account_id(engine, ctx.args.name)
    with engine.begin() as conn:
        if ctx.args.revoke:
            accounts.revoke_token(conn, user_id)
            record(conn, None, "user_revoke", ctx.args.name, {"via": "cli"})
            print(f"API token of {ctx.args.name} revoked")
            return 0
        token = accounts.issue_token(conn, user_id)
        record(conn, None, "user_token", ctx.args.name, {"via": "cli"})
    print(token)
    return 0


def run_reset_two_factor(ctx: Context) -> int:
    from web import sessions, two_factor
    from web.audit import record

    engine = _engine(ctx)
    user_id = _account_id(engine, ctx.args.name)
    with engine.begin() as conn:
        two_factor.disable(conn, user_id)
        sessions.end_all(conn, user_id)
        record(conn, None, "two_factor_reset", ctx.args.name, {"via": "cli"})
    print(f"two-factor login of {ctx.args.name} turned off; sessions ended")
    return 0
