"""R030 — Late bid won.

Methodology (Cardinal ``src/indicators/r030.rs``): a valid bid dated after
``tender/tenderPeriod/endDate`` whose tenderer is a supplier of an active award flags the
process (value 1.0) and that tenderer (Tenderer 1.0). Cardinal compares the date strings;
here the instants are compared (the same answer for same-offset RFC 3339 text, and right
across offsets).

Why is this a red flag? Accepting a late bid, and awarding it, breaks equal treatment and
may mean the winner saw the other bids first.

Reference: open-contracting/cardinal-rs, docs/cli/indicators/R/030.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detectors.red_flags.common import Common, Results
from detectors.red_flags.frames import Process
from detectors.red_flags.settings_io import check_keys

CODE = "R030"
TITLE = "late bid won"
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
        if process.tender_end is None:
            continue
        suppliers = {f for a in process.awards if a.status == "active" for f in a.suppliers}
        for bid in process.bids:
            if bid.status != "valid" or bid.submitted_at is None or not bid.submitted_at > process.tender_end:
                continue
            for firm in bid.tenderers:
                if firm in suppliers:
                    results.set("OCID", process.ocid, CODE, 1.0, tenderer=firm,
                                submitted_at=bid.submitted_at, deadline=process.tender_end,
                                sentence=f"a bid received after the deadline ({bid.submitted_at:%Y-%m-%d %H:%M}) "
                                         f"won the award")
                    results.set("Tenderer", firm, CODE, 1.0, tender=process.ocid,
                                sentence="won with a bid received after the deadline")
