"""The detectors the job runner knows, with stable codes, in dependency order.

Each entry names a module implementing the detector interface (``NAME``, a frozen
``Params`` dataclass, ``detect(data, params=None, seed=0, **upstream)``; a detector that
computes a missing upstream itself takes its settings as ``<keyword>_params``), a one-line
description, the upstream results it may take (keyword → code of the detector whose
findings are passed, e.g. ``tender_risk`` gets ``rings=<ring findings>``) and extra inputs
read from the graph (keyword → ``"module:function"`` taking the database, e.g. the OCDS
frame for ``red_flags``). Upstream detectors come earlier in :data:`DETECTORS`. ``cost`` is a
rough relative running time (seconds at demo scale 10 on a 2-core machine), used only to
share the detectors out between worker processes (:func:`detectors.runner.plan_lanes`).

Modules are imported lazily: a detector whose module does not exist (yet) is skipped with a
logged warning, so the runner works while detectors land one by one. A module that exists
but fails to import is an error, not a skip.

``IRONCAGE_EXTRA_DETECTORS`` (``code=module[,code=module…]``) appends detectors, e.g. a
site's own detector or a test's fake one; they run after the built-in ones.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import os
from dataclasses import dataclass, field
from types import ModuleType

log = logging.getLogger(__name__)

EXTRA_ENV = "IRONCAGE_EXTRA_DETECTORS"


@dataclass(frozen=True)
class DetectorSpec:
    """One registered detector."""

    code: str
    module: str
    description: str
    upstream: dict[str, str] = field(default_factory=dict)  # detect keyword → upstream detector code
    inputs: dict[str, str] = field(default_factory=dict)  # detect keyword → "module:function(db)"
    cost: float = 1.0  # rough seconds at demo scale 10, to balance worker processes
    params: object | None = None  # this run's settings (detectors.settings); None: the module's Params()
    # the settings of an upstream detector that does not run, by keyword: a detector that computes it
    # itself gets them as ``<keyword>_params`` when its detect() takes that keyword
    upstream_params: dict[str, object] = field(default_factory=dict)


DETECTORS: tuple[DetectorSpec, ...] = (
    DetectorSpec("rings", "detectors.rings",
                 "bid-rigging rings: Louvain communities of the co-bidding graph scored on cohesion, "
                 "rotation, cover-bid price screens and shared identifiers", cost=8.5),
    DetectorSpec("linked_bidders", "detectors.linked_bidders",
                 "firms tied by shared identifiers (phone, address, owner, IP, document) that bid "
                 "against each other", cost=2.1),
    DetectorSpec("tender_risk", "detectors.tender_risk",
                 "tenders whose bids look rigged: price screens against the category baseline, raised "
                 "when a suspected ring bid", upstream={"rings": "rings"}, cost=1.1),
    DetectorSpec("closeness", "detectors.closeness",
                 "official–firm pairs: inspections, approvals and evaluations beyond expectation, "
                 "leniency, speed, outcomes and hidden ties", cost=8.1),
    DetectorSpec("official_profile", "detectors.official_profile",
                 "officials' workload, overdue approvals, deviation from department peers and "
                 "strongest closeness", upstream={"pairs": "closeness"}, cost=1.1),
    DetectorSpec("red_flags", "detectors.red_flags",
                 "OCDS Cardinal red flags R003–R058 per tender, tenderer and buyer",
                 inputs={"ocds": "graph.readers:read_ocds"}, cost=4.3),
)


class RegistryError(RuntimeError):
    """A detector code is unknown or its module is broken."""


def _extra() -> list[DetectorSpec]:
    specs = []
    for item in filter(None, (part.strip() for part in os.environ.get(EXTRA_ENV, "").split(","))):
        code, sep, module = item.partition("=")
        if not sep or not code.strip() or not module.strip():
            raise RegistryError(f"{EXTRA_ENV}: expected code=module, got {item!r}")
        specs.append(DetectorSpec(code.strip(), module.strip(), f"extra detector from {module.strip()}"))
    return specs


def all_specs() -> list[DetectorSpec]:
    """Built-in detectors then extra ones, in the order they run."""
    specs = list(DETECTORS) + _extra()
    codes = [s.code for s in specs]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise RegistryError(f"detector codes registered twice: {duplicates}")
    return specs


def select(codes: list[str] | None = None) -> list[DetectorSpec]:
    """The specs for ``codes`` (all when None), in registry order; RegistryError for an unknown code."""
    specs = all_specs()
    if not codes:
        return specs
    known = {s.code for s in specs}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise RegistryError(f"unknown detector(s) {unknown}; known: {sorted(known)}")
    return [s for s in specs if s.code in codes]


def load(spec: DetectorSpec) -> ModuleType | None:
    """The detector's module, or None (with a warning) when it does not exist yet."""
    try:
        module = importlib.import_module(spec.module)
    except ModuleNotFoundError as error:
        if error.name and (spec.module == error.name or spec.module.startswith(error.name + ".")):
            log.warning("detector %s skipped: module %s is not there yet", spec.code, spec.module)
            return None
        raise RegistryError(f"detector {spec.code}: importing {spec.module} failed: {error}") from error
    except Exception as error:  # a broken module must fail the run, not vanish from it
        raise RegistryError(f"detector {spec.code}: importing {spec.module} failed: {error!r}") from error
    if not callable(getattr(module, "detect", None)):
        raise RegistryError(f"detector {spec.code}: {spec.module} has no detect() function")
    name = getattr(module, "NAME", spec.code)
    if name != spec.code:
        log.warning("detector %s: module %s says NAME=%r", spec.code, spec.module, name)
    return module


def accepted_keywords(module: ModuleType) -> set[str] | None:
    """The keyword arguments ``module.detect`` accepts; None when it takes ``**kwargs``."""
    parameters = inspect.signature(module.detect).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters
            if p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)}


def default_params(module: ModuleType) -> object | None:
    """``module.Params()`` (the documented defaults), or None when the module has no Params."""
    params_type = getattr(module, "Params", None)
    return params_type() if params_type is not None else None


def is_present(spec: DetectorSpec) -> bool:
    """Whether the detector's module exists (without importing it)."""
    try:
        return importlib.util.find_spec(spec.module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def describe() -> list[tuple[str, str, bool]]:
    """(code, description, module present) for ``python -m detectors list``."""
    return [(spec.code, spec.description, is_present(spec)) for spec in all_specs()]
