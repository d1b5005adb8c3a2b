"""The project's own local Neo4j Community server: fetch, configure, start, stop.

Neo4j 5.26 LTS jars come from Maven Central through ``mvn`` and the ``pom.xml`` beside
this file, into ``.neo4j/lib`` (ignored by git). Each *instance* (``local`` for people,
``test`` for the suite; ``IRONCAGE_NEO4J_INSTANCE`` picks one) lives in
``.neo4j/<instance>/`` with its own ``neo4j.conf``, data, logs, Bolt port and a password
generated at first start and stored with mode 0600 in ``.neo4j/<instance>/password``.
The server listens on 127.0.0.1 only, with authentication on and HTTP off.

The launch is the command ``bin/neo4j console`` runs in its child JVM
(``org.neo4j.server.CommunityEntryPoint``), started in its own process session so it
outlives the shell that started it.

``python -m graph server backup|restore`` take cold backups (:mod:`graph.server.backup`).
Exit codes: 0 done, 1 an error (said on stderr), 2 bad usage, 3 ``status``: stopped, or
``backup``/``restore``: another job holds the database's lock.

``python -m graph server start`` then warms the server up (:meth:`LocalServer.warm_up`):
one page of every detector read query, so the JIT has compiled the read path before the
first detector run (``--no-warm-up`` skips it).
"""

from __future__ import annotations

import os
import resource
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from graph.settings import REPO_ROOT, Neo4jSettings, instance_name, neo4j_root

POM = Path(__file__).resolve().parent / "pom.xml"
DEFAULT_BOLT_PORT = 7687
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 120.0

# The 5.26 defaults of server.jvm.additional (operations manual, neo4j.conf), minus
# -XX:+AlwaysPreTouch, which makes every start touch the whole heap.
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
)


class ServerError(RuntimeError):
    """The local server could not be fetched, configured, started or stopped."""


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child (started by this very process) counts as dead.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return True


def _write_private(path: Path, text: str) -> None:
    """Create ``path`` (it must not exist) readable by its owner alone, mode 0600 from the start, holding ``text``."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


@dataclass
class LocalServer:
    """One local Neo4j instance under ``.neo4j/<name>/``."""

    name: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or instance_name()
        self.root = neo4j_root()
        self.lib = self.root / "lib"
        self.home = self.root / self.name
        self.conf_dir = self.home / "conf"
        self.data_dir = self.home / "data"
        self.logs_dir = self.home / "logs"
        self.run_dir = self.home / "run"
        self.password_file = self.home / "password"
        self.port_file = self.home / "bolt_port"
        self.pid_file = self.run_dir / "ironcage-neo4j.pid"
        self.console_log = self.logs_dir / "console.log"

    # ----------------------------------------------------------------- settings
    def password(self) -> str:
        return self.password_file.read_text(encoding="utf-8").strip()

    def bolt_port(self) -> int:
        if self.port_file.exists():
            return int(self.port_file.read_text(encoding="ascii").strip())
        wanted = os.environ.get("IRONCAGE_NEO4J_BOLT_PORT")
        if wanted:
            return int(wanted)
        return DEFAULT_BOLT_PORT if self.name == "local" else 7688

    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port()}"

    def settings(self, database: str = "neo4j") -> Neo4jSettings:
        """Connection settings of this instance (its port and generated password)."""
        return Neo4jSettings(uri=self.uri(), username="neo4j", password=self.password(), database=database,
                             local_instance=self.name)

    def env_lines(self) -> list[str]:
        """``export`` lines for ``eval``, each value quoted for the shell: an operator's own password with a quote
        or a ``#`` in it broke ``eval "$(python -m graph server env)"`` and the cron chain behind it."""
        return [
            f"export NEO4J_URI={shlex.quote(self.uri())}",
            "export NEO4J_USERNAME=neo4j",
            f"export NEO4J_PASSWORD={shlex.quote(self.password())}",
            "export NEO4J_DATABASE=neo4j",
        ]

    # -------------------------------------------------------------------- state
    def pid(self) -> int | None:
        """The running server's process id, or None. A pid file outlives a reboot or a killed JVM,
        and its number can belong to another process by now: it counts only while that process
        is this instance's Neo4j (its command line names this home), so stop and backup never
        signal a stranger (where ``/proc`` cannot tell, a live process is trusted)."""
        try:
            pid = int(self.pid_file.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return None
        return pid if _pid_alive(pid) and self._is_ours(pid) else None

    def _is_ours(self, pid: int) -> bool:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            return not Path("/proc/self/cmdline").exists()  # no /proc here: trust the pid file
        except OSError:
            return True  # another user's process that /proc will not show: the old check stands
        return f"--home-dir={self.home}".encode() in command

    def cpu_seconds(self) -> float | None:
        """CPU seconds (user + system) the running server has used so far; None when it is not
        running or ``/proc`` cannot tell (benchmarks report the server's share of the work)."""
        pid = self.pid()
        if pid is None:
            return None
        try:
            fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    def bolt_answers(self, timeout: float = 5.0) -> bool:
        """True when ``RETURN 1`` succeeds over Bolt with the stored password within about ``timeout`` seconds
        (twice that at most): a server that accepts the connection and never answers (a frozen JVM) is not
        waited for — the driver's connection timeout does not cover the handshake, and ``status`` took 66 s."""
        from neo4j import GraphDatabase
        from neo4j.exceptions import Neo4jError, ServiceUnavailable

        if not self.password_file.exists():
            return False
        answered: list[bool] = []

        def ask() -> None:
            try:
                with GraphDatabase.driver(
                    self.uri(),
                    auth=("neo4j", self.password()),
                    connection_timeout=timeout,
                    max_transaction_retry_time=0,
                ) as driver:
                    driver.execute_query("RETURN 1", database_="neo4j")
                answered.append(True)
            except (ServiceUnavailable, Neo4jError, OSError, ValueError):
                pass

        asking = threading.Thread(target=ask, name="bolt-answers", daemon=True)  # left behind when it hangs
        asking.start()
        asking.join(2 * timeout)
        return bool(answered)

    # -------------------------------------------------------------------- setup
    def ensure_jars(self) -> None:
        if any(self.lib.glob("neo4j-5.*.jar")):
            return
        mvn = shutil.which("mvn")
        if mvn is None:
            raise ServerError("Maven (`mvn`) is needed to fetch Neo4j from Maven Central.")
        print("Fetching Neo4j Community jars from Maven Central (first run only)...", flush=True)
        started = time.monotonic()
        result = subprocess.run(
            [mvn, "-q", "-B", "-f", str(POM), f"-Dneo4j.lib={self.lib}",
             "dependency:copy-dependencies"],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0 or not any(self.lib.glob("neo4j-5.*.jar")):
            raise ServerError(f"mvn could not fetch Neo4j:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        print(f"Fetched {len(list(self.lib.glob('*.jar')))} jars in {time.monotonic() - started:.0f} s.")

    def _pick_port(self) -> int:
        if self.port_file.exists():
            return self.bolt_port()
        wanted = os.environ.get("IRONCAGE_NEO4J_BOLT_PORT")
        port = int(wanted) if wanted else self.bolt_port()
        if not _port_free(port):
            if wanted:
                raise ServerError(f"IRONCAGE_NEO4J_BOLT_PORT={port} is already taken.")
            port = _free_port()
        self.port_file.write_text(f"{port}\n", encoding="ascii")
        return port

    def _write_logging_config(self) -> None:
        jars = sorted(self.lib.glob("neo4j-logging-*.jar"))
        if not jars:
            raise ServerError(f"neo4j-logging jar missing in {self.lib}")
        with zipfile.ZipFile(jars[0]) as jar:
            for resource_name, target in (
                ("default-user-logs.xml", "user-logs.xml"),
                ("default-server-logs.xml", "server-logs.xml"),
            ):
                (self.conf_dir / target).write_bytes(jar.read(resource_name))

    def _write_conf(self, port: int, heap: str, pagecache: str) -> None:
        dirs = {
            "server.directories.data": self.data_dir,
            "server.directories.logs": self.logs_dir,
            "server.directories.run": self.run_dir,
            "server.directories.plugins": self.home / "plugins",
            "server.directories.import": self.home / "import",
            "server.directories.transaction.logs.root": self.data_dir / "transactions",
            "server.directories.dumps.root": self.data_dir / "dumps",
            "server.directories.licenses": self.home / "licenses",
            "server.directories.lib": self.lib,
        }
        lines = [
            "# Written by `python -m graph server start`; edits are overwritten.",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{port}",
            f"server.bolt.advertised_address=127.0.0.1:{port}",
            "server.bolt.tls_level=DISABLED",
            "server.http.enabled=false",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            # LOAD CSV is a read: the analyst console's read transactions could otherwise have the
            # server fetch any URL (with record values in it) or read its files
            "dbms.security.allow_csv_import_from_file_urls=false",
            "internal.dbms.cypher_ip_blocklist=0.0.0.0/0,::/0",
            "dbms.usage_report.enabled=false",
            f"server.memory.heap.initial_size={heap}",
            f"server.memory.heap.max_size={heap}",
            f"server.memory.pagecache.size={pagecache}",
        ]
        lines += [f"{key}={path}" for key, path in dirs.items()]
        lines += [f"server.jvm.additional={flag}" for flag in JVM_FLAGS]
        (self.conf_dir / "neo4j.conf").write_text("\n".join(x for x in lines if x) + "\n", encoding="utf-8")

    def _java(self) -> str:
        java_home = os.environ.get("IRONCAGE_JAVA_HOME")
        if java_home:
            return str(Path(java_home) / "bin" / "java")
        default = Path("/usr/lib/jvm/java-17-openjdk-amd64/bin/java")
        return str(default) if default.exists() else (shutil.which("java") or "java")

    def _set_initial_password(self) -> None:
        if (self.data_dir / "databases" / "system").exists():
            if not self.password_file.exists():
                raise ServerError(
                    f"{self.data_dir} exists but {self.password_file} is gone; delete "
                    f"{self.home} to start afresh (its data is lost)."
                )
            return
        if not self.password_file.exists():
            _write_private(self.password_file, secrets.token_urlsafe(24) + "\n")
        os.chmod(self.password_file, 0o600)
        password = self.password()
        if not password or any(ord(c) < 32 or ord(c) == 127 for c in password):
            raise ServerError(f"{self.password_file} must hold one line, the password, without control characters "
                              "(tabs, line breaks); it is empty or holds some")
        # The password goes in an argument file (picocli's @file, quoted), not on the command
        # line, where every local user could read it in the process list while neo4j-admin runs.
        # Inside the file picocli still expands a leading @ (@@ stands for one).
        token = "@" + password if password.startswith("@") else password
        args = self.home / "initial-password.args"
        args.unlink(missing_ok=True)
        try:
            _write_private(args, '"' + token.replace("\\", "\\\\").replace('"', '\\"') + '"\n')
            self.admin("dbms", "set-initial-password", "--", f"@{args}")
        finally:
            args.unlink(missing_ok=True)

    def admin(self, *args: str) -> None:
        """``neo4j-admin ARGS`` on this instance (its jars, home and configuration); ServerError with its output."""
        env = dict(os.environ, NEO4J_HOME=str(self.home), NEO4J_CONF=str(self.conf_dir))
        result = subprocess.run([self._java(), "-cp", f"{self.lib}/*", "org.neo4j.server.startup.Neo4jAdminCommand",
                                 *args], capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            raise ServerError(f"neo4j-admin {' '.join(args[:2])} failed (exit {result.returncode}):\n"
                              f"{(result.stdout + result.stderr)[-3000:]}")

    def memory(self) -> tuple[str | None, str | None]:
        """The heap and page cache in this instance's neo4j.conf (what it was last started with)."""
        conf = self.conf_dir / "neo4j.conf"
        lines = conf.read_text(encoding="utf-8").splitlines() if conf.exists() else []
        values = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
        return values.get("server.memory.heap.max_size"), values.get("server.memory.pagecache.size")

    def prepare(self, heap: str | None = None, pagecache: str | None = None) -> int:
        self.ensure_jars()
        for folder in (self.conf_dir, self.data_dir, self.logs_dir, self.run_dir,
                       self.home / "plugins", self.home / "import", self.home / "licenses"):
            folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.home, 0o700)
        port = self._pick_port()
        self._write_logging_config()
        self._write_conf(port, *_memory_settings(heap, pagecache))
        self._set_initial_password()
        return port

    # ------------------------------------------------------------------ control
    def start(self, timeout: float = START_TIMEOUT_S, heap: str | None = None, pagecache: str | None = None) -> float:
        """Start (no-op when running); return seconds until Bolt answered. ``heap`` and ``pagecache`` (e.g.
        "4g") override ``IRONCAGE_NEO4J_HEAP`` / ``IRONCAGE_NEO4J_PAGECACHE`` (defaults 1g and 512m)."""
        started = time.monotonic()
        if self.pid() is not None and self.bolt_answers():
            return 0.0
        if self.pid() is None and self.port_file.exists() and not _port_free(self.bolt_port()):
            raise ServerError(  # the variable alone does nothing while the file records a port: it is read at a first start
                f"Port {self.bolt_port()}, which {self.port_file} records for this instance, is taken by another "
                f"program; remove {self.port_file} and start again: a free port is picked, or the one "
                "IRONCAGE_NEO4J_BOLT_PORT names."
            )
        first_port = not self.port_file.exists()  # chosen by this start: given up if the start fails
        if self.pid() is None:
            heap, pagecache = _memory_settings(heap, pagecache)
            self.prepare(heap, pagecache)
            command = [
                self._java(), "-cp", f"{self.home / 'plugins'}/*:{self.lib}/*",
                *JVM_FLAGS, "-Dfile.encoding=UTF-8", f"-Xms{heap}", f"-Xmx{heap}",
                "org.neo4j.server.CommunityEntryPoint",
                f"--home-dir={self.home}", f"--config-dir={self.conf_dir}", "--console-mode",
            ]
            env = dict(os.environ, NEO4J_HOME=str(self.home), NEO4J_CONF=str(self.conf_dir))
            with open(self.console_log, "ab") as log:
                process = subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    env=env, cwd=self.home, start_new_session=True, preexec_fn=_raise_nofile,
                )
            self.pid_file.write_text(f"{process.pid}\n", encoding="ascii")
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.pid() is None:
                if first_port:  # e.g. another program took the port between the check and the bind
                    self.port_file.unlink(missing_ok=True)
                raise ServerError(f"Neo4j exited during start; last log lines:\n{self.log_tail()}")
            if self.bolt_answers(timeout=2.0):
                return time.monotonic() - started
            time.sleep(0.5)
        raise ServerError(f"Neo4j did not answer on Bolt within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """Stop cleanly with SIGTERM (SIGKILL only after ``timeout``); False if not running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _pid_alive(pid):
            _reap(pid)
            time.sleep(0.2)
        if _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        _reap(pid)
        self.pid_file.unlink(missing_ok=True)
        return True

    def warm_up(self) -> bool:
        """Run one page of every detector read query (:func:`graph.readers.warm_up`) and the app's page
        queries (:func:`graph.app_queries.warm_up`); False on failure.

        A freshly started JVM interprets the Cypher operators until the JIT has compiled
        them, which made the first detector run after a start ~30 s slower at demo scale 10;
        the warm-up spends that once, at start, on a bounded amount of data. A failure
        (e.g. the database is still coming online) is reported and does not fail the start.
        """
        from graph import app_queries
        from graph.db import connect
        from graph.readers import warm_up
        settings = self.settings(os.environ.get("NEO4J_DATABASE") or "neo4j")
        started = time.monotonic()
        try:
            with connect(settings) as db:
                queries = warm_up(db)
                pages = app_queries.warm_up(db)  # the app's pages, whose process outlives a restart
        except Exception as error:  # a warm-up is an optimisation: never fail the start for it
            print(f"warning: warm-up skipped ({type(error).__name__}: {error})", file=sys.stderr)
            return False
        print(f"Warmed up the {queries} detector read queries and {pages} queries of the app's pages in "
              f"{time.monotonic() - started:.1f} s.")
        return True

    def log_tail(self, lines: int = 30) -> str:
        texts = []
        for log in (self.console_log, self.logs_dir / "neo4j.log", self.logs_dir / "debug.log"):
            if log.exists():
                texts.append(f"--- {log}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(texts)


def _memory_settings(heap: str | None, pagecache: str | None) -> tuple[str, str]:
    """Heap and page cache: as given, else ``IRONCAGE_NEO4J_HEAP`` / ``IRONCAGE_NEO4J_PAGECACHE``, else 1g and 512m."""
    return (heap or os.environ.get("IRONCAGE_NEO4J_HEAP", "1g"),
            pagecache or os.environ.get("IRONCAGE_NEO4J_PAGECACHE", "512m"))


def _raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = 40000 if hard == resource.RLIM_INFINITY else min(40000, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m graph server", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop", "status", "env", "backup", "restore"],
                        help="backup: dump the database (the server stops meanwhile); restore DUMP: load a dump "
                             "over it, after dumping what it replaces (see graph/server/backup.py)")
    parser.add_argument("dump", nargs="?", type=Path, help="restore: the .dump file to load")
    parser.add_argument("--instance", help="instance name (default: $IRONCAGE_NEO4J_INSTANCE or 'local')")
    parser.add_argument("--no-warm-up", action="store_true",
                        help="start, backup, restore: return as soon as Bolt answers, without warming the "
                             "detector reads")
    parser.add_argument("--to", type=Path, metavar="FOLDER",
                        help="backup, restore: where dumps go [.neo4j/backups]")
    parser.add_argument("--yes", action="store_true", help="restore: yes, replace the instance's database")
    parser.add_argument("--new", action="store_true",
                        help="restore: into a new instance (moving to another machine); without it the instance "
                             "must exist, so a mistyped --instance is refused")
    parser.add_argument("--keep", type=int, metavar="N",
                        help="backup: then delete this instance's older dumps in the folder beyond the newest N "
                             "(never the before-restore ones)")
    args = parser.parse_intermixed_args(argv)
    if args.keep is not None and (args.action != "backup" or args.keep < 1):
        parser.error("--keep goes with backup and needs at least 1")
    if (args.action == "restore") != (args.dump is not None):
        parser.error("restore takes the dump file to load, and only restore takes one")
    if args.new and args.action != "restore":
        parser.error("--new goes with restore")
    if args.action == "restore" and not args.yes:
        parser.error("restore replaces the instance's database (it is dumped first): add --yes")
    server = LocalServer(args.instance or "")
    try:
        if args.action in ("backup", "restore"):
            from graph.lock import LockHeld
            from graph.server.backup import backup, restore
            from graph.signals import Interrupted, exit_code

            folder = args.to or server.root / "backups"
            try:
                report = (backup(server, folder, keep=args.keep) if args.action == "backup"
                          else restore(server, args.dump.resolve(), folder, new=args.new))
            except LockHeld as error:
                print(f"error: {error}", file=sys.stderr)
                return 3
            except Interrupted as error:  # the server was started again on the way out (backup._offline)
                done = error.done or f"nothing was {'dumped' if args.action == 'backup' else 'restored'}"
                print(f"error: the {args.action} was {error}; {done}, and the server, if it was "
                      "running, was started again", file=sys.stderr)
                return exit_code(error)
            except OSError as error:  # a full disk, a folder without permission, a vanished dump
                print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
                return 1
            print(report.describe(server))
            if report.running and not args.no_warm_up:
                server.warm_up()
        elif args.action == "start":
            running_before = server.pid() is not None and server.bolt_answers()
            seconds = server.start()
            if running_before:
                print(f"Neo4j ({server.name}) already running at {server.uri()} (pid {server.pid()}).")
            else:
                print(f"Neo4j ({server.name}) started at {server.uri()} in {seconds:.1f} s "
                      f"(pid {server.pid()}, data {server.data_dir}).")
                if not args.no_warm_up:
                    server.warm_up()
        elif args.action == "stop":
            if server.stop():
                print(f"Neo4j ({server.name}) stopped.")
            else:
                print(f"Neo4j ({server.name}) was not running.")
        elif args.action == "status":
            pid = server.pid()
            if pid is not None and server.bolt_answers():
                print(f"running: {server.uri()} pid {pid}, home {server.home}")
            elif pid is not None:  # its own exit code: a monitoring check read 0, "running", for a frozen server
                print(f"starting or not answering: pid {pid}, {server.uri()}, home {server.home}")
                return 4
            else:
                print(f"stopped (home {server.home})")
                return 3
        elif args.action == "env":
            if not server.password_file.exists():
                print("# the local Neo4j has never been started: run `python -m graph server start`",
                      file=sys.stderr)
                return 1
            print("\n".join(server.env_lines()))
    except ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


__all__ = ["LocalServer", "ServerError", "main", "REPO_ROOT"]
