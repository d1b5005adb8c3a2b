"""One driver per process, named queries, managed transactions, batched writes.

Reads go through ``execute_read`` and writes through retry-safe ``execute_write``
transaction functions, always naming the database. Writes of many rows are batched
``UNWIND $rows AS row MERGE …`` statements; each batch is one transaction, so a failure
leaves earlier batches committed and the failing batch not written at all (the loaders
are idempotent, so re-running finishes the job). Driver errors are re-raised as
:class:`GraphError` with a message that says what failed.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import pandas as pd
from neo4j import Driver, GraphDatabase, ManagedTransaction, Query
from neo4j.exceptions import AuthError, ClientError, Neo4jError, ServiceUnavailable, SessionExpired

from graph.cypher import query
from graph.settings import Neo4jSettings, from_environment

DEFAULT_BATCH = 2000


class GraphError(RuntimeError):
    """A database operation failed; the message names the query and the cause."""


class GraphUnavailable(GraphError):
    """The server cannot be reached or refused the credentials."""


@dataclass
class WriteCounters:
    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0
    rows: int = 0

    def add(self, counters: Any, rows: int = 0) -> None:
        self.nodes_created += counters.nodes_created
        self.nodes_deleted += counters.nodes_deleted
        self.relationships_created += counters.relationships_created
        self.relationships_deleted += counters.relationships_deleted
        self.properties_set += counters.properties_set
        self.rows += rows

    def merge(self, other: WriteCounters) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _batches(rows: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[Mapping[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass
class Database:
    """The project's handle on Neo4j: settings plus one driver."""

    settings: Neo4jSettings
    driver: Driver = field(init=False)

    def __post_init__(self) -> None:
        self.driver = GraphDatabase.driver(
            self.settings.uri,
            auth=(self.settings.username, self.settings.password),
            # how long managed transactions retry transient faults before giving up
            max_transaction_retry_time=float(os.environ.get("IRONCAGE_NEO4J_RETRY_S", "15")),
            # Schema-less notifications (e.g. "unknown relationship type" on an empty graph)
            # are noise for batch jobs and the app; errors still raise.
            notifications_min_severity="OFF",
        )

    # -- lifecycle -------------------------------------------------------------
    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify(self) -> None:
        """Raise GraphUnavailable with a readable message when the server cannot be used."""
        try:
            self.driver.verify_connectivity()
            self.driver.execute_query("RETURN 1", database_=self.settings.database)
        except AuthError as error:
            raise GraphUnavailable(
                f"Neo4j at {self.settings.describe()} refused the credentials: {error.message}"
            ) from error
        except (ServiceUnavailable, SessionExpired, OSError) as error:
            raise GraphUnavailable(
                f"Neo4j at {self.settings.describe()} is unreachable ({error}). "
                "Start the local server with `python -m graph server start` or check NEO4J_URI."
            ) from error

    # -- reads -----------------------------------------------------------------
    def read(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run the named query in a read transaction; rows as dicts."""
        text = query(name)

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            return [record.data() for record in tx.run(text, params)]

        return self._session_call("read", name, work)

    def read_frame(self, name: str, columns: list[str] | None = None, **params: Any) -> pd.DataFrame:
        """Run the named query in a read transaction; rows as a DataFrame with ``columns``."""
        text = query(name)

        def work(tx: ManagedTransaction) -> pd.DataFrame:
            result = tx.run(text, params)
            keys = list(result.keys())
            return pd.DataFrame([record.values() for record in result], columns=keys)

        frame = self._session_call("read", name, work)
        if columns is not None:
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise GraphError(f"query {name!r} did not return columns {missing}")
            frame = frame[columns]
        return frame

    # -- writes ----------------------------------------------------------------
    def write(self, name: str, **params: Any) -> WriteCounters:
        """Run the named query once in a write transaction."""
        text = query(name)
        counters = WriteCounters()

        def work(tx: ManagedTransaction) -> Any:
            return tx.run(text, params).consume().counters

        counters.add(self._session_call("write", name, work))
        return counters

    def write_one(self, name: str, **params: Any) -> dict[str, Any]:
        """Run the named query once in a write transaction; the one record it returns, as a dict."""
        text = query(name)

        def work(tx: ManagedTransaction) -> dict[str, Any]:
            return tx.run(text, params).single(strict=True).data()

        return self._session_call("write", name, work)

    def write_rows(
        self,
        name: str,
        rows: Iterable[Mapping[str, Any]],
        batch_size: int = DEFAULT_BATCH,
        **params: Any,
    ) -> WriteCounters:
        """``UNWIND $rows AS row …``: the named query once per batch, one transaction each."""
        from graph.signals import checkpoint

        text = query(name)
        counters = WriteCounters()
        for batch in _batches(rows, batch_size):
            checkpoint()  # a load asked to stop stops here, between batches (graph.signals)

            def work(tx: ManagedTransaction, batch: list[Mapping[str, Any]] = batch) -> Any:
                return tx.run(text, {**params, "rows": batch}).consume().counters

            counters.add(self._session_call("write", name, work), rows=len(batch))
        return counters

    def write_in_one_transaction(self, steps: list[tuple[str, dict[str, Any]]]) -> WriteCounters:
        """Run several named queries in one write transaction: all or nothing."""
        counters = WriteCounters()

        def work(tx: ManagedTransaction) -> list[Any]:
            return [tx.run(query(name), params).consume().counters for name, params in steps]

        for step_counters in self._session_call("write", "+".join(n for n, _ in steps), work):
            counters.add(step_counters)
        return counters

    def write_transaction(self, name: str, work: Any) -> Any:
        """Run ``work(tx)`` as one retry-safe write transaction function (all or nothing).

        For writers whose transaction holds logic between queries; ``name`` appears in errors.
        """
        return self._session_call("write", name, work)

    # -- analyst console ---------------------------------------------------------
    def run_read_only(
        self, text: str, params: Mapping[str, Any] | None = None, timeout_s: float = 30.0,
        row_cap: int = 5000,
    ) -> tuple[list[str], list[Any], bool]:
        """Free Cypher in a READ transaction: the database refuses any write.

        Before it runs, the database plans it (``EXPLAIN``, in the same transaction) and the plan
        must hold only reads (:func:`console_refusal`): READ mode stops writes, but not commands
        that act on the server — ``TERMINATE TRANSACTIONS`` (a job's lock is a transaction),
        ``db.clearQueryCaches()``, ``LOAD CSV`` (the server resolves any host name a URL holds, so a
        query could send record values out in a DNS look-up). The transaction runs once, never
        retried (a query that exhausts the memory pool is a "transient" error a retry repeats).
        Returns ``(keys, records, truncated)``; at most ``row_cap`` records are fetched.

        The server stops a query at ``timeout_s`` only between steps: one expression that loops a
        billion times inside a row runs on, so the caller stops waiting :data:`CONSOLE_GRACE_S`
        later (GraphError), leaving the server to finish it (the access log names who ran it).
        """
        if _DEBUG_OPTION.search(text):  # checked on the text: planning it would already write the log
            raise ConsoleRefused("it sets a planner debug option (CYPHER debug=…), which writes the planner's "
                                 "internals to the server's log (megabytes a query); leave it out")
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["value"] = self._read_only(text, params, timeout_s, row_cap)
            except BaseException as error:  # handed to the caller's thread
                outcome["error"] = error

        worker = threading.Thread(target=work, name="console-query", daemon=True)
        worker.start()
        worker.join(timeout_s + CONSOLE_GRACE_S)
        if worker.is_alive():
            raise GraphError(f"Neo.ClientError.Transaction.TransactionTimedOut: the query did not stop at the "
                             f"console's limit of {timeout_s:.0f} s (an expression looping inside one row runs "
                             "past it); the server goes on with it until it ends")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]  # type: ignore[no-any-return]

    def _read_only(self, text: str, params: Mapping[str, Any] | None, timeout_s: float,
                   row_cap: int) -> tuple[list[str], list[Any], bool]:
        try:
            with self.driver.session(database=self.settings.database, default_access_mode="READ") as session:
                with session.begin_transaction(timeout=timeout_s, metadata={"iron_cage": "console"}) as tx:
                    try:
                        check = tx.run(_explained(text), dict(params or {}))
                        if check.peek() is not None:  # EXPLAIN returns no rows: anything else ran
                            raise ConsoleRefused("the check of this query returned rows: it is not planned alone")
                        summary = check.consume()
                    except ClientError as error:
                        if "conflicting values for execution mode" in (error.message or ""):
                            raise ConsoleRefused("write the query without PROFILE: the console has the database "
                                                 "plan every query before it runs it") from error
                        raise GraphError(f"{error.code}: {_unexplained(error.message or '')}") from error
                    if summary.profile is not None:
                        raise ConsoleRefused("the check of this query was profiled, so it ran: it is not planned alone")
                    refusal = console_refusal(summary.query_type, summary.plan)
                    if refusal:
                        raise ConsoleRefused(refusal)
                    result = tx.run(text, dict(params or {}))
                    keys = list(result.keys())
                    records: list[Any] = []
                    truncated = False
                    for record in result:
                        if len(records) >= row_cap:
                            truncated = True
                            break
                        records.append(record)
                    tx.rollback()
                    return keys, records, truncated
        except Neo4jError as error:
            raise GraphError(f"{error.code}: {error.message}") from error
        except (ServiceUnavailable, SessionExpired) as error:
            raise GraphUnavailable(f"Neo4j unreachable: {error}") from error

    # -- internals ---------------------------------------------------------------
    def _session_call(self, mode: str, name: str, work: Any) -> Any:
        try:
            with self.driver.session(database=self.settings.database) as session:
                if mode == "read":
                    return session.execute_read(work)
                return session.execute_write(work)
        except AuthError as error:
            raise GraphUnavailable(f"Neo4j refused the credentials: {error.message}") from error
        except (ServiceUnavailable, SessionExpired) as error:
            raise GraphUnavailable(
                f"Neo4j at {self.settings.describe()} became unreachable during {name!r}: {error}"
            ) from error
        except Neo4jError as error:
            if error.code and error.code.endswith("DatabaseUnavailable"):  # server shutting down
                raise GraphUnavailable(
                    f"Neo4j at {self.settings.describe()} became unreachable during {name!r}: "
                    f"{error.message}"
                ) from error
            raise GraphError(f"{name} failed: {error.code}: {error.message}") from error


#: how long past its time limit the console waits for a query the server could not stop
CONSOLE_GRACE_S = 15.0
_DEBUG_OPTION = re.compile(r"(?i)\bdebug\s*=")


class ConsoleRefused(GraphError):
    """The database's plan of an analyst's statement does more than read (see :func:`console_refusal`)."""


#: plan operators a console statement may not hold, with why: each runs in a read transaction,
#: yet acts on the server or leaks what is not the graph's
CONSOLE_REFUSED_OPERATORS: dict[str, str] = {
    "TerminateTransactions": "it ends other sessions' transactions (a scheduled job's lock is one)",
    "ShowTransactions": "it lists other sessions' queries and their parameters",
    "ShowSettings": "it lists the server's configuration",
    "LoadCSV": "it makes the server fetch a URL (and resolve its host name), which could send values out",
}
#: text in a plan's operator details the console refuses, with why
CONSOLE_REFUSED_EXPRESSIONS: dict[str, str] = {
    "=~": ("it matches a regular expression (=~): a pattern can make the server backtrack for hours, past the "
           "time limit, which cannot stop it; use CONTAINS, STARTS WITH, ENDS WITH or the full-text search"),
}
#: procedures a console statement may call: the schema and full-text search, which only read
CONSOLE_PROCEDURES: frozenset[str] = frozenset({
    "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.info", "db.schema.visualization",
    "db.schema.nodeTypeProperties", "db.schema.relTypeProperties", "db.index.fulltext.queryNodes",
    "db.index.fulltext.queryRelationships", "db.index.fulltext.listAvailableAnalyzers",
})


def console_refusal(query_type: str | None, plan: Mapping[str, Any] | None) -> str | None:
    """Why the console refuses a statement, from the database's own plan of it, else None.

    No operator may be one of :data:`CONSOLE_REFUSED_OPERATORS` (whatever else the statement
    does: a ``LOAD CSV`` in a writing statement would fetch before the write is refused), the
    query type must not be ``s`` (a schema or server procedure such as ``db.clearQueryCaches``),
    and a reading statement's procedure calls must name one of :data:`CONSOLE_PROCEDURES`. A
    write (``w``, ``rw``) goes on, and the READ transaction refuses it in the database's own
    words. The plan is the server's reading of the statement, so comments, casing, backquotes
    and subqueries cannot hide an operator the way they hide a keyword from a text filter.
    """
    stack = [plan] if plan else []
    procedures: list[str] = []
    while stack:
        node = stack.pop()
        operator = str(node.get("operatorType", "")).split("@")[0]
        if operator in CONSOLE_REFUSED_OPERATORS:
            return f"{operator}: {CONSOLE_REFUSED_OPERATORS[operator]}"
        details = str((node.get("args") or {}).get("Details", ""))
        for expression, why in CONSOLE_REFUSED_EXPRESSIONS.items():
            if expression in details:
                return why
        if operator == "ProcedureCall":
            procedures.append(details.split("(")[0].strip())
        stack.extend(node.get("children") or [])
    if query_type == "s":
        return "the database reads it as a schema or server command, not a read"
    if query_type in ("w", "rw"):
        return None  # the READ transaction refuses it: the database's own words
    for name in procedures:
        if name not in CONSOLE_PROCEDURES:
            return (f"it calls the procedure {name or '(unnamed)'}; the console calls only "
                    f"{', '.join(sorted(CONSOLE_PROCEDURES))}")
    return None


def _unexplained(message: str) -> str:
    """A syntax error of ``EXPLAIN <text>`` as if of ``<text>``: the quoted statement, its caret and the
    first line's column and offset without the 8 characters of ``EXPLAIN ``."""
    shift = len("EXPLAIN ")
    message = message.replace('"EXPLAIN ', '"', 1)
    message = re.sub(r"\n {" + str(shift) + r"}( *\^)", r"\n\1", message, count=1)

    def back(match: re.Match[str]) -> str:
        return f"(line 1, column {int(match[1]) - shift} (offset: {int(match[2]) - shift}))"

    return re.sub(r"\(line 1, column (\d+) \(offset: (\d+)\)\)", back, message, count=1)


def _explained(text: str) -> str:
    """``EXPLAIN`` before the statement, always: the check must never run what the analyst wrote
    (a statement of its own EXPLAIN or PROFILE, which a text rewrite could mistake, is refused by
    Neo4j as a second execution mode, and the console asks for the query without it)."""
    return f"EXPLAIN {text}"


def connect(settings: Neo4jSettings | None = None) -> Database:
    """A Database for ``settings`` (default: the environment, else the local server)."""
    return Database(settings or from_environment())


def cypher_query(name: str) -> Query:
    """The named query as a driver ``Query`` object (for callers that need one)."""
    return Query(query(name))  # type: ignore[arg-type]
