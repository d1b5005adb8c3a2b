"""Schema derived from the model, applied idempotently to the real server."""

from __future__ import annotations

import pytest

from graph.model import NODES
from graph.schema import apply_schema, schema_statements


def test_every_label_gets_a_uniqueness_constraint() -> None:
    statements = schema_statements()
    for node in NODES:
        assert any(f"FOR (n:{node.label}) REQUIRE n.{node.key} IS UNIQUE" in s for s in statements)
    assert all("IF NOT EXISTS" in s for s in statements)


@pytest.mark.neo4j
def test_apply_schema_twice_changes_nothing(graph_db) -> None:
    def snapshot() -> tuple[list[str], list[str]]:
        with graph_db.driver.session(database=graph_db.settings.database) as session:
            constraints = sorted(r["name"] for r in session.run("SHOW CONSTRAINTS YIELD name"))
            indexes = sorted(r["name"] for r in session.run("SHOW INDEXES YIELD name"))
        return constraints, indexes

    apply_schema(graph_db)
    first = snapshot()
    apply_schema(graph_db)
    assert snapshot() == first
    assert len(first[0]) == len(NODES)
    assert "entity_search" in first[1]
