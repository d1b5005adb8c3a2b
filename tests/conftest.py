"""Shared fixtures: the real Neo4j the integration tests talk to.

Without ``NEO4J_URI`` the suite starts the project's own local server as the separate
instance ``test`` (``.neo4j/test``; override with ``IRONCAGE_TEST_INSTANCE``), so running
the tests never touches the data of the ``local`` instance that ``make demo`` fills. It is
stopped again at the end when the suite started it.

With ``NEO4J_URI`` set the tests use that server and wipe its database between tests, so
they refuse to start against a non-empty database unless ``IRONCAGE_TEST_WIPE=1`` says
that is fine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_REAL = REPO.parent / "shared" / "data" / "real"


def _wipe(db) -> None:  # type: ignore[no-untyped-def]
    """Delete every node in small transactions (a scale-10 graph exceeds one transaction's memory)."""
    from neo4j.exceptions import ClientError

    with db.driver.session(database=db.settings.database) as session:
        # the job lock's node last, and only if no job holds it: deleting it under a job would wait for the
        # job while the job's next write waited for the wipe, a cycle through two transactions Neo4j does
        # not detect (a test holding the lock wipes the rest; the node stays until it is free)
        session.run("MATCH (n) WHERE NOT n:JobLock CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
                    ).consume()
        try:
            with session.begin_transaction(timeout=2) as tx:
                tx.run("MATCH (l:JobLock) DETACH DELETE l").consume()
                tx.commit()
        except ClientError:  # held by a job: left for the next wipe
            pass


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[object]:
    from graph.server import LocalServer, ServerError
    from graph.settings import from_environment

    started_here = None
    if os.environ.get("NEO4J_URI"):
        settings = from_environment()
    else:
        server = LocalServer(os.environ.get("IRONCAGE_TEST_INSTANCE", "test"))
        was_running = server.pid() is not None and server.bolt_answers()
        try:
            seconds = server.start()
        except ServerError as error:
            pytest.exit(f"could not start the test Neo4j: {error}", returncode=3)
        if not was_running:
            started_here = server
            print(f"\n[tests] started Neo4j instance '{server.name}' in {seconds:.1f} s")
        settings = server.settings()
        # subprocesses (CLI tests) use the same server through the conventional variables
        os.environ.update(NEO4J_URI=settings.uri, NEO4J_USERNAME=settings.username,
                          NEO4J_PASSWORD=settings.password, NEO4J_DATABASE=settings.database)
    yield settings
    if started_here is not None and not os.environ.get("IRONCAGE_KEEP_TEST_SERVER"):
        started_here.stop()


@pytest.fixture(scope="session")
def graph_db(neo4j_settings) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A connected :class:`graph.db.Database` with the schema applied."""
    from graph.db import Database
    from graph.schema import apply_schema

    db = Database(neo4j_settings)
    db.verify()
    with db.driver.session(database=db.settings.database) as session:
        others = session.run("MATCH (n) RETURN count(n) AS c").single()["c"]
    user_server = db.settings.local_instance is None
    if user_server and others and not os.environ.get("IRONCAGE_TEST_WIPE"):
        pytest.exit(
            f"{db.settings.describe()} holds {others} nodes the tests did not write; the tests wipe "
            "the database. Point NEO4J_URI at a scratch database or set IRONCAGE_TEST_WIPE=1.",
            returncode=3,
        )
    _wipe(db)
    apply_schema(db)
    yield db
    db.close()


@pytest.fixture()
def clean_db(graph_db):  # type: ignore[no-untyped-def]
    """The database, emptied before the test (schema kept)."""
    _wipe(graph_db)
    return graph_db


@pytest.fixture(scope="session")
def shared_real() -> Path:
    """``../shared/data/real`` or a skip saying it is absent."""
    if not SHARED_REAL.exists():
        pytest.skip(f"real data folder {SHARED_REAL} is absent")
    return SHARED_REAL
