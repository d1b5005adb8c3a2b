"""R036 — Lowest bid disqualified.

Methodology (Cardinal ``src/indicators/r036.rs``): in a process whose prices are compared
and that has at least one active award, the process is flagged (value 1.0) when the lowest
submitted bid in the main currency is disqualified while at least one valid bid has an
amount (ties: the first bid published is the lowest). With ``per_lot``, a tender whose bids
name lots is judged lot by lot.

Why is this a red flag? When price decides, disqualifying the cheapest bid is the simplest
way to hand the contract to a more expensive favourite.

Reference: open-contracting/cardinal-rs, docs/cli/indicators/R/036.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detectors.red_flags.common import Common, Results, main_currency, money, price_comparison, submitted_bids
from detectors.red_flags.frames import Process
from detectors.red_flags.settings_io import check_keys

CODE = "R036"
TITLE = "lowest bid disqualified"
GROUPS = ("OCID",)  # the subjects it can flag (Cardinal's groups)


@dataclass(frozen=True)
class Settings:
    pass


def from_sections(section: dict[str, str], subsections: dict[str, dict[str, str]]) -> Settings:
    check_keys(CODE, section, subsections, set())
    return Settings()


def evaluate(processes: list[Process], settings: Settings, common: Common, results: Results,
             context: dict[str, Any]) -> None:
    currency = main_currency(processes, common)
    for process in processes:
        if not price_comparison(process, common) or not any(a.status == "active" for a in process.awards):
            continue
        priced = [b for b in submitted_bids(process) if b.amount is not None and b.currency == currency]
        groups: list[tuple[str | None, list[Any]]] = [(None, priced)]
        if common.per_lot and process.lots and priced and all(len(b.lots) == 1 for b in priced):
            groups = [(lot, [b for b in priced if b.lots == (lot,)]) for lot in process.lots]
        for lot, bids in groups:
            lowest = None
            for bid in bids:
                if lowest is None or bid.amount < lowest.amount:
                    lowest = bid
            if lowest is not None and lowest.status == "disqualified" and any(b.status == "valid" for b in bids):
                where = f" in lot {lot}" if lot else ""
                results.set("OCID", process.ocid, CODE, 1.0, lot=lot, lowest_bid=lowest.bid_id,
                            amount=lowest.amount, currency=currency,
                            sentence=f"the lowest bid{where} ({money(lowest.amount, currency)}) was disqualified")
                break
