"""Stopping a job on SIGINT (Ctrl-C) or SIGTERM (cron's timeout, ``kill``, a service manager) cleanly.

Python turns Ctrl-C into KeyboardInterrupt wherever the main thread is, and SIGTERM by default
ends the process at once. Both are wrong for a job that writes to Neo4j: an exception raised
inside the driver while it writes a message leaves the connection half-written (the next request
failed with ``Expected MAP but got STRUCT``, and the interruption was lost), and a process ended
without unwinding records nothing (a load stayed "running", a backup left the server stopped).

* :func:`deferred_interrupts` — for loads: the first signal is noted and raised as
  :class:`Interrupted` at the next :func:`checkpoint` (before each write batch, so the batch
  in flight commits and the load log records the end; at the latest when the block ends); a
  second signal raises at once.
* :func:`signals_raise` — for jobs that wait on a child process (a backup's dump): SIGTERM or
  Ctrl-C raises :class:`Interrupted` at once, so ``finally`` blocks run (the server is started again).
  Inside :func:`deferred_interrupts` (a backup's stop and restart of the server, which must not
  be cut short), it raises at once only within its own block.

Both act in the main thread only (signal handlers can be set nowhere else) and restore the
handlers they replaced.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["Interrupted", "deferred_interrupts", "checkpoint", "signals_raise", "exit_code"]

NAMES = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}


class Interrupted(BaseException):
    """A job was asked to stop by a signal; ``signum`` says which. ``done``: what the job had
    completed when it stopped, for its message (a backup whose dump was written before the server
    had started again)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {NAMES.get(signal.Signals(signum), f'signal {signum}')}")
        self.signum = signum
        self.done: str | None = None


_pending: list[int] = []


def checkpoint() -> None:
    """Raise :class:`Interrupted` when a signal arrived inside :func:`deferred_interrupts`."""
    if _pending:
        raise Interrupted(_pending[0])


def exit_code(error: BaseException) -> int:
    """The shell's code for a process ended by a signal: 128 + its number (130 for Ctrl-C, 143 for SIGTERM)."""
    return 128 + (error.signum if isinstance(error, Interrupted) else int(signal.SIGINT))


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def deferred_interrupts(announce: bool = True, until: str | None = None) -> Iterator[None]:
    """SIGINT and SIGTERM in the block stop it at the next :func:`checkpoint`; a second one at once.

    With ``until`` (what the job finishes first, e.g. "the server runs again"), every signal
    waits: a second one cut a backup's restart of the server short and left it stopped, where the
    first had said nothing, so a user pressed Ctrl-C again."""
    if not _main_thread():
        yield
        return

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if _pending and until is None:
            raise Interrupted(signum)
        name = NAMES.get(signal.Signals(signum), signum)
        if until is not None:
            if not _pending:
                print(f"{name}: stopping once {until}", file=sys.stderr, flush=True)
        elif announce:
            print(f"{name}: stopping after the batch being written (send it again to stop at once)",
                  file=sys.stderr, flush=True)
        _pending.append(signum)

    try:
        with _handled(on_signal):
            yield
            checkpoint()  # a signal after the last write batch still stops the job with its code
    finally:
        _pending.clear()


@contextmanager
def signals_raise() -> Iterator[None]:
    """SIGTERM or SIGINT in the block raises :class:`Interrupted` at once (also inside
    :func:`deferred_interrupts`, whose handlers come back after the block)."""
    if not _main_thread():
        yield
        return

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum)

    with _handled(on_signal):
        yield


@contextmanager
def _handled(on_signal: Any) -> Iterator[None]:
    """``on_signal`` handles SIGINT and SIGTERM in the block; the handlers it replaced come back after."""
    previous: dict[int, Any] = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
