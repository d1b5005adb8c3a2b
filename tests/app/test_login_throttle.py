"""The login's wrong-password limit (views/login_throttle.py), on a hand-turned clock: no Streamlit."""

from __future__ import annotations

import threading

import pytest

from views.login_throttle import ALL_CLIENTS, UNKNOWN_CLIENT, Lock, LoginThrottle, client_key

WINDOW = 900.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def throttle(clock: Clock, per_client: int = 5, all_clients: int = 50) -> LoginThrottle:
    return LoginThrottle(per_client, WINDOW, all_clients, clock=clock)


def test_the_fifth_failure_locks_the_client_for_the_window_and_the_fourth_does_not():
    clock = Clock()
    limit = throttle(clock)
    assert [limit.failed("10.0.0.1") for _ in range(4)] == [[], [], [], []]
    assert limit.lock("10.0.0.1") is None  # near-miss: four wrong passwords leave the door open
    clock.now += 60
    assert limit.failed("10.0.0.1") == [Lock("10.0.0.1", WINDOW)]
    clock.now += 100
    assert limit.lock("10.0.0.1") == Lock("10.0.0.1", WINDOW - 100)
    clock.now += WINDOW - 100 - 1
    assert limit.lock("10.0.0.1") == Lock("10.0.0.1", 1)
    clock.now += 1
    assert limit.lock("10.0.0.1") is None  # the lock has ended ...
    assert limit.failed("10.0.0.1") == []  # ... and its count starts afresh, not one short of the next lock


def test_failures_older_than_the_window_no_longer_count():
    clock = Clock()
    limit = throttle(clock)
    for _ in range(4):
        limit.failed("10.0.0.1")
    clock.now += WINDOW  # the four are exactly one window old: out
    assert limit.failed("10.0.0.1") == []
    assert limit.lock("10.0.0.1") is None
    for _ in range(3):
        limit.failed("10.0.0.1")
    assert limit.failed("10.0.0.1") == [Lock("10.0.0.1", WINDOW)]  # five within one window


def test_a_right_password_clears_the_clients_count():
    clock = Clock()
    limit = throttle(clock)
    for _ in range(4):
        limit.failed("10.0.0.1")
    limit.succeeded("10.0.0.1")
    assert [limit.failed("10.0.0.1") for _ in range(4)] == [[], [], [], []]
    assert limit.lock("10.0.0.1") is None


def test_a_success_does_not_lift_a_lock():
    clock = Clock()
    limit = throttle(clock)
    for _ in range(5):
        limit.failed("10.0.0.1")
    limit.succeeded("10.0.0.1")  # the page never calls it under a lock; were it to, the lock holds
    assert limit.lock("10.0.0.1") == Lock("10.0.0.1", WINDOW)


def test_clients_are_counted_apart():
    clock = Clock()
    limit = throttle(clock)
    for _ in range(5):
        limit.failed("10.0.0.1")
    for _ in range(4):
        limit.failed("10.0.0.2")
    assert limit.lock("10.0.0.1") is not None
    assert limit.lock("10.0.0.2") is None
    assert limit.lock(UNKNOWN_CLIENT) is None
    limit.succeeded("10.0.0.2")
    assert limit.lock("10.0.0.1") is not None  # another's success leaves the lock alone


def test_failures_from_all_clients_together_lock_every_client():
    clock = Clock()
    limit = throttle(clock, per_client=5, all_clients=12)
    started = [limit.failed(f"10.0.{n // 4}.{n % 4}") for n in range(11)]  # 11 addresses, one guess each
    assert started == [[]] * 11 and limit.lock("10.9.9.9") is None
    clock.now += 10
    assert limit.failed("10.0.5.5") == [Lock(ALL_CLIENTS, WINDOW)]
    clock.now += 30
    assert limit.lock("10.9.9.9") == Lock(ALL_CLIENTS, WINDOW - 30)  # never seen, refused all the same
    assert limit.lock(UNKNOWN_CLIENT) == Lock(ALL_CLIENTS, WINDOW - 30)
    clock.now += WINDOW - 30
    assert limit.lock("10.9.9.9") is None
    assert limit.failed("10.0.5.6") == []  # the all-clients count started afresh too


def test_one_failure_can_start_both_locks_and_the_longer_one_refuses():
    clock = Clock()
    limit = throttle(clock, per_client=5, all_clients=7)
    limit.failed("10.0.0.2")
    limit.failed("10.0.0.3")
    clock.now += 100
    for _ in range(4):
        limit.failed("10.0.0.1")
    assert limit.failed("10.0.0.1") == [Lock("10.0.0.1", WINDOW), Lock(ALL_CLIENTS, WINDOW)]
    assert limit.lock("10.0.0.2") == Lock(ALL_CLIENTS, WINDOW)

    clock = Clock()
    limit = throttle(clock, per_client=5, all_clients=8)
    for _ in range(5):
        limit.failed("10.0.0.1")  # the client's lock: ends at 1,900
    clock.now += 300
    for n in range(3):
        limit.failed(f"10.0.1.{n}")  # all clients' lock: ends at 2,200
    assert limit.lock("10.0.0.1") == Lock(ALL_CLIENTS, WINDOW)
    clock.now += WINDOW
    assert limit.lock("10.0.0.1") is None


def test_counts_from_many_threads_are_not_lost():
    limit = LoginThrottle(max_failures=1_000, window_seconds=WINDOW, max_failures_all_clients=10_000)

    def guess() -> None:
        for _ in range(100):
            limit.failed("10.0.0.1")

    threads = [threading.Thread(target=guess) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert limit.lock("10.0.0.1") is not None  # exactly 1,000: one lost count would leave it open


def test_limits_below_one_are_refused():
    with pytest.raises(ValueError):
        LoginThrottle(max_failures=0)
    with pytest.raises(ValueError):
        LoginThrottle(window_seconds=0)


@pytest.mark.parametrize(("address", "key"), [
    (None, UNKNOWN_CLIENT),
    ("", UNKNOWN_CLIENT),
    (object(), UNKNOWN_CLIENT),  # not a string (AppTest hands the script a stand-in object)
    ("203.0.113.7", "203.0.113.7"),
    (" 203.0.113.7 ", "203.0.113.7"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),  # same /64: same client
    ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
    ("unix-socket", "unix-socket"),
])
def test_client_keys(address, key):
    assert client_key(address) == key
