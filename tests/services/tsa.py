"""A local RFC 3161 time-stamping authority: OpenSSL's ``ts -reply`` behind a small HTTP endpoint.

A CA and a TSA certificate (extended key usage timeStamping, critical) are made with
``cryptography``; each POST of an ``application/timestamp-query`` is written to a file, answered
by ``openssl ts -reply`` and sent back as ``application/timestamp-reply`` — the same exchange as
with a public TSA (FreeTSA, DigiCert…), on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CONFIG = """[ tsa ]
default_tsa = local
[ local ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str, issuer_key: ec.EllipticCurvePrivateKey,
          *, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def make_pki(folder: Path, ca_name: str = "Spillwatch Test TSA Root") -> Path:
    """CA and TSA keys and certificates in ``folder``; returns the CA certificate file."""
    ca_key, tsa_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_cert = _cert(ca_name, ca_key, ca_name, ca_key, ca=True)
    tsa_cert = _cert("Spillwatch Test TSA", tsa_key, ca_name, ca_key, ca=False)
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (folder / "tsa.pem").write_bytes(tsa_cert.public_bytes(serialization.Encoding.PEM))
    (folder / "tsa.key").write_bytes(tsa_key.private_bytes(serialization.Encoding.PEM,
                                                           serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    (folder / "serial").write_text("01\n")
    (folder / "ts.cnf").write_text(CONFIG.format(dir=folder))
    return folder / "ca.pem"


@dataclass
class LocalTsa:
    folder: Path
    server: ThreadingHTTPServer
    thread: threading.Thread
    ca_file: Path
    requests: list[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/tsa"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def start_tsa(folder: Path) -> LocalTsa:
    ca_file = make_pki(folder)
    requests: list[bytes] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415, "expected application/timestamp-query")
                return
            with lock, tempfile.TemporaryDirectory(dir=folder) as work:
                requests.append(query)
                (Path(work) / "q.tsq").write_bytes(query)
                done = subprocess.run(["openssl", "ts", "-reply", "-config", str(folder / "ts.cnf"), "-queryfile",
                                       str(Path(work) / "q.tsq"), "-out", str(Path(work) / "r.tsr")],
                                      capture_output=True, timeout=30, check=False)
                if done.returncode != 0:
                    self.send_error(500, done.stderr.decode(errors="replace")[-200:])
                    return
                reply = (Path(work) / "r.tsr").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return LocalTsa(folder, server, thread, ca_file, requests)
