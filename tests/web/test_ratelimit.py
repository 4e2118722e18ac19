"""The login limiter on its own, with a fake clock."""

from __future__ import annotations

from web import ratelimit
from web.ratelimit import LoginLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_window_slides() -> None:
    clock = Clock()
    limiter = LoginLimiter(3, window=60, clock=clock)
    for _ in range(3):
        assert limiter.blocked("ana", "10.0.0.1") == 0
        limiter.failed("ana", "10.0.0.1")
    assert 59 < limiter.blocked("ana", "10.0.0.1") <= 60
    assert limiter.blocked("ana", "10.0.0.2") == 0  # same name from elsewhere
    assert limiter.blocked("bob", "10.0.0.1") == 0  # another name from the same address
    clock.now += 61
    assert limiter.blocked("ana", "10.0.0.1") == 0


def test_success_clears_the_user_but_not_the_address() -> None:
    clock = Clock()
    limiter = LoginLimiter(1, window=60, clock=clock)
    for name in ("a", "b", "c", "d"):
        limiter.failed(name, "10.0.0.9")
    limiter.succeeded("a", "10.0.0.9")
    assert limiter.blocked("a", "10.0.0.9") > 0  # the address used up its 4 × 1 attempts


def test_memory_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(ratelimit, "SWEEP_ABOVE", 50)
    clock = Clock()
    limiter = LoginLimiter(5, window=60, clock=clock)
    for i in range(200):
        limiter.failed(f"made-up-{i}", f"10.0.{i // 250}.{i % 250}")
        clock.now += 0.01
    assert limiter.tracked <= 51
