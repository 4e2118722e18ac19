"""``kind: email`` — SMTP with STARTTLS, implicit TLS or none, and optional login (never over a plain
connection unless ``smtp_allow_plain_auth`` says so).

Configured by the ``smtp_*`` settings (the password from SPILLWATCH_SMTP_PASSWORD only); switched
off while ``smtp_host`` is empty.  Recipients are the channel's ``to``.  SMTP 5xx answers (and a
refused login) are permanent; 4xx answers, refused connections and timeouts are retried.  A message
resent after a crash keeps its Message-ID, so receiving systems can drop the copy.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path

from alerts.content import Envelope
from alerts.notifiers.base import DeliveryError, NotConfigured, Notifier
from alerts.render import Renderer, render_email
from core.config import Channel
from core.settings import Settings


class EmailNotifier(Notifier):
    kind = "email"

    def __init__(self, channel: Channel, settings: Settings, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(channel)
        self.host: str = settings.smtp_host
        self.port: int = settings.smtp_port
        self.security: str = settings.smtp_security
        self.username: str = settings.smtp_username
        self.password: str = settings.smtp_password
        self.sender: str = settings.smtp_from
        self.timeout: float = settings.alert_timeout
        self.ssl_context = ssl_context or ssl.create_default_context()

    @classmethod
    def from_channel(cls, channel: Channel, settings: Settings, environ: Mapping[str, str]) -> EmailNotifier:
        if not settings.smtp_host:
            raise NotConfigured(f"email channel {channel.name!r}: smtp_host is empty; set SPILLWATCH_SMTP_HOST "
                                "or settings.smtp_host")
        if settings.smtp_username and not settings.smtp_password:
            raise NotConfigured(f"email channel {channel.name!r}: smtp_username is set but the password is "
                                "not; set SPILLWATCH_SMTP_PASSWORD")
        if settings.smtp_username and settings.smtp_security == "none" and not settings.smtp_allow_plain_auth:
            raise NotConfigured(f"email channel {channel.name!r}: smtp_security is none, so the SMTP login would "
                                "send the password in the clear; use starttls or tls, or set "
                                "smtp_allow_plain_auth: true if the connection is protected otherwise")
        return cls(channel, settings)

    def render(self, envelope: Envelope, renderer: Renderer) -> EmailMessage:
        return render_email(envelope, sender=self.sender, recipients=list(self.channel.to), renderer=renderer)

    @classmethod
    def write_preview(cls, envelope: Envelope, stem: Path, *, sender: str, recipients: list[str],
                      renderer: Renderer | None) -> Path:
        message = render_email(envelope, sender=sender, recipients=recipients or [sender], renderer=renderer)
        path = stem.with_name(f"{stem.name}.eml")
        path.write_bytes(message.as_bytes())
        return path

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.ssl_context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            client.ehlo()
            client.starttls(context=self.ssl_context)
            client.ehlo()
        return client

    def send(self, message: EmailMessage) -> None:
        where = f"smtp {self.host}:{self.port}"
        try:
            with self._connect() as client:
                if self.username:
                    client.login(self.username, self.password)
                refused = client.send_message(message, from_addr=self.sender, to_addrs=list(self.channel.to))
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"{where}: login refused ({exc.smtp_code}); check smtp_username and "
                                "SPILLWATCH_SMTP_PASSWORD", permanent=True) from None
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(f"{where}: every recipient refused ({', '.join(map(str, codes))})",
                                permanent=all(code >= 500 for code in codes)) from None
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
            raise DeliveryError(f"{where}: {exc.smtp_code} {str(text)[:200]}",
                                permanent=exc.smtp_code >= 500) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{where}: {type(exc).__name__}: {exc}") from None
        if refused:
            raise DeliveryError(f"{where}: {len(refused)} of {len(self.channel.to)} recipients refused; the "
                                "others got the message", permanent=True)
