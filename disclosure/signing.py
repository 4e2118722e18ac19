"""Ed25519 signatures of evidence packages, with ``cryptography``.

``wacz-signing`` (the WACZ signing spec's tool) was considered: it signs with a certificate for a
domain name obtained through ACME and needs a public web server for that, which a watchdog's
laptop or closed network does not have.  The package keeps the spec's layout instead
(``datapackage-digest.json`` holding ``signedData`` with ``hash``, ``signature``, ``publicKey``,
``created``, ``software``) with an Ed25519 key from the settings, and names the algorithm.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "ed25519"


class SigningError(Exception):
    """No usable key, or a signature that does not verify; the message says what to do."""


def generate_key(path: Path) -> str:
    """Write a new private key (PEM, mode 0600) to ``path``; returns its public key (base64)."""
    if path.exists():
        raise SigningError(f"{path}: exists; a signing key is never overwritten — choose another file")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return public_key_b64(key.public_key())


def load_key(path: str) -> Ed25519PrivateKey:
    if not path:
        raise SigningError("no signing key: set evidence_signing_key to a PEM file "
                           "(create one with `spillwatch evidence keygen KEYFILE`)")
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningError(f"{path}: cannot read the signing key ({exc}); evidence_signing_key must name an "
                           "unencrypted PEM Ed25519 key (`spillwatch evidence keygen KEYFILE`)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path}: not an Ed25519 key; create one with `spillwatch evidence keygen KEYFILE`")
    return key


def public_key_b64(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(raw).decode("ascii")


def fingerprint(public_key: str) -> str:
    """SHA-256 of the public key's DER, as people compare keys: ``ab12:…`` (first 16 bytes)."""
    digest = hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:32]
    return ":".join(digest[i:i + 4] for i in range(0, 32, 4))


def sign(key: Ed25519PrivateKey, message: str) -> str:
    return base64.b64encode(key.sign(message.encode("utf-8"))).decode("ascii")


def verify(public_key: str, message: str, signature: str) -> None:
    try:
        key = serialization.load_der_public_key(base64.b64decode(public_key, validate=True))
        if not isinstance(key, Ed25519PublicKey):
            raise SigningError("the package's public key is not an Ed25519 key")
        key.verify(base64.b64decode(signature, validate=True), message.encode("utf-8"))
    except (ValueError, TypeError) as exc:
        raise SigningError(f"the signature or public key cannot be read ({exc})") from None
    except InvalidSignature:
        raise SigningError("the signature does not verify: datapackage.json or its digest was changed") from None
