"""Cardinal's red flags for Open Contracting data: R003 … R058, one module per flag.

``NAME = "red_flags"``. :func:`detect` runs every enabled flag over the OCDS frame
(:class:`~detectors.red_flags.frames.OcdsFrames`, read by
:func:`graph.readers.read_ocds`) — or, when none is given, over the frame
implied by the CSV market — and returns one :class:`~detectors.finding.Finding` per
subject it reports (see below: by default two distinct flags — one for a buyer — or R028/R030 alone): kind ``tender`` (Cardinal's OCID group), ``firm``
(Tenderer) or ``buyer`` (Buyer and ProcuringEntity). The evidence lists each flag with its
value (Cardinal's output), the facts behind it and the quartiles and fences used
(Cardinal's ``Meta``).

Definitions, defaults, fences (inclusive) and exclusions are those of OCDS Cardinal
(open-contracting/cardinal-rs, ``src/indicators/r0xx.rs``); a flag that needs data the
source lacks simply raises nothing. Settings come from ONE file, ``settings.ini`` beside
this module (or ``$IRONCAGE_RED_FLAGS_SETTINGS``), in Cardinal's INI format; unknown
settings are refused. Beyond Cardinal (section ``[iron_cage]``): prices are compared lot by
lot when lots exist, award→bid links (relatedBids) identify winning bids including
consortium bids, and prices are compared in one currency only (the configured one, else the
most frequent), the bids in others being counted in the meta, never mixed; a tender without a
currency (the CSV bundle's ``currency`` is optional) is priced in the market's one unnamed, local
currency, whose sentences give the bare amounts.

Score: each flag raised on a subject counts 40 points, combined as 100·(1 − 0.6ⁿ) for n
flags (40, 64, 78, 87 …): a red flag is a prompt to look, and several on one subject are a
stronger one.

Which subjects become findings (``[iron_cage] minimum_flags``, ``report_alone``): Cardinal
reports every result, and :func:`evaluate` still does; a *finding* is made for a subject that
raised at least ``minimum_flags`` distinct flags (default 2) — or as many as can flag its
kind, if fewer: a buyer can raise only R038, so one is enough there (:func:`flags_needed`) —
or any flag listed in ``report_alone`` (default R028 identical prices, R030 late winning bid). Why: most flags
mark the tail of a distribution by construction (Tukey fences on price gaps, loss ratios,
disqualification rates, supplier variety) or a routine event (a short period, a single
bid, a disqualified lowest bid), so in a market of 40,000 tenders thousands of subjects
raise one of them with nothing wrong; two different indicators agreeing on one subject is
the corroboration composite risk indices rest on (Fazekas et al.'s CRI counts flags per
contract), whereas identical prices from different firms and a winning bid received after
the deadline are irregular acts in themselves. Each finding's evidence keeps every flag's
value, facts and meta, and the settings that selected it; ``minimum_flags = 1`` and an
empty ``report_alone`` give Cardinal's one-result-is-enough behaviour.
"""

from __future__ import annotations

import configparser
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from detectors.finding import Finding, counted, labels, listed
from detectors.market import MarketData
from detectors.red_flags import r003, r018, r024, r025, r028, r030, r035, r036, r038, r048, r058
from detectors.red_flags.common import Common, Results, main_currency
from detectors.red_flags.frames import OcdsFrames, build_processes, frames_from_market, gc_paused
from detectors.red_flags.settings_io import parse_bool, parse_int, parse_methods

log = logging.getLogger(__name__)

__all__ = ["NAME", "FLAGS", "Params", "detect", "evaluate", "flags_needed", "load_params", "to_cardinal"]

NAME = "red_flags"
FLAGS: dict[str, ModuleType] = {m.CODE: m for m in (r003, r018, r024, r025, r028, r030, r035, r036, r038,
                                                      r048, r058)}
SETTINGS_FILE = Path(__file__).with_name("settings.ini")
TOP_LEVEL = "__top__"
TOP_KEYS = {"currency", "no_price_comparison_procurement_methods", "price_comparison_procurement_methods"}
FLAG_POINTS = 0.4
KIND_BY_GROUP = {"OCID": "tender", "Tenderer": "firm", "Buyer": "buyer", "ProcuringEntity": "buyer"}


@dataclass(frozen=True)
class Params:
    """Which flags run and with what settings.

    ``Params()`` is what the settings file says (:func:`load_params`; with the file as
    shipped: every flag, Cardinal's defaults), so the parameters a job records are the ones
    it ran with. ``settings[code]`` is the flag module's own ``Settings``; ``common`` holds
    Cardinal's top-level keys, ``[exclusions]`` and the ``[iron_cage]`` extensions.
    """

    enabled: tuple[str, ...] = field(default_factory=lambda: load_params().enabled)
    common: Common = field(default_factory=lambda: load_params().common)
    settings: dict[str, Any] = field(default_factory=lambda: load_params().settings)

    def check(self) -> list[str]:
        """What cannot work in these values (for a detector settings file; detectors.settings)."""
        unknown = [code for code in self.enabled if code not in FLAGS]
        return [f"enabled names no flag {', '.join(unknown)}; the flags: {', '.join(FLAGS)}"] if unknown else []

    def with_settings(self, code: str, **values: Any) -> Params:
        """A copy with some settings of one flag changed (for tests and callers)."""
        from dataclasses import replace

        settings = dict(self.settings)
        settings[code] = replace(settings[code], **values)
        return replace(self, settings=settings)


def parse_settings(text: str) -> Params:
    """Params from settings text in Cardinal's INI format; ValueError on anything unknown."""
    parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";", "#"),
                                       comment_prefixes=(";", "#"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # method details are case-sensitive
    parser.read_string(f"[{TOP_LEVEL}]\n{text}")
    sections = {name: dict(parser[name]) for name in parser.sections()}
    top = sections.pop(TOP_LEVEL, {})
    unknown_top = set(top) - TOP_KEYS
    if unknown_top:
        raise ValueError(f"unknown settings {sorted(unknown_top)}")
    exclusions = sections.pop("exclusions", {})
    if set(exclusions) - {"procurement_method_details"}:
        raise ValueError(f"[exclusions] unknown settings {sorted(set(exclusions) - {'procurement_method_details'})}")
    extra = sections.pop("iron_cage", {})
    extra_keys = {"per_lot", "use_related_bids", "minimum_flags", "report_alone"}
    if set(extra) - extra_keys:
        raise ValueError(f"[iron_cage] unknown settings {sorted(set(extra) - extra_keys)}")
    report_alone = parse_methods(extra.get("report_alone"), "R028|R030")
    if set(report_alone) - set(FLAGS):
        raise ValueError(f"[iron_cage] report_alone names unknown flags {sorted(set(report_alone) - set(FLAGS))}")
    common = Common(
        currency=(top.get("currency") or "").strip() or None,
        no_price_comparison_procurement_methods=parse_methods(top.get("no_price_comparison_procurement_methods"), ""),
        price_comparison_procurement_methods=parse_methods(top.get("price_comparison_procurement_methods"), ""),
        exclude_procurement_method_details=parse_methods(exclusions.get("procurement_method_details"), ""),
        per_lot=parse_bool(extra.get("per_lot"), True, "iron_cage.per_lot"),
        use_related_bids=parse_bool(extra.get("use_related_bids"), True, "iron_cage.use_related_bids"),
        minimum_flags=parse_int(extra.get("minimum_flags"), 2, "iron_cage.minimum_flags", minimum=1),
        report_alone=report_alone,
    )
    enabled: list[str] = []
    settings: dict[str, Any] = {}
    subsections: dict[str, dict[str, dict[str, str]]] = {}
    for name in list(sections):
        code, dot, sub = name.partition(".")
        if dot:
            subsections.setdefault(code, {})[sub] = sections.pop(name)
    unknown = (set(sections) | set(subsections)) - set(FLAGS)
    if unknown:
        raise ValueError(f"unknown settings sections {sorted(unknown)}")
    for code, module in FLAGS.items():
        if code in sections:
            enabled.append(code)
            settings[code] = module.from_sections(sections[code], subsections.get(code, {}))
        elif code in subsections:
            raise ValueError(f"[{code}.…] given without [{code}]")
        else:
            settings[code] = module.Settings()
    return Params(enabled=tuple(enabled), common=common, settings=settings)


def load_params(path: Path | None = None) -> Params:
    """Params from the settings file: ``path``, else ``$IRONCAGE_RED_FLAGS_SETTINGS``, else settings.ini."""
    path = path or Path(os.environ.get("IRONCAGE_RED_FLAGS_SETTINGS") or SETTINGS_FILE)
    return parse_settings(path.read_text(encoding="utf-8"))


def evaluate(frames: OcdsFrames, params: Params | None = None) -> Results:
    """Cardinal's results (values, meta, details) for the enabled flags."""
    params = params or Params()
    processes = [p for p in build_processes(frames) if _included(p, params.common)]
    results = Results(currency=main_currency(processes, params.common))
    context: dict[str, Any] = {}
    with gc_paused():  # the flags fill plain dicts and lists: nothing for the cycle collector to find
        for code in params.enabled:
            FLAGS[code].evaluate(processes, params.settings[code], params.common, results, context)
    return results


def _included(process: Any, common: Common) -> bool:
    from detectors.red_flags.common import included

    return included(process, common)


def to_cardinal(findings: list[Finding]) -> dict[str, dict[str, dict[str, float]]]:
    """Findings back in Cardinal's output shape ({group: {id: {code: value}}})."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for finding in findings:
        for flag in finding.evidence["flags"]:
            out.setdefault(flag["group"], {}).setdefault(flag["id"], {})[flag["code"]] = flag["value"]
    return out


def _in_tenders(tenders: list[str]) -> str:
    """`` (in OC-1, OC-2, OC-3 and 3 more)``: where a tenderer's flag was raised."""
    return f" (in {listed(tenders)})" if tenders else ""


def flags_needed(params: Params) -> dict[str, int]:
    """Distinct flags a tender, firm or buyer needs to be reported: ``minimum_flags``, but never
    more than the enabled flags that can flag that kind of subject (a buyer can raise only R038,
    so two would never be reached and buyers would never be reported)."""
    can_flag = {kind: sum(1 for code in params.enabled if kind in {KIND_BY_GROUP[g] for g in FLAGS[code].GROUPS})
                for kind in sorted(set(KIND_BY_GROUP.values()))}
    return {kind: max(1, min(params.common.minimum_flags, count)) for kind, count in can_flag.items()}


def _findings(results: Results, params: Params, names: dict[tuple[str, str], str] | None = None) -> list[Finding]:
    by_subject: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for group, entries in results.values.items():
        for key, codes in entries.items():
            for code, value in codes.items():
                detail = dict(results.details.get((group, key, code), {}))
                sentence = detail.pop("sentence", FLAGS[code].TITLE) + _in_tenders(detail.get("tenders", []))
                by_subject.setdefault((KIND_BY_GROUP[group], key), []).append({
                    "code": code, "title": FLAGS[code].TITLE, "group": group, "id": key, "value": value,
                    "sentence": sentence, "facts": detail})
    findings = []
    common = params.common
    held_back = 0
    needed = flags_needed(params)
    reporting = {kind: {"minimum_flags": common.minimum_flags, "flags_needed": n,
                        "report_alone": list(common.report_alone)} for kind, n in needed.items()}
    for (kind, key), flags in sorted(by_subject.items()):
        flag_codes = sorted({f["code"] for f in flags})
        if len(flag_codes) < needed[kind] and not set(flag_codes) & set(common.report_alone):
            held_back += 1
            continue
        flags.sort(key=lambda f: (f["code"], f["group"]))
        # one flag per code: a department that is both buyer and procuring entity raises R038 once
        flags = [f for i, f in enumerate(flags) if i == 0 or f["code"] != flags[i - 1]["code"]]
        score = 100.0 * (1.0 - (1.0 - FLAG_POINTS) ** len(flags))
        noun = {"tender": "Tender", "firm": "Firm", "buyer": "Buyer"}[kind]
        listed = "; ".join(f"{f['code']} {f['title']}: {f['sentence']}" for f in flags)
        who = (names or {}).get((kind, key), key)
        explanation = f"{noun} {who} raised {counted(len(flags), 'Cardinal red flag')} — {listed}."
        findings.append(Finding(
            detector=NAME, kind=kind, score=score, explanation=explanation,  # type: ignore[arg-type]
            evidence={"flags": flags, "meta": {c: results.meta.get(c, {}) for c in flag_codes},
                      "price_currency": results.currency, "reporting": reporting[kind]},
            tender_id=key if kind == "tender" else None, firm_id=key if kind == "firm" else None,
            department_id=key if kind == "buyer" else None))
    if held_back:
        log.info("red flags: %d subjects raised fewer distinct flags than needed (%s; none of %s) and are not "
                 "reported", held_back, ", ".join(f"{kind} {n}" for kind, n in needed.items()),
                 "|".join(common.report_alone) or "-")
    return findings


def detect(data: MarketData, params: Params | None = None, seed: int = 0,
           ocds: OcdsFrames | None = None) -> list[Finding]:
    """Run every enabled red flag; one Finding per flagged tender, firm or buyer.

    ``ocds`` is the OCDS frame (``graph.readers.read_ocds(db)``); without it
    the frame is derived from ``data`` (CSV markets: bid status from ``disqualified``,
    winners as active awards), so flags needing OCDS-only facts raise nothing. ``seed`` is
    unused (the flags are deterministic) and kept for the detector interface.
    """
    frames = ocds if ocds is not None else frames_from_market(data)
    params = params or Params()
    return _findings(evaluate(frames, params), params, _labels(data))


def _labels(data: MarketData) -> dict[tuple[str, str], str]:
    """(kind, id) → ``Name (id)`` for firms and buyers (departments) the records name."""
    return {(kind, ident): text for kind, frame, key in (("firm", data.firms, "firm_id"),
                                                          ("buyer", data.departments, "department_id"))
            for ident, text in labels(frame, key).items()}
