"""R025 — Excessive unsuccessful bids.

Methodology (Cardinal ``src/indicators/r025.rs``): in each process with exactly one active
award (all awards final) to one supplier, every tenderer of a valid single-tenderer bid is
counted once, as a win when it is the supplier. Per tenderer, the ratio of wins to
processes bid is computed. A tenderer is flagged when it bid in at least the
**percentile**-th percentile (default 75) of bid counts and its ratio is at most the
**lower fence** ``Q1 − 1.5·IQR`` of all ratios (inclusive) or the **threshold**; nothing is
flagged unless ``Q1 > 0`` and the fence is positive. The value is the ratio.

Why is this a red flag? A frequent bidder that almost never wins may be submitting cover
bids for a cartel.

Reference: open-contracting/cardinal-rs, docs/cli/indicators/R/025.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detectors.red_flags.common import Common, Results, complete_awards_if_all_final, quantile, quartiles
from detectors.red_flags.frames import Process
from detectors.red_flags.settings_io import check_keys, parse_float, parse_int

CODE = "R025"
TITLE = "excessive unsuccessful bids"
GROUPS = ("Tenderer",)  # the subjects it can flag (Cardinal's groups)


@dataclass(frozen=True)
class Settings:
    percentile: int = 75
    threshold: float | None = None


def from_sections(section: dict[str, str], subsections: dict[str, dict[str, str]]) -> Settings:
    check_keys(CODE, section, subsections, {"percentile", "threshold"})
    return Settings(percentile=parse_int(section.get("percentile"), 75, f"{CODE}.percentile", minimum=0),
                    threshold=parse_float(section.get("threshold"), f"{CODE}.threshold"))


def evaluate(processes: list[Process], settings: Settings, common: Common, results: Results,
             context: dict[str, Any]) -> None:
    wins: dict[str, int] = {}
    bids: dict[str, int] = {}
    for process in processes:
        complete = complete_awards_if_all_final(process)
        if complete is None or len(complete) != 1 or len(complete[0].suppliers) != 1:
            continue
        supplier = complete[0].suppliers[0]
        tenderers = {b.tenderers[0] for b in process.bids if b.status == "valid" and len(b.tenderers) == 1}
        for firm in tenderers:
            bids[firm] = bids.get(firm, 0) + 1
            wins[firm] = wins.get(firm, 0) + (firm == supplier)
    ratios = {firm: wins[firm] / bids[firm] for firm in bids}
    upper_fence = quantile(bids.values(), settings.percentile / 100.0)
    if settings.threshold is None:
        q1, q3 = quartiles(ratios.values())
        results.set_meta(CODE, "q1", q1)
        results.set_meta(CODE, "q3", q3)
        lower_fence = q1 - 1.5 * (q3 - q1)
    else:
        q1, lower_fence = 1.0, settings.threshold
    results.set_meta(CODE, "upper_fence", upper_fence)
    results.set_meta(CODE, "lower_fence", lower_fence)
    if not (q1 > 0 and lower_fence > 0):
        return
    for firm, ratio in ratios.items():
        if bids[firm] >= upper_fence and ratio <= lower_fence:
            results.set("Tenderer", firm, CODE, ratio, bids=bids[firm], wins=wins[firm], upper_fence=upper_fence,
                        lower_fence=lower_fence,
                        sentence=f"won {wins[firm]} of the {bids[firm]} processes it bid in")
