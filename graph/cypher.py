"""Named Cypher: every query the project runs lives in ``cypher/<name>.cypher``.

Each file holds one statement and starts with ``//`` lines saying what it returns and its
``$parameters``. Python code refers to queries by name and passes values as parameters;
it never formats values into query text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CYPHER_DIR = Path(__file__).resolve().parent.parent / "cypher"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    description: str
    parameters: tuple[str, ...]


@cache
def query(name: str) -> str:
    """Text of ``cypher/<name>.cypher``; KeyError naming the file when it does not exist."""
    return named(name).text


@cache
def named(name: str) -> NamedQuery:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise KeyError(f"bad query name {name!r}")
    path = CYPHER_DIR / f"{name}.cypher"
    if not path.exists():
        raise KeyError(f"no Cypher query named {name!r} (looked for {path})")
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        header.append(line[2:].strip())
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    params = tuple(dict.fromkeys(_PARAM.findall(body)))
    return NamedQuery(name=name, text=text, description=" ".join(h for h in header if h), parameters=params)


def all_queries() -> list[NamedQuery]:
    return [named(p.stem) for p in sorted(CYPHER_DIR.glob("*.cypher"))]
