"""Constraints and indexes, derived from :mod:`graph.model`, created idempotently.

Schema statements cannot take parameters for labels or names, so the statement text is
built here from the declared model only (never from user input), with ``IF NOT EXISTS``
so applying it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from graph.model import NODES


def schema_statements(labels: Collection[str] | None = None) -> list[str]:
    """One statement per uniqueness constraint, range index and full-text index (of ``labels`` only, and
    then no full-text index, when given)."""
    statements: list[str] = []
    for node in NODES:
        if labels is not None and node.label not in labels:
            continue
        lower = node.label.lower()
        statements.append(
            f"CREATE CONSTRAINT {constraint_name(node.label)} IF NOT EXISTS "
            f"FOR (n:{node.label}) REQUIRE n.{node.key} IS UNIQUE"
        )
        for prop in node.indexed:
            statements.append(
                f"CREATE INDEX {lower}_{prop} IF NOT EXISTS FOR (n:{node.label}) ON (n.{prop})"
            )
    if labels is not None:
        return statements
    fulltext = [(node.label, prop) for node in NODES for prop in node.fulltext]
    labels = sorted({label for label, _ in fulltext})
    props = sorted({prop for _, prop in fulltext})
    statements.append(
        "CREATE FULLTEXT INDEX entity_search IF NOT EXISTS "
        f"FOR (n:{'|'.join(labels)}) ON EACH [{', '.join('n.' + p for p in props)}]"
    )
    return statements


def constraint_name(label: str) -> str:
    """The name :func:`schema_statements` gives the uniqueness constraint of ``label`` (and its index)."""
    node = next(n for n in NODES if n.label == label)
    return f"{label.lower()}_{node.key}_unique"


def apply_schema(db: Any) -> int:
    """Ensure every constraint and index exists and is online; return how many statements ran."""
    statements = schema_statements()
    with db.driver.session(database=db.settings.database) as session:
        for statement in statements:
            session.run(statement).consume()
        session.run("CALL db.awaitIndexes(300)").consume()
    return len(statements)
