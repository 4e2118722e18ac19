"""``spillwatch verify EVIDENCE.wacz``: every check of an evidence package, each reported.

1. ``datapackage.json`` hashes to the digest in ``datapackage-digest.json``;
2. the Ed25519 signature over that digest verifies with the package's public key (and, when given,
   that key is the one expected);
3. every member is listed in ``datapackage.json`` with its SHA-256 and size, and matches; no member
   is added or missing;
4. the RFC 3161 time stamp is for that digest, signed by a certificate the trusted CA file issued.

A byte changed anywhere makes one of these fail (a changed WARC byte also fails the zip's CRC).
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from disclosure import signing, timestamping
from disclosure.evidence import DIGEST_FILE, PACKAGE_FILE


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Verification:
    path: Path
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok


def _members(result: Verification, archive: zipfile.ZipFile, package: dict[str, Any]) -> None:
    resources = package.get("resources")
    listed = {str(r.get("path")): r for r in resources if isinstance(r, dict)} if isinstance(resources, list) else {}
    present = {i.filename for i in archive.infolist()} - {PACKAGE_FILE, DIGEST_FILE}
    problems = [f"{name}: in the package but not in datapackage.json" for name in sorted(present - set(listed))]
    problems += [f"{name}: listed but missing" for name in sorted(set(listed) - present)]
    for name in sorted(present & set(listed)):
        digest, size = hashlib.sha256(), 0
        try:
            with archive.open(name) as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
        except (zipfile.BadZipFile, OSError) as exc:
            problems.append(f"{name}: cannot be read ({exc})")
            continue
        entry = listed[name]
        if f"sha256:{digest.hexdigest()}" != entry.get("hash") or size != entry.get("bytes"):
            problems.append(f"{name}: SHA-256 or size differs from datapackage.json")
    result.add("members", not problems, "; ".join(problems) or f"{len(present)} member(s), every hash matches")


def verify(path: Path, *, trusted_ca: str = "", expected_key: str = "") -> Verification:
    result = Verification(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        result.add("package", False, f"not a readable WACZ (zip) file: {exc}")
        return result
    with archive:
        try:
            package_bytes = archive.read(PACKAGE_FILE)
            envelope = json.loads(archive.read(DIGEST_FILE))
            signed = envelope["signedData"]
            package = json.loads(package_bytes)
        except (KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
            result.add("package", False, f"no readable {PACKAGE_FILE} / {DIGEST_FILE} with signedData ({exc}); "
                       "not a Spillwatch evidence package, or damaged")
            return result
        raw = hashlib.sha256(package_bytes).digest()
        digest = "sha256:" + raw.hex()
        result.add("digest", digest == envelope.get("hash") == signed.get("hash"),
                   f"{PACKAGE_FILE} {digest}" if digest == envelope.get("hash") else
                   f"{PACKAGE_FILE} hashes to {digest}, the digest file says {envelope.get('hash')}")
        try:
            signing.verify(str(signed.get("publicKey", "")), str(signed.get("hash", "")),
                           str(signed.get("signature", "")))
            fingerprint = signing.fingerprint(str(signed["publicKey"]))
            ok = not expected_key or expected_key in (signed["publicKey"], fingerprint)
            result.add("signature", ok, f"Ed25519, key {fingerprint}" + ("" if ok else "; not the expected key"))
        except (signing.SigningError, ValueError) as exc:
            result.add("signature", False, str(exc))
        _members(result, archive, package)
        _timestamp(result, signed, raw, trusted_ca)
    return result


def _timestamp(result: Verification, signed: dict[str, object], raw: bytes, trusted_ca: str) -> None:
    token = signed.get("timeStampToken")
    if not token:
        result.add("timestamp", False, "not time-stamped (evidence_tsa_url was not set when it was built)")
        return
    try:
        trusted = timestamping.load_trusted(trusted_ca) if trusted_ca else None
        stamp = timestamping.inspect(base64.b64decode(str(token)), raw, trusted)
    except (timestamping.TimestampError, ValueError) as exc:
        result.add("timestamp", False, str(exc))
        return
    who = "trusted" if trusted_ca else "NOT checked against a trusted CA (give --tsa-ca or evidence_tsa_ca_file)"
    result.add("timestamp", bool(trusted_ca), f"{stamp.gen_time:%Y-%m-%d %H:%M:%S} UTC by {stamp.tsa}, {who}")
