"""R003 — Short submission period.

Methodology (Cardinal ``src/indicators/r003.rs``): the submission period is the number of
whole days (truncated toward zero) from ``tender/tenderPeriod/startDate`` to
``tender/tenderPeriod/endDate``. A contracting process is flagged (value 1.0) when the
period is shorter than the **threshold** — 15 days by default, or the threshold set for
its ``procurementMethodDetails`` — and its ``procurementMethod`` is one of the configured
**procurement_methods** (all methods when unset). Processes missing either date, or with
dates that are not RFC 3339 date-times, are skipped.

Two departures from Cardinal, for records as they come: a period below zero (the deadline before
the start, a data-entry error) is no short period and is not flagged — it read "a submission
period of -27 days" and, as flags are reported two or more at a time, carried other flags into
findings; and where the market's start dates carry years only (:func:`detectors.finding.yearly`:
every one 1 January, as a table dated by year loads) no period is read.

Why is this a red flag? A short period lets only insiders, warned in advance, prepare a
compliant bid.

Reference: open-contracting/cardinal-rs, docs/cli/indicators/R/003.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detectors.finding import counted, yearly
from detectors.red_flags.common import Common, Results, matches_procurement_method
from detectors.red_flags.frames import Process
from detectors.red_flags.settings_io import parse_int, parse_methods

CODE = "R003"
TITLE = "short submission period"
GROUPS = ("OCID",)  # the subjects it can flag (Cardinal's groups)
DAY_NS = 86_400 * 10**9


@dataclass(frozen=True)
class Settings:
    threshold: int = 15
    procurement_methods: tuple[str, ...] = ()
    procurement_method_details: tuple[tuple[str, int], ...] = ()


def from_sections(section: dict[str, str], subsections: dict[str, dict[str, str]]) -> Settings:
    """``[R003]`` threshold, procurement_methods; ``[R003.procurement_method_details]`` name = days."""
    unknown = set(section) - {"threshold", "procurement_methods"}
    unknown |= {f"{CODE}.{name}" for name in subsections if name != "procurement_method_details"}
    if unknown:
        raise ValueError(f"[{CODE}] unknown settings {sorted(unknown)}")
    details = subsections.get("procurement_method_details", {})
    return Settings(
        threshold=parse_int(section.get("threshold"), 15, f"{CODE}.threshold"),
        procurement_methods=parse_methods(section.get("procurement_methods"), ""),
        procurement_method_details=tuple(
            (name, parse_int(value, 0, f"{CODE}.procurement_method_details.{name}"))
            for name, value in sorted(details.items())
        ),
    )


def whole_days(start: Any, end: Any) -> int:
    """Days from start to end, truncated toward zero (chrono ``Duration::num_days``)."""
    ns = int((end - start).value)
    return ns // DAY_NS if ns >= 0 else -((-ns) // DAY_NS)


def evaluate(processes: list[Process], settings: Settings, common: Common, results: Results,
             context: dict[str, Any]) -> None:
    thresholds = dict(settings.procurement_method_details)
    if yearly([process.tender_start for process in processes if process.tender_start is not None]):
        return  # years only: no period to read (module docstring)
    for process in processes:
        if (not matches_procurement_method(process, settings.procurement_methods)
                or process.tender_start is None or process.tender_end is None):
            continue
        days = whole_days(process.tender_start, process.tender_end)
        if days < 0:
            continue  # the deadline before the start: a data error, no short period (module docstring)
        details = process.procurement_method_details
        threshold = thresholds[details] if details is not None and details in thresholds else settings.threshold
        if days < threshold:
            results.set("OCID", process.ocid, CODE, 1.0, days=days, threshold=threshold,
                        sentence=f"a submission period of {counted(days, 'day')} (threshold {threshold})")
