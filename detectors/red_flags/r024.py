"""R024 — Price close to winning bid.

Methodology (Cardinal ``src/indicators/r024.rs``): for each comparison unit the percentage
difference between the winning bid and the lowest losing bid is computed (see
:mod:`detectors.red_flags.price`). A unit is flagged when its difference is at most the
**lower fence** ``Q1 − 1.5·IQR`` of all differences (inclusive), or at most the configured
**threshold**. Nothing is flagged unless ``Q1 > 0`` and the fence is positive (otherwise a
quarter of processes would have no difference and three quarters would be flagged). The
process's value is the difference; the winner and the lowest loser get a Tenderer result
of 0.0.

Why is this a red flag? Cover bidders who know the winning price tend to bid just above it.

Reference: open-contracting/cardinal-rs, docs/cli/indicators/R/024.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detectors.red_flags.common import Common, Results, quartiles
from detectors.red_flags.frames import Process
from detectors.red_flags.price import price_ratios
from detectors.red_flags.settings_io import check_keys, parse_float

CODE = "R024"
TITLE = "price close to winning bid"
GROUPS = ("OCID", "Tenderer")  # the subjects it can flag (Cardinal's groups)


@dataclass(frozen=True)
class Settings:
    threshold: float | None = None  # a ratio; None = the lower Tukey fence


def from_sections(section: dict[str, str], subsections: dict[str, dict[str, str]]) -> Settings:
    check_keys(CODE, section, subsections, {"threshold"})
    return Settings(threshold=parse_float(section.get("threshold"), f"{CODE}.threshold"))


def evaluate(processes: list[Process], settings: Settings, common: Common, results: Results,
             context: dict[str, Any]) -> None:
    ratios = price_ratios(processes, common, context)
    if settings.threshold is None:
        q1, q3 = quartiles(r.ratio for r in ratios.ratios)
        results.set_meta(CODE, "q1", q1)
        results.set_meta(CODE, "q3", q3)
        lower_fence = q1 - 1.5 * (q3 - q1)
    else:
        q1, lower_fence = 1.0, settings.threshold  # Cardinal's dummy q1 passes the guard
    results.set_meta(CODE, "lower_fence", lower_fence)
    results.set_meta(CODE, "currency", ratios.currency)
    results.set_meta(CODE, "other_currency_bids", ratios.other_currency_bids)
    results.set_meta(CODE, "consortium_bids_excluded", ratios.consortium_bids_excluded)
    if not (q1 > 0 and lower_fence > 0):
        return
    for r in ratios.ratios:
        if r.ratio <= lower_fence:
            current = results.values.get("OCID", {}).get(r.ocid, {}).get(CODE)
            if current is None or r.ratio < current:
                where = f" in lot {r.lot}" if r.lot else ""
                results.set("OCID", r.ocid, CODE, r.ratio, lot=r.lot, winner=list(r.winner), loser=list(r.loser),
                            winning_amount=r.winning_amount, losing_amount=r.losing_amount, currency=r.currency,
                            lower_fence=lower_fence,
                            sentence=(f"the lowest losing bid{where} only {100 * r.ratio:.1f} % above the winning "
                                      f"bid (lower fence {100 * lower_fence:.1f} %)"))
            for firm in (*r.winner, *r.loser):
                results.set("Tenderer", firm, CODE, 0.0, tender=r.ocid,
                            sentence="winner or runner-up where the runner-up bid sat unusually close to the "
                                     "winning bid")
