"""The local server launcher: settings, password file, idempotent start."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import uuid

import pytest

from graph.server import LocalServer, ServerError


@pytest.mark.neo4j
def test_running_server_answers_and_keeps_password_private(neo4j_settings) -> None:
    if neo4j_settings.local_instance is None:
        pytest.skip("NEO4J_URI points at a server this project does not run")
    server = LocalServer(neo4j_settings.local_instance)
    mode = stat.S_IMODE(os.stat(server.password_file).st_mode)
    assert mode == 0o600
    assert len(server.password()) >= 20
    conf = (server.conf_dir / "neo4j.conf").read_text()
    assert "server.default_listen_address=127.0.0.1" in conf
    assert "dbms.security.auth_enabled=true" in conf
    assert server.password() not in conf
    assert server.bolt_answers()
    # start on a running server is a no-op that returns at once
    assert server.start() == 0.0


@pytest.mark.neo4j
def test_status_of_a_server_that_does_not_answer_exits_4_without_waiting_on_it(neo4j_settings) -> None:
    """A frozen server (SIGSTOP: it accepts connections and never answers) read "starting or unresponsive" with
    exit code 0, "running" to a monitoring check, after 66 s (an operator's review)."""
    if neo4j_settings.local_instance is None:
        pytest.skip("NEO4J_URI points at a server this project does not run")
    server = LocalServer(neo4j_settings.local_instance)
    pid = server.pid()
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        status = subprocess.run([sys.executable, "-m", "graph", "server", "status", "--instance", server.name],
                                capture_output=True, text=True, timeout=120, check=False)
        waited = time.monotonic() - started
    finally:
        os.kill(pid, signal.SIGCONT)
    assert status.returncode == 4 and "starting or not answering" in status.stdout, status.stdout + status.stderr
    assert waited < 40, waited  # the check's own timeout (2 × 5 s), not the driver's
    assert server.bolt_answers()  # thawed, it answers again


def _stored_password_is(auth_ini: str, password: str) -> bool:
    """Neo4j's auth.ini line ``user:SHA-256,hash,salt,iterations:``: SHA-256 of salt + password, rehashed."""
    _, hashed, salt, iterations = auth_ini.split(":")[1].split(",")
    digest = hashlib.sha256(bytes.fromhex(salt) + password.encode("utf-8")).digest()
    for _ in range(int(iterations) - 1):
        digest = hashlib.sha256(digest).digest()
    return digest.hex() == hashed


@pytest.mark.neo4j
@pytest.mark.parametrize("password", [
    "-Kq3_dash-first-password-0123456789",  # token_urlsafe starts with "-" one time in 64
    'an operator\'s "own" pass#word \\ 口令',  # spaces, quotes, a comment sign, a backslash, non-ASCII
    "@/etc/hostname",  # picocli would read a leading @ as a file to expand
])
def test_the_initial_password_is_set_exactly_and_never_on_a_command_line(password, monkeypatch) -> None:
    """neo4j-admin must not read a leading dash as an option, nor split or strip the password, and
    the password must not appear in any process's arguments (the process list is public)."""
    import subprocess

    server = LocalServer(f"pw-{uuid.uuid4().hex[:8]}")
    if not server.lib.exists():
        pytest.skip("the Neo4j jars are not installed (python -m graph server start fetches them)")
    commands: list[list[str]] = []
    real_run = subprocess.run

    def recording_run(command, *args, **kwargs):  # a spy: the real neo4j-admin still runs
        commands.append([str(part) for part in command])
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", recording_run)
    server.home.mkdir(parents=True)
    try:
        server.password_file.write_text(password + "\n", encoding="utf-8")
        server.prepare()  # runs neo4j-admin dbms set-initial-password
        assert server.password() == password
        assert _stored_password_is((server.data_dir / "dbms" / "auth.ini").read_text(encoding="utf-8"), password)
        assert any("set-initial-password" in command for command in commands)
        assert not any(password in part for command in commands for part in command)
        assert not (server.home / "initial-password.args").exists()
    finally:
        shutil.rmtree(server.home, ignore_errors=True)


@pytest.mark.parametrize("content", ["\n", "two\tparts-of-a-password\n", "first-line-1234\nsecond-line-5678\n"])
def test_an_empty_or_multi_line_password_file_is_refused_without_quoting_it(content: str) -> None:
    from graph.server import ServerError

    server = LocalServer(f"pwbad-{uuid.uuid4().hex[:8]}")
    server.home.mkdir(parents=True)
    try:
        server.password_file.write_text(content, encoding="utf-8")
        with pytest.raises(ServerError, match="without control characters") as refused:
            server._set_initial_password()
        assert "password-1234" not in str(refused.value) and "parts-of" not in str(refused.value)
        assert not (server.data_dir / "dbms" / "auth.ini").exists()
    finally:
        shutil.rmtree(server.home, ignore_errors=True)


def test_a_stale_pid_file_naming_another_process_is_not_the_server() -> None:
    """After a reboot or a killed JVM the pid file's number can belong to anything: stop must not
    signal it, and start must not take it for a running server."""
    import subprocess
    import sys

    server = LocalServer(f"stale-{uuid.uuid4().hex[:8]}")
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        server.run_dir.mkdir(parents=True)
        server.pid_file.write_text(f"{stranger.pid}\n", encoding="ascii")
        assert server.pid() is None
        assert server.stop() is False  # nothing of ours ran; the pid file goes
        assert stranger.poll() is None and not server.pid_file.exists()
    finally:
        stranger.kill()
        stranger.wait()
        shutil.rmtree(server.home, ignore_errors=True)


def test_env_lines_are_shell_exports(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("IRONCAGE_NEO4J_DIR", str(tmp_path))
    server = LocalServer("probe")
    server.home.mkdir(parents=True)
    server.password_file.write_text("s3cret-generated\n")
    server.port_file.write_text("7999\n")
    lines = server.env_lines()
    assert lines == [
        "export NEO4J_URI=bolt://127.0.0.1:7999",
        "export NEO4J_USERNAME=neo4j",
        "export NEO4J_PASSWORD=s3cret-generated",
        "export NEO4J_DATABASE=neo4j",
    ]
    # an operator's own password with quotes and a hash survives eval in sh (it ended the quoted string)
    own = """an operator's "own" pass#word $HOME `id`"""
    server.password_file.write_text(own + "\n")
    shell = subprocess.run(["sh", "-c", 'eval "$1" && printf %s "$NEO4J_PASSWORD"', "sh", "\n".join(server.env_lines())],
                           capture_output=True, text=True, check=False, env={"PATH": os.environ["PATH"]})
    assert (shell.returncode, shell.stdout) == (0, own), shell.stderr


def test_settings_prefer_environment(monkeypatch) -> None:
    from graph.settings import from_environment

    monkeypatch.setenv("NEO4J_URI", "neo4j+s://example.databases.neo4j.io")
    monkeypatch.setenv("NEO4J_USERNAME", "analyst")
    monkeypatch.setenv("NEO4J_PASSWORD", "pw")
    monkeypatch.setenv("NEO4J_DATABASE", "procurement")
    settings = from_environment()
    assert (settings.uri, settings.username, settings.password, settings.database) == (
        "neo4j+s://example.databases.neo4j.io", "analyst", "pw", "procurement")
    assert settings.local_instance is None


@pytest.mark.neo4j
@pytest.mark.slow
def test_a_first_start_that_loses_its_port_gives_it_up(monkeypatch) -> None:
    """Another program took the port between the free-port check and Neo4j's bind (two instances
    starting at once): the start failed, but the port stayed written, and every later start refused
    with "Port … is taken … remove bolt_port". The race is simulated (the check told "free"
    about a port a socket of the test holds); the next start picks a free port and runs."""
    import socket

    import graph.server as server_module

    server = LocalServer(f"race-{uuid.uuid4().hex[:8]}")
    if not server.lib.exists():
        pytest.skip("the Neo4j jars are not installed (python -m graph server start fetches them)")
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    taken = holder.getsockname()[1]
    monkeypatch.setenv("IRONCAGE_NEO4J_HEAP", "256m")
    monkeypatch.setenv("IRONCAGE_NEO4J_PAGECACHE", "64m")
    try:
        with monkeypatch.context() as race:
            race.setattr(server_module, "_port_free", lambda port: True)
            race.setattr(LocalServer, "bolt_port", lambda self: int(self.port_file.read_text().strip())
                         if self.port_file.exists() else taken)
            with pytest.raises(ServerError, match="exited during start"):
                server.start(timeout=120)
        assert not server.port_file.exists()
        server.start(timeout=120)
        assert server.bolt_port() != taken and server.bolt_answers()
    finally:
        holder.close()
        server.stop()
        shutil.rmtree(server.home, ignore_errors=True)
