"""R035 — All except winning bid disqualified.

Methodology (Cardinal ``src/indicators/r035.rs``): when every award is final, the process
is flagged if exactly one tenderer has valid bids, that tenderer is exactly the set of
suppliers of the active awards, and at least **threshold** (default 1, minimum 1) other
tenderers have disqualified bids. The value is the number of such other tenderers; the
winner gets a Tenderer result of 0.0.

Why is this a red flag? Disqualifying every competitor can be how a buyer steers a
contract to a chosen firm.

Reference: open-contracting/cardinal-rs, docs/cli/indicators/R/035.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detectors.finding import counted
from detectors.red_flags.common import Common, Results, complete_awards_if_all_final
from detectors.red_flags.frames import Process
from detectors.red_flags.settings_io import check_keys, parse_int

CODE = "R035"
TITLE = "all except winning bid disqualified"
GROUPS = ("OCID", "Tenderer")  # the subjects it can flag (Cardinal's groups)


@dataclass(frozen=True)
class Settings:
    threshold: int = 1


def from_sections(section: dict[str, str], subsections: dict[str, dict[str, str]]) -> Settings:
    check_keys(CODE, section, subsections, {"threshold"})
    return Settings(threshold=max(parse_int(section.get("threshold"), 1, f"{CODE}.threshold"), 1))


def evaluate(processes: list[Process], settings: Settings, common: Common, results: Results,
             context: dict[str, Any]) -> None:
    threshold = max(settings.threshold, 1)
    for process in processes:
        complete = complete_awards_if_all_final(process)
        if complete is None:
            continue
        suppliers = {f for a in complete for f in a.suppliers}
        valid = {f for b in process.bids if b.status == "valid" for f in b.tenderers}
        disqualified = {f for b in process.bids if b.status == "disqualified" for f in b.tenderers}
        if len(valid) != 1 or valid != suppliers:
            continue
        others = disqualified - valid
        if len(others) >= threshold:
            (winner,) = valid
            results.set("OCID", process.ocid, CODE, float(len(others)), winner=winner,
                        disqualified=sorted(others),
                        sentence=f"every bid except the winner's was disqualified ({counted(len(others), 'other tenderer')})")
            results.set("Tenderer", winner, CODE, 0.0, tender=process.ocid,
                        sentence="won after every other bidder was disqualified")
