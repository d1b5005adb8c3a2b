"""Parsing helpers for the red-flag settings file (Cardinal's INI conventions)."""

from __future__ import annotations


def parse_methods(value: str | None, default: str) -> tuple[str, ...]:
    """A pipe-separated list (``open|selective``) as a sorted tuple; empty items dropped like
    Rust's split_terminator."""
    text = default if value is None else value
    return tuple(sorted({part for part in text.split("|") if part}))


def parse_int(value: str | None, default: int, name: str, minimum: int | None = None) -> int:
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError as error:
        raise ValueError(f"{name} must be an integer, not {value!r}") from error
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return number


def parse_float(value: str | None, name: str) -> float | None:
    if value is None or value.strip() == "":
        return None
    try:
        return float(value.strip())
    except ValueError as error:
        raise ValueError(f"{name} must be a number, not {value!r}") from error


def parse_bool(value: str | None, default: bool, name: str) -> bool:
    if value is None or value.strip() == "":
        return default
    text = value.strip().lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def check_keys(code: str, section: dict[str, str], subsections: dict[str, dict[str, str]],
               allowed: set[str]) -> None:
    unknown = (set(section) - allowed) | {f"{code}.{s}" for s in subsections}
    if unknown:
        raise ValueError(f"[{code}] unknown settings {sorted(unknown)}")
