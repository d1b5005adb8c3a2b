"""R048 — Heterogeneous supplier.

Methodology (Cardinal ``src/indicators/r048.rs``): for each supplier of an active award
made to that supplier alone, the **variety** is the number of distinct first-level item
classifications (the first **digits** characters of each awarded item's classification
id, default 2) across all its processes. Suppliers seen in fewer than
**minimum_contracting_processes** processes (default 20) are left out. A supplier is
flagged when its variety is at least the **upper fence** ``Q3 + 1.5·IQR`` of all varieties
(inclusive) or the **threshold**. Cardinal has no positive-fence guard here, so when every
variety is equal (IQR = 0) all are flagged; this module does the same for parity, and says
so in the meta (``iqr``). The value is the variety.

Why is this a red flag? A supplier of unrelated goods and services is more likely a front
or an intermediary extracting rent than a specialist delivering value.

Reference: open-contracting/cardinal-rs, docs/cli/indicators/R/048.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detectors.red_flags.common import Common, Results, quartiles
from detectors.red_flags.frames import Process
from detectors.red_flags.settings_io import check_keys, parse_int

CODE = "R048"
TITLE = "heterogeneous supplier"
GROUPS = ("Tenderer",)  # the subjects it can flag (Cardinal's groups)


@dataclass(frozen=True)
class Settings:
    digits: int = 2
    threshold: int | None = None
    minimum_contracting_processes: int = 20


def from_sections(section: dict[str, str], subsections: dict[str, dict[str, str]]) -> Settings:
    check_keys(CODE, section, subsections, {"digits", "threshold", "minimum_contracting_processes"})
    threshold = section.get("threshold")
    return Settings(
        digits=parse_int(section.get("digits"), 2, f"{CODE}.digits", minimum=1),
        threshold=None if threshold is None or not threshold.strip() else parse_int(threshold, 0, f"{CODE}.threshold",
                                                                                    minimum=0),
        minimum_contracting_processes=parse_int(section.get("minimum_contracting_processes"), 20,
                                                f"{CODE}.minimum_contracting_processes", minimum=0),
    )


def evaluate(processes: list[Process], settings: Settings, common: Common, results: Results,
             context: dict[str, Any]) -> None:
    counts: dict[str, int] = {}
    codes: dict[str, set[str]] = {}
    for process in processes:
        observed: set[str] = set()
        for award in process.awards:
            if award.status != "active" or len(award.suppliers) != 1:
                continue
            supplier = award.suppliers[0]
            for code in award.classification_ids:
                if supplier not in observed:
                    observed.add(supplier)
                    counts[supplier] = counts.get(supplier, 0) + 1
                codes.setdefault(supplier, set()).add(code[: settings.digits])
    lengths = {s: len(codes[s]) for s, n in counts.items() if n >= settings.minimum_contracting_processes}
    if settings.threshold is None:
        q1, q3 = quartiles(lengths.values())
        results.set_meta(CODE, "q1", q1)
        results.set_meta(CODE, "q3", q3)
        results.set_meta(CODE, "iqr", q3 - q1)
        upper_fence = q3 + 1.5 * (q3 - q1)
    else:
        upper_fence = float(settings.threshold)
    results.set_meta(CODE, "upper_fence", upper_fence)
    for supplier, length in lengths.items():
        if length >= upper_fence:
            results.set("Tenderer", supplier, CODE, float(length), processes=counts[supplier],
                        divisions=sorted(codes[supplier]), upper_fence=upper_fence,
                        sentence=f"supplied items of {length} unrelated classification divisions "
                                 f"(upper fence {upper_fence:.1f})")
