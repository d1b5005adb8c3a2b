"""R018 — Single bid received.

Methodology (Cardinal ``src/indicators/r018.rs``): a contracting process is flagged (value
1.0) when ``tender/numberOfTenderers`` is exactly 1 and its ``procurementMethod`` is one of
the **procurement_methods** (default ``open|selective``: methods meant to be competitive).

Why is this a red flag? A competitive procedure that attracts one bid may have been
tailored to, or announced only to, that bidder — or other bidders were deterred.

Reference: open-contracting/cardinal-rs, docs/cli/indicators/R/018.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detectors.red_flags.common import Common, Results, matches_procurement_method
from detectors.red_flags.frames import Process
from detectors.red_flags.settings_io import parse_methods

CODE = "R018"
TITLE = "single bid received"
GROUPS = ("OCID",)  # the subjects it can flag (Cardinal's groups)


@dataclass(frozen=True)
class Settings:
    procurement_methods: tuple[str, ...] = ("open", "selective")


def from_sections(section: dict[str, str], subsections: dict[str, dict[str, str]]) -> Settings:
    unknown = (set(section) - {"procurement_methods"}) | set(subsections)
    if unknown:
        raise ValueError(f"[{CODE}] unknown settings {sorted(unknown)}")
    return Settings(procurement_methods=parse_methods(section.get("procurement_methods"), "open|selective"))


def evaluate(processes: list[Process], settings: Settings, common: Common, results: Results,
             context: dict[str, Any]) -> None:
    for process in processes:
        if matches_procurement_method(process, settings.procurement_methods) and process.number_of_tenderers == 1:
            results.set("OCID", process.ocid, CODE, 1.0,
                        sentence=f"a single tenderer in a {process.procurement_method} procedure")
