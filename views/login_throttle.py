"""How many wrong app passwords the login takes before it stops checking them.

The app password is shared and the name beside it is free text, so a guesser can only be told
apart by where the attempts come from: failures are counted per client address
(:func:`client_key`). :data:`MAX_FAILURES` wrong passwords from one address within
:data:`WINDOW_SECONDS` lock that address for :data:`WINDOW_SECONDS`: its sign-ins are refused
without the password being compared, right or wrong. Failures from all addresses together are
capped too (:data:`MAX_FAILURES_ALL_CLIENTS` in the window locks every address), so a guesser
who rotates addresses gains at most that many guesses a window. A lock is not lengthened by the
attempts it refuses, and the count starts afresh when it ends; a successful sign-in clears its
address's count (not the all-addresses one). :class:`LoginThrottle` is pure and thread-safe with
an injectable clock; :mod:`views.auth` holds one per server process and writes the access log.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60.0
MAX_FAILURES_ALL_CLIENTS = 50
#: the key of every client whose address Streamlit does not know: one bucket, shared
UNKNOWN_CLIENT = "(unknown address)"
#: the key a lock of every address is reported under
ALL_CLIENTS = "(all addresses)"
#: an IPv6 client is keyed by its /64: one subscriber gets a whole /64 to rotate through
IPV6_PREFIX = 64


def client_key(address: object) -> str:
    """The key failures are counted under for the address ``st.context.ip_address`` gave.

    None (Streamlit's answer for a loopback peer: the app opened on this machine, or a proxy here
    that sends no ``X-Forwarded-For``) and anything not a string are :data:`UNKNOWN_CLIENT`;
    IPv6 addresses count by their /64 network, an IPv4-mapped one as its IPv4 address."""
    if not isinstance(address, str) or not address.strip():
        return UNKNOWN_CLIENT
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:100]  # not an IP (a Unix socket's name): itself
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False))
    return str(ip)


@dataclass(frozen=True)
class Lock:
    """A refusal in force: whom it holds (a client key or :data:`ALL_CLIENTS`) and its seconds left."""

    client: str
    seconds_left: float


class LoginThrottle:
    """Wrong-password counts per client and for all clients, and the locks they start.

    ``clock`` gives seconds that only go forward (``time.monotonic``; tests pass their own)."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_seconds: float = WINDOW_SECONDS,
                 max_failures_all_clients: int = MAX_FAILURES_ALL_CLIENTS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_failures < 1 or max_failures_all_clients < 1 or window_seconds <= 0:
            raise ValueError("the limits must be at least 1 failure and a window of more than 0 seconds")
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self.max_failures_all_clients = max_failures_all_clients
        self._clock = clock
        self._mutex = threading.Lock()  # Streamlit runs each browser session's script in its own thread
        self._failures: dict[str, deque[float]] = {}
        self._all_failures: deque[float] = deque()
        self._locked_until: dict[str, float] = {}  # ALL_CLIENTS among them

    def lock(self, client: str) -> Lock | None:
        """The lock refusing ``client`` now, if any; of two, the one with longer left."""
        now = self._clock()
        with self._mutex:
            self._forget_before(now)
            ends = [self._locked_until[key] for key in (client, ALL_CLIENTS) if key in self._locked_until]
            if not ends:
                return None
            end = max(ends)
            return Lock(ALL_CLIENTS if end == self._locked_until.get(ALL_CLIENTS) else client, end - now)

    def failed(self, client: str) -> list[Lock]:
        """Count one wrong password from ``client``; the locks this failure started (none, or the
        client's and/or all clients')."""
        now = self._clock()
        started = []
        with self._mutex:
            self._forget_before(now)
            failures = self._failures.setdefault(client, deque())
            failures.append(now)
            self._all_failures.append(now)
            for key, count, limit in ((client, len(failures), self.max_failures),
                                      (ALL_CLIENTS, len(self._all_failures), self.max_failures_all_clients)):
                if count >= limit and key not in self._locked_until:
                    self._locked_until[key] = now + self.window_seconds
                    started.append(Lock(key, self.window_seconds))
                    # the count starts afresh after the lock, not one failure short of the next
                    if key == ALL_CLIENTS:
                        self._all_failures.clear()
                    else:
                        del self._failures[key]
        return started

    def succeeded(self, client: str) -> None:
        """A right password from ``client``: its count starts again."""
        with self._mutex:
            self._failures.pop(client, None)

    def _forget_before(self, now: float) -> None:
        """Drop failures older than the window and locks that have ended. The all-clients ceiling lets no
        more failures than itself into a window, so the clients held stay few however many addresses try."""
        oldest = now - self.window_seconds
        for key in list(self._failures):
            failures = self._failures[key]
            while failures and failures[0] <= oldest:
                failures.popleft()
            if not failures:
                del self._failures[key]
        while self._all_failures and self._all_failures[0] <= oldest:
            self._all_failures.popleft()
        for key in [key for key, end in self._locked_until.items() if end <= now]:
            del self._locked_until[key]
