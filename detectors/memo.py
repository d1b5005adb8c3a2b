"""Market-level tables computed once per market and shared by the detectors of a run.

One detector run asks for the same market-level table (bid pairs, incidence matrix,
configuration null, identifier table, same-tender traces) several times — from several
steps of one detector, or from several detectors — over the same frames. Frames are taken
as unchanged while they are the same objects (:class:`~detectors.market.MarketData` is not
modified in place); callers only read the results.
"""

from __future__ import annotations

from typing import Any

__all__ = ["memo"]

_MEMO: dict[str, tuple[tuple[Any, ...], Any, Any]] = {}


def memo(name: str, frames: tuple[Any, ...], key: Any, compute: Any) -> Any:
    """``compute()`` memoised for the last ``frames`` (by identity) and ``key`` (by equality)."""
    cached = _MEMO.get(name)
    if cached is not None and len(cached[0]) == len(frames) and \
            all(a is b for a, b in zip(cached[0], frames, strict=True)) and cached[1] == key:
        return cached[2]
    value = compute()
    _MEMO[name] = (frames, key, value)
    return value
