"""R028 — Identical bid prices.

Methodology (Cardinal ``src/indicators/r028.rs``): among the submitted bids of a process
whose prices are compared, two bids with the same amount and currency but different sets of
tenderers flag the process (value 1.0) and every tenderer of those bids (Tenderer 1.0). A
tenderer repeating its own price, or bids without tenderers, do not count. One departure from
Cardinal: an amount of zero or less is no price (a placeholder of records that did not keep the
bid, as the price screens read it: :func:`detectors.screens.valid_bids`), so two of them are not
"identical bids of 0.00".

Why is this a red flag? Independent bidders rarely arrive at exactly the same price;
identical prices suggest they were agreed or copied.

Reference: open-contracting/cardinal-rs, docs/cli/indicators/R/028.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detectors.red_flags.common import Common, Results, money, price_comparison, submitted_bids
from detectors.red_flags.frames import Process
from detectors.red_flags.settings_io import check_keys

CODE = "R028"
TITLE = "identical bid prices"
GROUPS = ("OCID", "Tenderer")  # the subjects it can flag (Cardinal's groups)


@dataclass(frozen=True)
class Settings:
    pass


def from_sections(section: dict[str, str], subsections: dict[str, dict[str, str]]) -> Settings:
    check_keys(CODE, section, subsections, set())
    return Settings()


def evaluate(processes: list[Process], settings: Settings, common: Common, results: Results,
             context: dict[str, Any]) -> None:
    for process in processes:
        if not price_comparison(process, common):
            continue
        prices: dict[tuple[float, str], frozenset[str]] = {}
        for bid in submitted_bids(process):
            if bid.amount is None or bid.amount <= 0 or bid.currency is None or not bid.tenderers:
                continue  # a zero is no price (module docstring)
            ids = frozenset(bid.tenderers)
            price = (bid.amount, bid.currency)
            other = prices.get(price)
            if other is not None and other != ids:
                results.set("OCID", process.ocid, CODE, 1.0, amount=bid.amount, currency=bid.currency,
                            sentence=f"identical bids of {money(bid.amount, bid.currency)} from different tenderers")
                for firm in ids | other:
                    results.set("Tenderer", firm, CODE, 1.0, tender=process.ocid,
                                sentence="bid exactly the same price as another tenderer")
            prices[price] = ids
