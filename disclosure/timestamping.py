"""RFC 3161 time stamps: ask a time-stamping authority (TSA) to stamp a SHA-256 digest, and check a
stamp later (docs/disclosure.md "Evidence packages").

Built on ``asn1crypto`` (the ASN.1 structures of RFC 3161 and CMS) and ``cryptography`` (signature
and certificate checks); ``rfc3161ng`` was considered and not taken (pyasn1-based, few releases).
A stamp is accepted when: its message imprint is the digest asked for; the CMS signature over the
signed attributes verifies with the certificate the token names; the signed ``messageDigest`` is
the digest of the TSTInfo; the certificate may sign time stamps (extended key usage timeStamping)
and is issued by (or is) one of the trusted certificates given.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from alerts.errors import DeliveryError
from alerts.http import GuardedPoster

HASHES: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class TimestampError(Exception):
    """A stamp could not be obtained, or does not verify; the message says which check failed."""


@dataclass(frozen=True)
class Stamp:
    token: bytes  # DER of the TimeStampToken (a CMS ContentInfo)
    gen_time: datetime
    tsa: str  # the signing certificate's subject
    serial: int


def request_der(digest: bytes, nonce: int) -> bytes:
    return tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
        "nonce": nonce, "cert_req": True,
    }).dump()


def request_stamp(url: str, digest: bytes, *, timeout: float, allow_private: bool, user_agent: str) -> Stamp:
    """Ask the TSA at ``url`` (through the egress guard) to stamp ``digest`` (SHA-256)."""
    nonce = secrets.randbits(63)
    poster = GuardedPoster(timeout=timeout, allow_private=allow_private, user_agent=user_agent)
    try:
        response = poster.post(url, request_der(digest, nonce), {"Content-Type": "application/timestamp-query"})
    except DeliveryError as exc:
        raise TimestampError(f"time-stamping authority {url}: {exc}") from None
    finally:
        poster.close()
    if response.status_code != 200:
        raise TimestampError(f"time-stamping authority {url}: HTTP {response.status_code}; check evidence_tsa_url")
    try:
        reply = tsp.TimeStampResp.load(response.content)
        status = reply["status"]["status"].native
        if status not in ("granted", "granted_with_mods"):
            text = reply["status"]["status_string"].native or []
            raise TimestampError(f"time-stamping authority {url}: refused ({status}: {'; '.join(text)})")
        token = reply["time_stamp_token"].dump()
        tst = _tst_info(cms.ContentInfo.load(token))
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(f"time-stamping authority {url}: unreadable answer ({exc})") from None
    if tst["nonce"].native != nonce:
        raise TimestampError(f"time-stamping authority {url}: the answer's nonce is not the one sent (a replay?)")
    return inspect(token, digest, None)


def _tst_info(token: cms.ContentInfo) -> tsp.TSTInfo:
    parsed = token["content"]["encap_content_info"]["content"].parsed
    if not isinstance(parsed, tsp.TSTInfo):
        raise TimestampError("the token holds no TSTInfo: it is not an RFC 3161 time stamp")
    return parsed


def _signing_cert(signed: cms.SignedData, signer: cms.SignerInfo) -> x509.Certificate:
    sid = signer["sid"]
    for choice in signed["certificates"] or []:
        cert = choice.chosen
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if cert.issuer == wanted["issuer"] and cert.serial_number == wanted["serial_number"].native:
                return x509.load_der_x509_certificate(cert.dump())
        elif cert.key_identifier == sid.chosen.native:
            return x509.load_der_x509_certificate(cert.dump())
    raise TimestampError("the time stamp does not carry its signing certificate (ask the TSA with certReq)")


def _verify_signature(cert: x509.Certificate, signature: bytes, data: bytes, digest_name: str) -> None:
    key = cert.public_key()
    algorithm = HASHES.get(digest_name)
    if algorithm is None:
        raise TimestampError(f"the time stamp is signed with {digest_name}, which is not accepted")
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algorithm())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm()))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            raise TimestampError(f"the TSA's key type {type(key).__name__} is not supported")
    except InvalidSignature:
        raise TimestampError("the time stamp's signature does not verify: the token was altered") from None


def _check_trust(cert: x509.Certificate, trusted: list[x509.Certificate]) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or ExtendedKeyUsageOID.TIME_STAMPING not in usage:
        raise TimestampError("the signing certificate is not allowed to sign time stamps (no timeStamping usage)")
    for anchor in trusted:
        if anchor == cert:
            return
        try:
            cert.verify_directly_issued_by(anchor)
            return
        except (ValueError, TypeError, InvalidSignature):
            continue
    raise TimestampError(f"the TSA certificate ({cert.subject.rfc4514_string()}) is not issued by a trusted "
                         "certificate; set evidence_tsa_ca_file (or --tsa-ca) to the TSA's CA certificate")


def inspect(token_der: bytes, digest: bytes, trusted: list[x509.Certificate] | None) -> Stamp:
    """Check ``token_der`` stamps ``digest``; with ``trusted`` also check who signed it."""
    try:
        token = cms.ContentInfo.load(token_der)
        signed = token["content"]
        tst = _tst_info(token)
        (signer,) = list(signed["signer_infos"])
        imprint = tst["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        hashed = imprint["hashed_message"].native
        attrs = signer["signed_attrs"]
        message_digest = next(a["values"][0].native for a in attrs if a["type"].native == "message_digest")
        digest_name = signer["digest_algorithm"]["algorithm"].native
        signature = signer["signature"].native
    except (ValueError, TypeError, KeyError, StopIteration) as exc:
        raise TimestampError(f"the time stamp cannot be read ({exc.__class__.__name__}: {exc})") from None
    if algorithm != "sha256" or hashed != digest:
        raise TimestampError("the time stamp is for other data: its message imprint is not this package's digest")
    tst_bytes = signed["encap_content_info"]["content"].contents
    if digest_name not in HASHES or hashlib.new(digest_name, tst_bytes).digest() != message_digest:
        raise TimestampError("the time stamp's TSTInfo does not match its signed digest: the token was altered")
    cert = _signing_cert(signed, signer)
    signed_attrs = b"\x31" + attrs.dump()[1:]  # signed over as a SET OF (RFC 5652 §5.4), stored [0] IMPLICIT
    _verify_signature(cert, signature, signed_attrs, digest_name)
    if trusted is not None:
        _check_trust(cert, trusted)
    return Stamp(token_der, tst["gen_time"].native, cert.subject.rfc4514_string(), int(tst["serial_number"].native))


def load_trusted(path: str | Path) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise TimestampError(f"{path}: cannot read the trusted TSA certificate(s) ({exc}); give a PEM file") from None
