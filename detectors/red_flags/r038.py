"""R038 — Excessive disqualified bids.

Methodology (Cardinal ``src/indicators/r038.rs``): for each buyer, procuring entity and
tenderer, the ratio of disqualified bids to submitted bids (pending, valid, disqualified)
across its processes. Buyers and procuring entities with fewer than
**minimum_contracting_processes** submitted bids (default 2; Cardinal compares this setting
with the number of submitted bids) and tenderers with fewer than **minimum_submitted_bids**
(default 2) are left out. One is flagged when its ratio is at least the **upper fence**
``Q3 + 1.5·IQR`` of its group's ratios (inclusive) or the **threshold**; nothing is flagged
unless the fence is positive. The value is the ratio.

Why is this a red flag? A buyer that disqualifies many bids may be excluding competitors of
a favoured firm; a tenderer whose bids are often disqualified may be a cover bidder
submitting deliberately non-compliant bids.

Reference: open-contracting/cardinal-rs, docs/cli/indicators/R/038.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detectors.red_flags.common import Common, Results, quartiles, submitted_bids
from detectors.red_flags.frames import Process
from detectors.red_flags.settings_io import check_keys, parse_float, parse_int

CODE = "R038"
TITLE = "excessive disqualified bids"
GROUPS = ("Buyer", "ProcuringEntity", "Tenderer")  # the subjects it can flag (Cardinal's groups)


@dataclass(frozen=True)
class Settings:
    threshold: float | None = None
    minimum_submitted_bids: int = 2
    minimum_contracting_processes: int = 2


def from_sections(section: dict[str, str], subsections: dict[str, dict[str, str]]) -> Settings:
    check_keys(CODE, section, subsections, {"threshold", "minimum_submitted_bids", "minimum_contracting_processes"})
    return Settings(
        threshold=parse_float(section.get("threshold"), f"{CODE}.threshold"),
        minimum_submitted_bids=parse_int(section.get("minimum_submitted_bids"), 2, f"{CODE}.minimum_submitted_bids",
                                         minimum=0),
        minimum_contracting_processes=parse_int(section.get("minimum_contracting_processes"), 2,
                                                f"{CODE}.minimum_contracting_processes", minimum=0),
    )


def _flag(group: str, fractions: dict[str, list[int]], minimum: int, settings: Settings, results: Results) -> None:
    ratios = {k: d / n for k, (d, n) in fractions.items() if n >= minimum}
    if not ratios:
        return
    if settings.threshold is None:
        q1, q3 = quartiles(ratios.values())
        results.set_meta(CODE, f"{group}_q1", q1)
        results.set_meta(CODE, f"{group}_q3", q3)
        upper_fence = q3 + 1.5 * (q3 - q1)
    else:
        upper_fence = settings.threshold
    results.set_meta(CODE, f"{group}_upper_fence", upper_fence)
    if not upper_fence > 0:
        return
    for key, ratio in ratios.items():
        if ratio >= upper_fence:
            d, n = fractions[key]
            results.set(group, key, CODE, ratio, disqualified=d, submitted=n, upper_fence=upper_fence,
                        sentence=f"{d} of {n} submitted bids disqualified (upper fence {100 * upper_fence:.0f} %)")


def evaluate(processes: list[Process], settings: Settings, common: Common, results: Results,
             context: dict[str, Any]) -> None:
    buyers: dict[str, list[int]] = {}
    entities: dict[str, list[int]] = {}
    tenderers: dict[str, list[int]] = {}
    for process in processes:
        bids = submitted_bids(process)
        if not bids:
            continue
        disqualified = 0
        for bid in bids:
            increment = int(bid.status == "disqualified")
            disqualified += increment
            for firm in bid.tenderers:
                fraction = tenderers.setdefault(firm, [0, 0])
                fraction[0] += increment
                fraction[1] += 1
        for owner, table in ((process.buyer_id, buyers), (process.procuring_entity_id, entities)):
            if owner is not None:
                fraction = table.setdefault(owner, [0, 0])
                fraction[0] += disqualified
                fraction[1] += len(bids)
    _flag("Buyer", buyers, settings.minimum_contracting_processes, settings, results)
    _flag("ProcuringEntity", entities, settings.minimum_contracting_processes, settings, results)
    _flag("Tenderer", tenderers, settings.minimum_submitted_bids, settings, results)
