"""``spillwatch verify EVIDENCE.wacz``: check an evidence package — digest, Ed25519 signature, every
member's hash, RFC 3161 time stamp (:mod:`disclosure.verify`).  Exit 0 verified, 1 a check failed,
2 the file cannot be read as an evidence package."""

from __future__ import annotations

import argparse
from pathlib import Path

from spillwatch.commands.base import Command, Context


class VerifyCommand(Command):
    name = "verify"
    help = "check a signed evidence package (hashes, signature, time stamp)"
    description = ("Check an evidence package written by `spillwatch evidence build`: datapackage.json against "
                   "its signed digest, the Ed25519 signature, the SHA-256 of every member, and the RFC 3161 time "
                   "stamp against the trusted TSA certificate (--tsa-ca or evidence_tsa_ca_file). A byte changed "
                   "anywhere fails. Exit 0 verified, 1 a check failed, 2 unreadable.")
    needs_config = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("package", type=Path, metavar="EVIDENCE.wacz", help="the evidence package")
        parser.add_argument("--tsa-ca", default=None, metavar="PEM",
                            help="certificate(s) trusted to issue the TSA's certificate (default: the "
                                 "evidence_tsa_ca_file setting)")
        parser.add_argument("--key", default="", metavar="KEY",
                            help="the signing key expected: its base64 public key or fingerprint")

    def run(self, ctx: Context) -> int:
        from core.config import load_config
        from disclosure.verify import verify

        args = ctx.args
        trusted = args.tsa_ca
        if trusted is None:
            path = args.config or ctx.environ.get("SPILLWATCH_CONFIG")
            trusted = load_config(path, ctx.environ, ctx.cli_settings()).settings.evidence_tsa_ca_file
        result = verify(args.package, trusted_ca=trusted or "", expected_key=args.key)
        for check in result.checks:
            print(f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
        if result.ok:
            print(f"{args.package}: verified")
            return 0
        unreadable = [c for c in result.checks if c.name == "package"]
        print(f"{args.package}: NOT verified", flush=True)
        return 2 if unreadable else 1
