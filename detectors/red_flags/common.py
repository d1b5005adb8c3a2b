"""What every red flag shares: Cardinal's quantiles, filters and the result accumulator.

Quantiles are statrs' ``Data::quantile`` (the R-8, median-unbiased estimator Cardinal
uses): ``h = (n + 1/3)·τ + 1/3``, linear interpolation between the order statistics around
``h``, the minimum below the first and the maximum above the last. The filters are
Cardinal's (``src/lib.rs``): a cancelled contracting process is skipped by every
indicator; ``[exclusions] procurement_method_details`` drops processes; submitted bids are
those whose status is not invited or withdrawn; awards count only when every award is final
(active, cancelled or unsuccessful).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from detectors.market import NOT_TENDERED
from detectors.red_flags.frames import AwardRecord, BidRecord, Process

GROUPS = ("OCID", "Buyer", "ProcuringEntity", "Tenderer")


def quantile(values: Iterable[float], tau: float) -> float:
    """statrs ``Data::quantile`` (R-8); NaN for no values."""
    data = sorted(values)
    n = len(data)
    if n == 0 or not 0.0 <= tau <= 1.0:
        return float("nan")
    h = (n + 1.0 / 3.0) * tau + 1.0 / 3.0
    hf = int(h)
    if hf <= 0 or tau == 0.0:
        return data[0]
    if hf >= n or abs(tau - 1.0) < 1e-12:
        return data[-1]
    a, b = data[hf - 1], data[hf]
    return a + (h - hf) * (b - a)


def quartiles(values: Iterable[float]) -> tuple[float, float]:
    data = list(values)
    return quantile(data, 0.25), quantile(data, 0.75)


@dataclass(frozen=True)
class Common:
    """Settings every indicator may read (Cardinal's top-level keys and [exclusions])."""

    currency: str | None = None
    no_price_comparison_procurement_methods: tuple[str, ...] = ()
    price_comparison_procurement_methods: tuple[str, ...] = ()
    exclude_procurement_method_details: tuple[str, ...] = ()
    per_lot: bool = True
    use_related_bids: bool = True
    # distinct flags a subject needs to be reported (findings only, not Cardinal's results); never more
    # than the enabled flags that can flag its kind (a buyer: R038 alone; red_flags.flags_needed)
    minimum_flags: int = 2
    report_alone: tuple[str, ...] = ("R028", "R030")  # flags reported even when a subject raised no other


def matches_procurement_method(process: Process, methods: tuple[str, ...]) -> bool:
    if not methods:
        return True
    return process.procurement_method is not None and process.procurement_method in methods


def matches_procurement_method_details(process: Process, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    details = process.procurement_method_details
    if details is not None:
        return details in include if include else details not in exclude
    return not include


def price_comparison(process: Process, common: Common) -> bool:
    """Whether prices are compared in this process (Cardinal's price/no-price method lists)."""
    return matches_procurement_method_details(process, common.price_comparison_procurement_methods,
                                              common.no_price_comparison_procurement_methods)


def included(process: Process, common: Common) -> bool:
    """Cardinal's global filter: not cancelled and not excluded by procurement method details."""
    return process.status != "cancelled" and matches_procurement_method_details(
        process, (), common.exclude_procurement_method_details)


def submitted_bids(process: Process) -> list[BidRecord]:
    """Pending, valid and disqualified bids (status set and not invited/withdrawn, NOT_TENDERED)."""
    return [b for b in process.bids if b.status is not None and b.status not in NOT_TENDERED]


def complete_awards_if_all_final(process: Process) -> list[AwardRecord] | None:
    """Active awards when every award with a status is final; None when one is not."""
    complete = []
    for award in process.awards:
        if award.status is None:
            continue
        if award.status == "active":
            complete.append(award)
        elif award.status not in ("cancelled", "unsuccessful"):
            return None
    return complete


def money(amount: float, currency: str | None) -> str:
    """``1,234.50 CNY``; the bare number in the unnamed currency (:data:`~detectors.red_flags.frames.UNNAMED`)."""
    return f"{amount:,.2f} {currency}" if currency else f"{amount:,.2f}"


def main_currency(processes: Iterable[Process], common: Common) -> str | None:
    """The one currency prices are compared in: the setting, else the most frequent bid currency.

    Cardinal takes the first currency it happens to read; the most frequent one gives the
    same answer on single-currency data and does not depend on load order.
    """
    if common.currency:
        return common.currency
    counts = Counter(b.currency for p in processes for b in p.bids
                     if b.currency is not None and b.amount is not None)
    if not counts:
        return None
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


@dataclass
class Results:
    """Cardinal's output (group → id → code → value) plus meta and per-result details."""

    values: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    details: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    currency: str | None = None  # the one currency prices were compared in

    def set(self, group: str, key: str, code: str, value: float, tender: str | None = None, **detail: Any) -> None:
        """Record a result; ``tender`` (a process's ocid) is added to the result's ``tenders``, so a
        tenderer flagged in several processes says in which."""
        self.values.setdefault(group, {}).setdefault(key, {})[code] = float(value)
        if detail or tender is not None:
            stored = self.details.setdefault((group, key, code), {})
            stored.update(detail)
            if tender is not None and tender not in stored.setdefault("tenders", []):
                stored["tenders"].append(tender)

    def set_meta(self, code: str, name: str, value: Any) -> None:
        self.meta.setdefault(code, {})[name] = value

    def cardinal(self) -> dict[str, dict[str, dict[str, float]]]:
        """The results in Cardinal's JSON shape (no empty groups)."""
        return {g: self.values[g] for g in GROUPS if self.values.get(g)}
