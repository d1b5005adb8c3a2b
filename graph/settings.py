"""Connection settings: which Neo4j the project talks to.

The conventional variables ``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` and
``NEO4J_DATABASE`` win; any Neo4j 5 server works (Docker, Desktop, Aura, a cluster via
``neo4j://``). Without ``NEO4J_URI`` the project's own local server is used (see
:mod:`graph.server`): its Bolt port and generated password are read from its instance
folder, so nothing secret is ever written into code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """The connection settings are missing or unusable; the message says what to do."""


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    username: str
    password: str = ""
    database: str = "neo4j"
    local_instance: str | None = None  # name of the local server instance, if that is the target

    def describe(self) -> str:
        where = f"local instance '{self.local_instance}'" if self.local_instance else "NEO4J_URI"
        return f"{self.uri} (database {self.database}, user {self.username}, from {where})"


def neo4j_root() -> Path:
    """Folder holding the Neo4j jars and the local instances (ignored by git)."""
    return Path(os.environ.get("IRONCAGE_NEO4J_DIR", REPO_ROOT / ".neo4j")).resolve()


def instance_name() -> str:
    """Local instance in use: ``local`` for people, ``test`` for the test suite."""
    return os.environ.get("IRONCAGE_NEO4J_INSTANCE", "local")


def from_environment() -> Neo4jSettings:
    """Settings from ``NEO4J_*`` variables, else from the local server's instance folder."""
    uri = os.environ.get("NEO4J_URI")
    database = os.environ.get("NEO4J_DATABASE") or "neo4j"
    if uri:
        return Neo4jSettings(
            uri=uri,
            username=os.environ.get("NEO4J_USERNAME", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            database=database,
        )
    from graph.server import LocalServer  # local import: the launcher is optional for remote use

    server = LocalServer()
    if not server.password_file.exists():
        raise SettingsError(
            "NEO4J_URI is not set and the local Neo4j has never been started. "
            "Run `python -m graph server start` (or `make neo4j`), or set NEO4J_URI, "
            "NEO4J_USERNAME and NEO4J_PASSWORD for an existing Neo4j 5 server."
        )
    return server.settings(database)
