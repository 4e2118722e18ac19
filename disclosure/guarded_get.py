"""HTTP GET through the egress guard (docs/architecture.md §5 rule 1) for the disclosure package's
questions to public archives.

Each hop is checked and pinned by :func:`alerts.http.pin` (the notifiers' guard: every resolved
address checked, the connection made to the checked address with the original Host and TLS name);
redirects are followed by hand, a few hops at most, each one checked again; the body is read up to
a limit, so an archive answering with gigabytes cannot fill the memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from alerts.errors import DeliveryError
from alerts.http import pin, redact_url

MAX_REDIRECTS = 5


class FetchError(Exception):
    """The request was refused by the guard or failed; the message says which and why."""


@dataclass(frozen=True)
class Answer:
    url: str  # the final URL (after redirects)
    status: int
    headers: httpx.Headers
    body: bytes
    truncated: bool


class GuardedGet:
    def __init__(self, *, timeout: float, allow_private: bool, user_agent: str, max_body: int = 20_000_000) -> None:
        self.allow_private = allow_private
        self.max_body = max_body
        self.client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False,
                                   headers={"User-Agent": user_agent})

    def __enter__(self) -> GuardedGet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(self, url: str, headers: dict[str, str] | None = None) -> Answer:
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            answer = self._one(current, headers or {})
            location = answer.headers.get("Location")
            if 300 <= answer.status < 400 and location:
                current = urljoin(current, location)
                continue
            return answer
        raise FetchError(f"{redact_url(url)}: more than {MAX_REDIRECTS} redirects")

    def _one(self, url: str, headers: dict[str, str]) -> Answer:
        host = urlsplit(url).hostname or "?"
        try:
            targets = pin(url, allow_private=self.allow_private)
        except DeliveryError as exc:
            raise FetchError(str(exc)) from None
        error = f"{host}: no address to connect to"
        for target in targets:
            extensions = {"sni_hostname": target.sni} if target.sni else {}
            request = self.client.build_request("GET", target.url, headers={**headers, "Host": target.host_header},
                                                extensions=extensions)
            try:
                response = self.client.send(request, stream=True)
            except httpx.ConnectError as exc:
                error = f"{host}: cannot connect ({exc})"
                continue
            except httpx.HTTPError as exc:
                raise FetchError(f"{host}: {type(exc).__name__}: {exc}") from None
            try:
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > self.max_body:
                        break
            except httpx.HTTPError as exc:
                raise FetchError(f"{host}: {type(exc).__name__} while reading the answer: {exc}") from None
            finally:
                response.close()
            return Answer(url, response.status_code, response.headers, bytes(body[:self.max_body]),
                          len(body) > self.max_body)
        raise FetchError(error)
