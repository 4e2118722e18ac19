"""A real DNS server on 127.0.0.1 (dnslib, UDP) that rebinds: each name answers its first address to
the first query and its second address to every later one (TTL 0), as a DNS-rebinding attacker does.
Also a resolver that asks it, for the browser guard (``BrowserEgressGuard(resolver=...)``)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from dnslib import QTYPE, RR, A, DNSRecord
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class _Rebinder(BaseResolver):  # type: ignore[misc]
    def __init__(self, names: dict[str, tuple[str, str]]) -> None:
        self.names = names
        self.asked: list[str] = []
        self.lock = threading.Lock()

    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if request.q.qtype == QTYPE.A and name in self.names:
            with self.lock:
                first = name not in self.asked
                self.asked.append(name)
            address = self.names[name][0 if first else 1]
            reply.add_answer(RR(request.q.qname, QTYPE.A, rdata=A(address), ttl=0))
        return reply


class RebindingDns:
    """``with RebindingDns({"agency.test": ("127.0.0.1", "127.0.0.2")}) as dns: dns.asked``"""

    def __init__(self, names: dict[str, tuple[str, str]]) -> None:
        self.rebinder = _Rebinder(names)
        self.server = DNSServer(self.rebinder, address="127.0.0.1", port=0,
                                logger=DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data"))

    @property
    def port(self) -> int:
        return int(self.server.server.server_address[1])

    @property
    def asked(self) -> list[str]:
        with self.rebinder.lock:
            return list(self.rebinder.asked)

    def lookup(self, host: str) -> list[str]:
        """The A records of ``host`` from this server (a real UDP query)."""
        answer = DNSRecord.parse(DNSRecord.question(host, "A").send("127.0.0.1", self.port, timeout=2))
        return [str(rr.rdata) for rr in answer.rr if rr.rtype == QTYPE.A]

    async def resolver(self, host: str) -> list[str]:
        return await asyncio.get_running_loop().run_in_executor(None, self.lookup, host)

    def __enter__(self) -> RebindingDns:
        self.server.start_thread()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
