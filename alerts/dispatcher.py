"""The dispatcher: sends due deliveries from the outbox, with retries, dead-letters and rate limits.

Delivery guarantee — **at least once**, with at most one extra copy per crash:

1. A delivery is *claimed* in its own transaction: ``status='sending'``, ``attempts+1`` and a lease
   (``next_attempt_at = now + 3 × alert_timeout``).  The claim is optimistic (it only succeeds if the
   row is unchanged), so two dispatchers never send the same delivery at the same time.
2. The message is rendered and sent.
3. The result is recorded in a second transaction: ``sent``, ``failed`` (retry at
   now + backoff with jitter) or ``dead`` (permanent error, or ``alert_max_attempts`` reached).

If the process dies between 2 and 3, the row stays ``sending`` until its lease expires; then any
dispatcher sends it again.  The receiver may therefore get the same delivery twice (never more per
crash); every copy carries the same idempotency key (email ``Message-ID``, webhook
``X-Spillwatch-Delivery``) so receivers can drop the repeat.  A crash before step 2 only delays.

Bad input never stops a batch: a broken finding row dead-letters its own delivery with a message
saying what is wrong; a channel that is unreachable or switched off fails only its own deliveries.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from alerts.content import AlertContent, BrokenFinding, Envelope, example_alert, load_alert
from alerts.errors import DeliveryError, NotConfigured
from alerts.notifiers import Notifier, build_notifier
from alerts.ops import EVENT as OPS_EVENT
from alerts.outbox import (
    DUE_STATES,
    Delivery,
    as_utc,
    claim,
    defer,
    due_deliveries,
    mark_failed,
    mark_sent,
    utcnow,
)
from alerts.planner import plan_events
from alerts.ratelimit import RateLimiter
from alerts.render import Renderer
from alerts.retry import RetryPolicy
from core.catalog.schema import deliveries
from core.config import Channel, Config
from core.errors import ConfigError

log = logging.getLogger(__name__)

NotifierFactory = Callable[[Channel, Any, Mapping[str, str]], Notifier]


@dataclass
class DispatchStats:
    """What one :meth:`Dispatcher.run_once` did, counted in deliveries (``messages``: messages sent,
    a digest being one message for many deliveries)."""

    sent: int = 0
    failed: int = 0
    dead: int = 0
    deferred: int = 0
    rate_limited: int = 0
    messages: int = 0
    planned: int = 0  # deliveries created from finding events at the start of the pass
    errors: list[str] = field(default_factory=list)
    rate_limit_wait: float = 0.0  # seconds until the first rate-limited channel may send again

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.dead + self.deferred


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        config: Config,
        *,
        environ: Mapping[str, str] | None = None,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        notifier_factory: NotifierFactory = build_notifier,
        batch_size: int = 200,
    ) -> None:
        settings = config.settings
        self.engine = engine
        self.config = config
        self.environ: Mapping[str, str] = dict(os.environ) if environ is None else environ
        self.clock = clock
        self.rng = rng or random.Random()
        self.notifier_factory = notifier_factory
        self.batch_size = batch_size
        self.policy = RetryPolicy.from_settings(settings)
        self.lease = timedelta(seconds=max(1.0, 3 * settings.alert_timeout))
        self.poll_interval = max(0.05, float(settings.alert_poll_interval))
        try:
            self.renderer = Renderer(settings.alert_template_dir or None, settings.alert_max_message_size)
        except ValueError as exc:
            raise ConfigError([str(exc)]) from None
        self.limiter = RateLimiter()
        self.channels = {c.name: c for c in config.alerts.channels}
        self._notifiers: dict[str, Notifier | NotConfigured] = {}
        self._wake = threading.Event()

    # -- public API -------------------------------------------------------------------------------

    def run_once(self, only_ids: Sequence[int] | None = None) -> DispatchStats:
        """Plan new finding events into deliveries (:mod:`alerts.planner`), then send every delivery
        due now (or only ``only_ids`` among them, without planning); returns what happened."""
        stats = DispatchStats()
        if only_ids is None:
            stats.planned = plan_events(self.engine, self.config, self.clock())
        with self.engine.begin() as conn:
            due = due_deliveries(conn, self.clock(), self.batch_size, only_ids)
        for unit in self._units(due):
            self._dispatch(unit, stats)
        return stats

    def wake(self) -> None:
        """Look for due deliveries now (the service calls this after the indexer commits findings)."""
        self._wake.set()

    def run_forever(self, stop: threading.Event) -> None:
        """Dispatch until ``stop`` is set: after each pass, sleep until the next delivery is due, the
        poll interval passes or :meth:`wake` is called."""
        log.info("alert dispatcher started (poll %.2gs, lease %ss)", self.poll_interval,
                 self.lease.total_seconds())
        while not stop.is_set():
            try:
                stats = self.run_once()
                if stats.handled and stats.handled >= self.batch_size:
                    continue
                wait = self._seconds_to_next_due()
                if stats.rate_limited:  # due deliveries wait for their channel: do not spin on them
                    wait = min(self.poll_interval, max(wait, stats.rate_limit_wait))
            except SQLAlchemyError:
                # the catalog is busy or down: keep the loop alive and try again after a poll interval
                log.exception("alert dispatcher: catalog error; retrying in %.2gs", self.poll_interval)
                wait = self.poll_interval
            self._sleep(stop, wait)
        self.close()

    def close(self) -> None:
        for notifier in self._notifiers.values():
            if isinstance(notifier, Notifier):
                notifier.close()
        self._notifiers.clear()

    # -- internals --------------------------------------------------------------------------------

    def _sleep(self, stop: threading.Event, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or self._wake.wait(min(left, 0.1)):
                break
        self._wake.clear()

    def _seconds_to_next_due(self) -> float:
        with self.engine.connect() as conn:
            nearest = conn.execute(select(func.min(deliveries.c.next_attempt_at))
                                   .where(deliveries.c.status.in_(DUE_STATES))).scalar()
        if nearest is None:
            return self.poll_interval
        wait = ((as_utc(nearest) or self.clock()) - self.clock()).total_seconds()
        return min(self.poll_interval, max(0.02, wait))

    @staticmethod
    def _units(due: list[Delivery]) -> list[list[Delivery]]:
        """Immediate deliveries go one by one; digest deliveries of one route, channel and window go
        together as one message."""
        units: list[list[Delivery]] = []
        batches: dict[tuple[str, str, str], list[Delivery]] = {}
        for delivery in due:
            if delivery.batch is None or delivery.event in ("test", OPS_EVENT):
                units.append([delivery])
                continue
            key = (delivery.route, delivery.channel, delivery.batch)
            if key not in batches:
                batches[key] = []
                units.append(batches[key])
            batches[key].append(delivery)
        return units

    def _notifier(self, channel: Channel) -> Notifier:
        cached = self._notifiers.get(channel.name)
        if cached is None:
            try:
                cached = self.notifier_factory(channel, self.config.settings, self.environ)
            except NotConfigured as exc:
                log.warning("alert channel %s is switched off: %s", channel.name, exc)
                cached = exc
            self._notifiers[channel.name] = cached
        if isinstance(cached, NotConfigured):
            raise cached
        return cached

    def _dispatch(self, unit: list[Delivery], stats: DispatchStats) -> None:
        first = unit[0]
        channel = self.channels.get(first.channel)
        now = self.clock()
        if channel is None:
            with self.engine.begin() as conn:
                claimed = [d for d in unit if claim(conn, d, now, self.lease)]
            self._fail(claimed, DeliveryError(f"channel {first.channel!r} is no longer in the config; add it "
                                              "back or leave the delivery dead", permanent=True), stats)
            return
        if not self.limiter.acquire(channel.name, channel.rate_limit_per_minute):
            wait = self.limiter.wait_time(channel.name, channel.rate_limit_per_minute)
            stats.rate_limit_wait = min(stats.rate_limit_wait, wait) if stats.rate_limited else wait
            stats.rate_limited += len(unit)
            return
        with self.engine.begin() as conn:
            claimed = [d for d in unit if claim(conn, d, now, self.lease)]
        if not claimed:
            return
        try:
            notifier = self._notifier(channel)
        except NotConfigured as exc:
            self._fail(claimed, DeliveryError(str(exc)), stats)
            return
        envelope, claimed = self._envelope(claimed, stats)
        if envelope is None:
            return
        started = time.monotonic()
        try:
            message = notifier.render(envelope, self.renderer)
            notifier.send(message)
        except DeliveryError as exc:
            if exc.retry_after is not None:
                self.limiter.block(channel.name, exc.retry_after)
                until = self.clock() + timedelta(seconds=exc.retry_after)
                with self.engine.begin() as conn:
                    defer(conn, [d.id for d in claimed], until, str(exc))
                stats.deferred += len(claimed)
                log.info("deliveries %s on %s deferred: %s", _ids(claimed), channel.name, exc)
            else:
                self._fail(claimed, exc, stats)
            return
        except Exception as exc:  # isolation boundary: one bad send must not stop the batch (logged)
            log.exception("deliveries %s on %s: unexpected error while rendering or sending",
                          _ids(claimed), channel.name)
            self._fail(claimed, DeliveryError(f"unexpected {type(exc).__name__}: {exc}"), stats)
            return
        with self.engine.begin() as conn:
            mark_sent(conn, [d.id for d in claimed], self.clock())
        stats.sent += len(claimed)
        stats.messages += 1
        log.info("deliveries %s sent via %s channel %s (route %s) in %.3fs", _ids(claimed), channel.kind,
                 channel.name, first.route, time.monotonic() - started)

    def _envelope(self, claimed: list[Delivery], stats: DispatchStats) -> tuple[Envelope | None, list[Delivery]]:
        """Alert content for the claimed deliveries; broken findings dead-letter their own delivery."""
        first = claimed[0]
        now = self.clock()
        if first.event == "test":
            item = example_alert(self.config, now)
            return Envelope(first.key, first.route, first.channel, "immediate", [item], now, test=True), claimed
        if first.event == OPS_EVENT:  # a service notice (alerts.ops): its text is in the payload
            notice = (str(first.payload.get("subject", "")), str(first.payload.get("text", "")))
            return Envelope(first.key, first.route, first.channel, "immediate", [], now, notice=notice), claimed
        items: list[AlertContent] = []
        kept: list[Delivery] = []
        with self.engine.connect() as conn:
            for delivery in claimed:
                try:
                    if delivery.finding_id is None:
                        raise BrokenFinding(f"delivery {delivery.id} has no finding")
                    items.append(load_alert(conn, delivery.finding_id, delivery.event, self.config))
                    kept.append(delivery)
                except BrokenFinding as exc:
                    self._fail([delivery], DeliveryError(
                        f"{exc}; fix the row, then `spillwatch alerts retry {delivery.id}`", permanent=True), stats)
        if not kept:
            return None, []
        mode = str(first.payload.get("mode", "immediate")) if first.batch else "immediate"
        key = f"digest:{first.route}:{first.channel}:{first.batch}" if first.batch else first.key
        return Envelope(key, first.route, first.channel, mode, items, now), kept

    def _fail(self, claimed: list[Delivery], exc: DeliveryError, stats: DispatchStats) -> None:
        if not claimed:
            return
        attempts = claimed[0].attempts + 1
        now = self.clock()
        message = str(exc)
        stats.errors.append(message)
        with self.engine.begin() as conn:
            if exc.permanent or self.policy.exhausted(attempts):
                mark_failed(conn, [d.id for d in claimed], message, None)
                stats.dead += len(claimed)
                log.warning("deliveries %s dead after %d attempt(s): %s", _ids(claimed), attempts, message)
            else:
                delay = self.policy.delay(attempts, self.rng)
                mark_failed(conn, [d.id for d in claimed], message, now + timedelta(seconds=delay))
                stats.failed += len(claimed)
                log.info("deliveries %s failed (attempt %d), retry in %.1fs: %s", _ids(claimed), attempts,
                         delay, message)


def _ids(claimed: list[Delivery]) -> str:
    return ",".join(str(d.id) for d in claimed)
