"""R058 — Heavily discounted bid.

Methodology (Cardinal ``src/indicators/r058.rs``): for each comparison unit the percentage
difference between the winning bid and the lowest losing bid is computed (see
:mod:`detectors.red_flags.price`). A unit is flagged when its difference is at least the
**upper fence** ``Q3 + 1.5·IQR`` of all differences (inclusive), or at least the configured
**threshold**; nothing is flagged unless the fence is positive. The process's value is the
difference; the winner gets a Tenderer result of 0.0.

Why is this a red flag? A winning bid far below every other may come from a bidder who knew
the others' prices or expects to recover the discount later (amendments, low quality).

Reference: open-contracting/cardinal-rs, docs/cli/indicators/R/058.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detectors.red_flags.common import Common, Results, money, quartiles
from detectors.red_flags.frames import Process
from detectors.red_flags.price import price_ratios
from detectors.red_flags.settings_io import check_keys, parse_float

CODE = "R058"
TITLE = "heavily discounted bid"
GROUPS = ("OCID", "Tenderer")  # the subjects it can flag (Cardinal's groups)


@dataclass(frozen=True)
class Settings:
    threshold: float | None = None  # a ratio; None = the upper Tukey fence


def from_sections(section: dict[str, str], subsections: dict[str, dict[str, str]]) -> Settings:
    check_keys(CODE, section, subsections, {"threshold"})
    return Settings(threshold=parse_float(section.get("threshold"), f"{CODE}.threshold"))


def _percent(value: float, other: float) -> str:
    """``value`` as a percentage, to as many decimals as it takes to differ from ``other`` (at most
    2): a gap of 19.81 % over a fence of 19.72 % must not read "20 % … upper fence 20 %"."""
    for digits in (0, 1, 2):
        if round(100 * value, digits) != round(100 * other, digits):
            return f"{100 * value:.{digits}f} %"
    return f"{100 * value:.2f} %"


def evaluate(processes: list[Process], settings: Settings, common: Common, results: Results,
             context: dict[str, Any]) -> None:
    ratios = price_ratios(processes, common, context)
    if settings.threshold is None:
        q1, q3 = quartiles(r.ratio for r in ratios.ratios)
        results.set_meta(CODE, "q1", q1)
        results.set_meta(CODE, "q3", q3)
        upper_fence = q3 + 1.5 * (q3 - q1)
    else:
        upper_fence = settings.threshold
    results.set_meta(CODE, "upper_fence", upper_fence)
    results.set_meta(CODE, "currency", ratios.currency)
    if not upper_fence > 0:
        return
    for r in ratios.ratios:
        if r.ratio >= upper_fence:
            current = results.values.get("OCID", {}).get(r.ocid, {}).get(CODE)
            if current is None or r.ratio > current:
                where = f" in lot {r.lot}" if r.lot else ""
                results.set("OCID", r.ocid, CODE, r.ratio, lot=r.lot, winner=list(r.winner), loser=list(r.loser),
                            winning_amount=r.winning_amount, losing_amount=r.losing_amount, currency=r.currency,
                            upper_fence=upper_fence,
                            sentence=(f"the next bid{where} {_percent(r.ratio, upper_fence)} above the winning bid "
                                      f"({r.losing_amount:,.2f} against {money(r.winning_amount, r.currency)}; "
                                      f"upper fence {_percent(upper_fence, r.ratio)})"))
            for firm in r.winner:
                results.set("Tenderer", firm, CODE, 0.0, tender=r.ocid, sentence="won with a bid far below every other")
