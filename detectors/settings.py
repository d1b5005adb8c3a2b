"""Detector settings from a TOML file: a city's own thresholds without editing code.

Every detector's settings are its frozen ``Params`` dataclass, whose docstring gives each
field's meaning and its documented default. ``python -m detectors run --params FILE`` reads a
TOML file with one table per detector code and overrides the fields it names::

    [closeness]
    threshold = 25.0          # a strong lead needs 25 points here
    max_weak_leads = 100

    [rings]
    min_ring_size = 4

    [rings.weights]           # a dict field: the keys given replace those defaults
    price = 40.0

Everything is checked before the run starts, and a mistake stops it with a message naming
the file, the table and the key: an unknown detector or field, a value of the wrong type
(an integer is accepted where a float is expected, an array of strings where a tuple is, a
TOML date where a date string is), a negative or non-finite number (every numeric setting
is a count, size, share, weight or threshold), an unknown key of a dict field, and what a
``Params.check()`` finds wrong with the values together (a ring size range that is empty,
an unknown red flag). A detector that computes a missing upstream itself (tender risk its
rings, the official profile its closeness) uses that upstream's table too. The run records the settings every detector used in its
``DetectorRun.params``, so a finding can always be traced to the thresholds behind it.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from detectors import registry


class ParamsFileError(ValueError):
    """The settings file cannot be used; the message names the file, table and key."""


def read(path: Path) -> dict[str, dict[str, Any]]:
    """The tables of a settings file, by detector code (not yet checked against the detectors)."""
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise ParamsFileError(f"{path}: cannot be read ({error.strerror or error})") from error
    except tomllib.TOMLDecodeError as error:
        raise ParamsFileError(f"{path}: not valid TOML ({error})") from error
    for code, table in document.items():
        if not isinstance(table, dict):
            raise ParamsFileError(f"{path}: {code} = … must be a table [{code}] of that detector's settings")
    return document


def _coerce(where: str, expected: Any, value: Any, default: Any) -> Any:
    """``value`` as a value of the field type ``expected``; ParamsFileError(where …) when it is not one."""
    origin, args = typing.get_origin(expected), typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        if value is None or (isinstance(value, str) and value == "" and type(None) in args):
            return None
        for option in args:
            if option is not type(None):
                return _coerce(where, option, value, default)
    if expected is bool:
        if isinstance(value, bool):
            return value
        raise ParamsFileError(f"{where} must be true or false, not {value!r}")
    if expected is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return _not_negative(where, value)
        raise ParamsFileError(f"{where} must be a whole number, not {value!r}")
    if expected is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return _not_negative(where, float(value))
        raise ParamsFileError(f"{where} must be a number, not {value!r}")
    if expected is str:
        if isinstance(value, datetime.datetime):
            raise ParamsFileError(f"{where} must be a date or a string, not a date and time ({value.isoformat()})")
        if isinstance(value, datetime.date):  # as_of = 2024-06-30, TOML's own date
            return value.isoformat()
        if isinstance(value, str):
            return value
        raise ParamsFileError(f"{where} must be a string, not {value!r}")
    if origin is tuple and args[-1:] == (Ellipsis,):
        if isinstance(value, list):
            return tuple(_coerce(f"{where}[{i}]", args[0], item, None) for i, item in enumerate(value))
        raise ParamsFileError(f"{where} must be an array, not {value!r}")
    if origin is dict and args and args[0] is str:
        if not isinstance(value, dict):
            raise ParamsFileError(f"{where} must be a table, not {value!r}")
        unknown = sorted(set(value) - set(default or {}))
        if unknown:
            raise ParamsFileError(f"{where} has no key {', '.join(unknown)}; its keys: {', '.join(sorted(default or {}))}")
        return {**(default or {}), **{k: _coerce(f"{where}.{k}", args[1], v, None) for k, v in value.items()}}
    raise ParamsFileError(f"{where} cannot be set from a settings file (a {getattr(expected, '__name__', expected)} "
                          "field; Cardinal's red-flag settings live in detectors/red_flags/settings.ini, or the file "
                          "$IRONCAGE_RED_FLAGS_SETTINGS names)")


def _settable(expected: Any) -> bool:
    """Whether a settings file can set a field of type ``expected`` (what :func:`_coerce` reads)."""
    origin, args = typing.get_origin(expected), typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return all(_settable(option) for option in args if option is not type(None))
    if expected in (bool, int, float, str):
        return True
    if origin is tuple and args[-1:] == (Ellipsis,):
        return _settable(args[0])
    return origin is dict and bool(args) and args[0] is str and _settable(args[1])


def with_settings(specs: list[registry.DetectorSpec], path: Path | None) -> list[registry.DetectorSpec]:
    """``specs`` with the settings of ``path`` in their ``params`` (defaults when
    the file does not name them). Every table is checked, also those of detectors not in ``specs``."""
    if path is None:
        return specs
    by_code = {spec.code: spec for spec in registry.all_specs()}
    resolved: dict[str, Any] = {}
    for code, table in read(path).items():
        if code not in by_code:
            raise ParamsFileError(f"{path}: [{code}] is no detector; known: {', '.join(sorted(by_code))}")
        module = registry.load(by_code[code])
        if module is not None:
            resolved[code] = params_for(code, getattr(module, "Params", None), table, path)
    return [dataclasses.replace(spec, params=resolved.get(spec.code, spec.params),
                                upstream_params={keyword: resolved[code] for keyword, code in spec.upstream.items()
                                                 if code in resolved})
            for spec in specs]


def _not_negative(where: str, value: float) -> Any:
    """Every numeric setting of the detectors is a count, size, share, weight or threshold: none is negative."""
    if value < 0:
        raise ParamsFileError(f"{where} must not be negative, not {value!r}")
    return value


def params_for(code: str, params_type: type | None, table: Mapping[str, Any], path: Path) -> Any:
    """The detector's ``Params`` with the fields ``table`` names overridden (the defaults otherwise)."""
    if params_type is None or not dataclasses.is_dataclass(params_type):
        raise ParamsFileError(f"{path}: [{code}]: this detector has no settings")
    defaults = params_type()
    hints = typing.get_type_hints(params_type)
    fields = {f.name for f in dataclasses.fields(params_type)}
    unknown = sorted(set(table) - fields)
    if unknown:
        raise ParamsFileError(f"{path}: [{code}] has no setting {', '.join(unknown)}; its settings: "
                            f"{', '.join(sorted(f for f in fields if _settable(hints[f])))}")
    changes = {name: _coerce(f"{path}: [{code}] {name}", hints[name], value, getattr(defaults, name))
               for name, value in table.items()}
    try:
        params = dataclasses.replace(defaults, **changes)
    except (TypeError, ValueError) as error:  # a Params that checks its own values
        raise ParamsFileError(f"{path}: [{code}]: {error}") from error
    check = getattr(params, "check", None)  # a Params may say which combinations of values cannot work
    problems = [str(problem) for problem in check()] if callable(check) else []
    if problems:
        raise ParamsFileError(f"{path}: [{code}] {'; '.join(problems)}")
    return params
