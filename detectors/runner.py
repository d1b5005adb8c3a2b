"""The detector job: read the market once, run the detectors, write the findings back.

``python -m detectors run`` is safe under cron:

* **one job at a time per database** — the locks loads share (:mod:`graph.lock`): an OS file
  lock on ``<state>/database-<hash of URI and database>.lock``, where ``<state>`` is
  ``$IRONCAGE_STATE_DIR`` or ``.ironcage/`` in the repository, then the database's lock on
  the server (:func:`graph.lock.server_lock`), which jobs on other hosts take too. A run that
  meets another run or a load exits at once (code 3) saying who holds the lock since when;
  the OS and the server drop the locks when the holder dies, so there is no stale lock to
  clean up;
* **all or nothing** — the run is recorded as a ``(:DetectorRun {status: 'running'})``;
  its findings are written in one write transaction that also flips it to ``succeeded``
  (:func:`graph.findings_store.store_findings`); on any failure (a detector raising, the
  database, SIGTERM) the run is marked ``failed`` and none of its findings is visible. A run
  left ``running`` by a killed process is marked failed by the next run;
* **clear exit codes** — 0 success, 1 the run failed, 2 bad usage or a broken detector
  module, 3 another run or a load holds the lock, 4 Neo4j unreachable or not configured;
* **a log line per detector** with its finding count and duration (stderr, timestamps).

Upstream results are passed by keyword when the detector's ``detect`` accepts it (see
:mod:`detectors.registry`): ``tender_risk`` gets ``rings=`` the ring findings of this run,
``official_profile`` gets ``pairs=`` the closeness findings, ``red_flags`` gets ``ocds=``
the OCDS frame read from the graph. Such extra inputs are read in a background thread while
the market is read (:func:`start_inputs`): both reads spend much of their time waiting for
the server, so overlapping them saves most of the shorter one. The detectors start when both
reads are in, so a read never competes with a detector for the interpreter.

**Worker processes** (``--jobs N``, default the number of CPUs): the detectors are pure
Python work on the market in memory, so one interpreter uses one core while the others sit
idle. :func:`plan_lanes` groups the detectors that pass results to each other (``rings`` →
``tender_risk``, ``closeness`` → ``official_profile``) and shares the groups out between ``N``
lanes, longest first (by the registry's ``cost``); the first lane runs in this process and
each other lane in a process forked after the read, which sees the market without copying
it and sends its findings back through a pipe. Findings, their order and the log lines do
not depend on ``N`` (each detector is seeded, and the outcomes are put back in registry
order). A lane that raises, or whose process dies, fails the run like a detector that
raises; on any failure the other lanes' processes are killed. On Linux the kernel also kills
them when this process dies, even by SIGKILL or the OOM killer, so no orphaned worker goes on
computing (a core and ~1 GB at demo scale 10) or holds the job's output pipe open, which
keeps cron (or any caller reading the output) waiting for it. Each forked process touches
its own copy of the pages it writes to, so peak memory grows with ``N`` (about +1 GB for the
second lane at demo scale 10); ``--jobs 1`` runs everything in this process.
"""

from __future__ import annotations

import ctypes
import dataclasses
import heapq
import json
import logging
import multiprocessing
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

from detectors import registry, settings
from detectors.finding import Finding, at_tenders
from detectors.market import MarketData
from graph.db import GraphUnavailable
from graph.lock import HeldLock, lock_name, run_lock, server_lock
from graph.settings import REPO_ROOT

log = logging.getLogger("detectors.runner")

PR_SET_PDEATHSIG = 1  # linux/prctl.h

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED, EXIT_UNAVAILABLE = 0, 1, 2, 3, 4


class RunFailed(RuntimeError):
    """The run failed and no findings were written; ``marked``: whether the run could be marked failed
    in the database (when the database is what failed, the next run marks it); ``unavailable``: the
    database became unreachable."""

    def __init__(self, message: str, marked: bool = True, unavailable: bool = False) -> None:
        super().__init__(message)
        self.marked = marked
        self.unavailable = unavailable


def code_version() -> str:
    """The git commit of the code that ran (short hash), or ``unknown``."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=5, check=True)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _params_record(params: object | None) -> Any:
    if params is not None and dataclasses.is_dataclass(params) and not isinstance(params, type):
        return dataclasses.asdict(params)
    return None


def _ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Highest score first, ties by key: the same findings always come in the same order."""
    return sorted(findings, key=lambda f: (-round(float(f.score), 6), f.key))


@dataclass
class DetectorOutcome:
    code: str
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0


def load_detectors(specs: Sequence[registry.DetectorSpec]) -> list[tuple[registry.DetectorSpec, ModuleType]]:
    """The specs whose module exists, with the module (missing ones are skipped with a warning)."""
    loaded = [(spec, registry.load(spec)) for spec in specs]
    return [(spec, module) for spec, module in loaded if module is not None]


def run_detectors(
    data: MarketData,
    detectors: Sequence[tuple[registry.DetectorSpec, ModuleType]],
    seed: int = 0,
    db: Any = None,
    around: Callable[[str], AbstractContextManager[Any]] | None = None,
    inputs: dict[tuple[str, str], Future[Any]] | None = None,
) -> list[DetectorOutcome]:
    """Run the loaded ``detectors`` in order over ``data``, passing upstream results.

    A detector that raises, or returns something other than Findings, stops the run with
    RunFailed. ``db`` is only used to read a detector's extra inputs (e.g. the OCDS frame);
    ``inputs`` holds the ones already being read (:func:`start_inputs`), by (code, keyword).
    ``around(code)`` is a context manager entered around each detector (benchmarks measure
    memory with it).
    """
    outcomes: list[DetectorOutcome] = []
    results: dict[str, list[Finding]] = {}
    for spec, module in detectors:
        accepted = registry.accepted_keywords(module)
        kwargs: dict[str, Any] = {}
        for keyword, upstream in spec.upstream.items():
            if accepted is not None and keyword not in accepted:
                continue
            if upstream in results:
                kwargs[keyword] = results[upstream]
            else:
                log.info("detector %s runs without %s= (detector %s did not run)", spec.code, keyword, upstream)
                if keyword in spec.upstream_params and (accepted is None or f"{keyword}_params" in accepted):
                    kwargs[f"{keyword}_params"] = spec.upstream_params[keyword]  # it computes it with them
        with around(spec.code) if around is not None else nullcontext():
            started = time.perf_counter()
            for keyword, reader in spec.inputs.items():
                if inputs is not None and (spec.code, keyword) in inputs:
                    value = inputs[(spec.code, keyword)].result()
                elif db is not None and (accepted is None or keyword in accepted):
                    value = _read_input(db, spec, keyword, reader)
                else:
                    continue
                if value is not None:
                    kwargs[keyword] = value
            try:
                found = module.detect(data, params=spec.params, seed=seed, **kwargs)
                bad = [f for f in found if not isinstance(f, Finding)]
            except Exception as error:
                raise RunFailed(f"detector {spec.code} raised {type(error).__name__}: {error}") from error
            seconds = time.perf_counter() - started
        if bad:
            raise RunFailed(f"detector {spec.code} returned {len(bad)} values that are not Findings")
        findings = _ordered(found)
        results[spec.code] = findings
        outcomes.append(DetectorOutcome(spec.code, findings, seconds))
        log.info("detector %s: %d findings in %.2f s", spec.code, len(findings), seconds)
    return outcomes


Loaded = tuple[registry.DetectorSpec, ModuleType]


def default_jobs() -> int:
    """Worker processes by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def plan_lanes(detectors: Sequence[Loaded], jobs: int) -> list[list[Loaded]]:
    """Share ``detectors`` out between at most ``jobs`` lanes; each lane in registry order.

    Detectors tied by an upstream result (one passes its findings to the other) stay in one
    lane, and so do the detectors chained to them. The groups go to lanes longest first (by
    the summed ``cost``), each to the lane with the least work so far (LPT scheduling,
    Graham 1969): within 4/3 of the best split. Empty lanes are dropped.
    """
    order = {spec.code: i for i, (spec, _) in enumerate(detectors)}
    group = {code: code for code in order}

    def root(code: str) -> str:
        while group[code] != code:
            code = group[code]
        return code

    for spec, _ in detectors:
        for upstream in spec.upstream.values():
            if upstream in order:
                group[root(spec.code)] = root(upstream)
    groups: dict[str, list[Loaded]] = {}
    for loaded in detectors:
        groups.setdefault(root(loaded[0].code), []).append(loaded)
    ranked = sorted(groups.values(), key=lambda g: (-sum(spec.cost for spec, _ in g), order[g[0][0].code]))
    lanes: list[list[Loaded]] = [[] for _ in range(max(1, jobs))]
    load = [(0.0, lane) for lane in range(len(lanes))]
    for members in ranked:
        work, lane = heapq.heappop(load)
        lanes[lane].extend(members)
        heapq.heappush(load, (work + sum(spec.cost for spec, _ in members), lane))
    return [sorted(lane, key=lambda loaded: order[loaded[0].code]) for lane in lanes if lane]


def run_in_lanes(
    data: MarketData,
    detectors: Sequence[Loaded],
    seed: int = 0,
    db: Any = None,
    inputs: dict[tuple[str, str], Future[Any]] | None = None,
    jobs: int = 1,
) -> list[DetectorOutcome]:
    """:func:`run_detectors` with the lanes of :func:`plan_lanes` run at once, outcomes in registry order.

    The first lane runs here; every other lane in a forked process that runs its detectors on
    the inherited ``data`` and ``inputs`` (already read: the workers never use ``db``) and
    sends its outcomes back. RunFailed when a lane fails or its process dies.
    """
    lanes = plan_lanes(detectors, jobs)
    if len(lanes) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return run_detectors(data, detectors, seed=seed, db=db, inputs=inputs)
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    log.info("detectors in %d processes: %s", len(lanes), " | ".join(_codes(lane) for lane in lanes))
    workers: list[tuple[list[Loaded], Any, Connection]] = []
    try:
        for lane in lanes[1:]:
            receiving, sending = context.Pipe(duplex=False)
            process = context.Process(target=_lane_worker, args=(sending, data, lane, seed, inputs, os.getpid()),
                                      daemon=True,
                                      name="detectors-" + "+".join(spec.code for spec, _ in lane))
            process.start()
            sending.close()
            workers.append((lane, process, receiving))
        outcomes = run_detectors(data, lanes[0], seed=seed, db=db, inputs=inputs)
        for lane, process, receiving in workers:
            outcomes += _lane_outcomes(lane, process, receiving)
    finally:
        for _, process, receiving in workers:
            if process.is_alive():
                process.kill()
            process.join()
            receiving.close()
    log.info("detectors done in %.2f s", time.perf_counter() - started)
    order = {spec.code: i for i, (spec, _) in enumerate(detectors)}
    return sorted(outcomes, key=lambda outcome: order[outcome.code])


def _lane_worker(sending: Connection, data: MarketData, lane: list[Loaded], seed: int,
                 inputs: dict[tuple[str, str], Future[Any]] | None, parent: int) -> None:
    """Body of a forked lane: run its detectors, send ``("ok", outcomes)`` or ``("failed", message)``."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent records the run's end, not this process
    _die_with(parent)
    try:
        reply: tuple[str, Any] = ("ok", run_detectors(data, lane, seed=seed, inputs=inputs))
    except BaseException as error:
        reply = ("failed", str(error) if isinstance(error, RunFailed) else f"{type(error).__name__}: {error}")
    try:
        sending.send(reply)
    except Exception as error:  # e.g. a finding that cannot be pickled
        sending.send(("failed", f"could not send the findings of {_codes(lane)} back: {error}"))
    finally:
        sending.close()


def _die_with(parent: int) -> None:
    """Ask Linux to SIGKILL this process when the thread that forked it ends; exit if it already has.

    A worker orphaned by a parent killed with SIGKILL (or by the OOM killer) would go on
    running its detectors for nothing, and it inherits the job's stdout and stderr, so cron or
    a shell reading them waits until it finishes. (It does not keep the run lock: filelock
    closes its descriptors in a forked child.) ``prctl(PR_SET_PDEATHSIG)`` (man 2 prctl) has the
    kernel kill it with the parent; the forking thread joins its workers, so it never ends
    before them. Elsewhere this does nothing.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _lane_outcomes(lane: list[Loaded], process: Any, receiving: Connection) -> list[DetectorOutcome]:
    """The outcomes a lane's process sent; RunFailed when it failed or died without a word."""
    try:
        status, payload = receiving.recv()
    except EOFError:
        process.join()
        raise RunFailed(f"the worker process running {_codes(lane)} died (exit code {process.exitcode})") from None
    if status != "ok":
        raise RunFailed(payload)
    return list(payload)


def _codes(lane: Sequence[Loaded]) -> str:
    return ", ".join(spec.code for spec, _ in lane)


def _read_input(db: Any, spec: registry.DetectorSpec, keyword: str, reader: str) -> Any:
    import importlib

    module_name, _, function = reader.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        log.warning("detector %s runs without %s= (reader %s is not there yet)", spec.code, keyword, reader)
        return None
    started = time.perf_counter()
    value = getattr(module, function)(db)
    log.info("read %s for %s in %.2f s", keyword, spec.code, time.perf_counter() - started)
    return value


def read_all(pool: ThreadPoolExecutor, db: Any, detectors: Sequence[tuple[registry.DetectorSpec, ModuleType]]
             ) -> tuple[MarketData, dict[tuple[str, str], Future[Any]]]:
    """The market and the detectors' extra inputs (e.g. the OCDS frame), read concurrently.

    The inputs are read in ``pool`` while the market is read here; this returns when every
    read is in, so the detectors that follow do not compete with a read for the interpreter.
    A query both need (the bids, for the market and the OCDS frame) is read once
    (:func:`graph.readers.shared_reads`).
    """
    from graph.readers import read_market, shared_reads

    with shared_reads():  # the market and the OCDS frame are built from one read of the bids
        inputs = start_inputs(pool, db, detectors)
        started = time.perf_counter()
        data = read_market(db)
        log.info("read market: %d tenders, %d bids, %d firms, %d officials in %.2f s", len(data.tenders),
                 len(data.bids), len(data.firms), len(data.officials), time.perf_counter() - started)
        for future in inputs.values():
            future.result()
    if inputs:
        log.info("read market and detector inputs in %.2f s", time.perf_counter() - started)
    return data, inputs


def start_inputs(pool: ThreadPoolExecutor, db: Any, detectors: Sequence[tuple[registry.DetectorSpec, ModuleType]]
                 ) -> dict[tuple[str, str], Future[Any]]:
    """Start reading every extra input the ``detectors`` take, in ``pool``; futures by (code, keyword)."""
    pending: dict[tuple[str, str], Future[Any]] = {}
    for spec, module in detectors:
        accepted = registry.accepted_keywords(module)
        for keyword, reader in spec.inputs.items():
            if accepted is None or keyword in accepted:
                pending[(spec.code, keyword)] = pool.submit(_read_input, db, spec, keyword, reader)
    return pending


def json_target_problem(path: Path) -> str | None:
    """Why the findings file could not be written at ``path`` (checked before a run, so an unwritable
    folder stops the job with a usage error instead of failing after the findings were stored), or None."""
    path = Path(path)
    if path.is_dir():
        return f"{path} is a folder"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".check", dir=path.parent)
    except OSError as error:
        return f"cannot write in {path.parent}: {error.strerror or error}"
    os.close(fd)
    Path(tmp).unlink(missing_ok=True)
    return None


def write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _Terminated(BaseException):
    """SIGTERM arrived: unwind so the run is marked failed."""


_signals_received: list[int] = []


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Recorded first: the exception may surface transformed (e.g. as a BufferError when it
    # lands inside a C extension), and the run's error must still say it was a signal.
    _signals_received.append(signum)
    raise _Terminated(f"terminated by signal {signum}")


def interrupted_exit_code(error: BaseException) -> int | None:
    """The exit code of a run a signal stopped, as loads and backups exit: 128 + the signal's number (143 for
    SIGTERM, a cron timeout or ``kill``; 130 for Ctrl-C); None when no signal stopped it."""
    if _signals_received:
        return 128 + _signals_received[-1]
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, KeyboardInterrupt):
            return 128 + signal.SIGINT
        cause = cause.__cause__
    return None


@dataclass
class RunResult:
    run_id: str
    findings: list[Finding]
    outcomes: list[DetectorOutcome]
    summary: Any


def _run_recorded(db: Any, specs: Sequence[registry.DetectorSpec], seed: int, jobs: int = 1,
                  params_file: Path | None = None, lock: HeldLock | None = None,
                  ) -> tuple[Any, list[Finding], list[DetectorOutcome], Any]:
    """Record the run, read, detect, store; on any failure mark the run failed and raise RunFailed.
    With ``lock``, the findings are stored only while the run still holds the database's job lock."""
    from graph.findings_store import RunInfo, fail_run, new_run_id, start_run, store_findings

    started_at = datetime.now(UTC)
    detectors = load_detectors(specs)
    params = {"seed": seed, "detectors": {
        spec.code: _params_record(spec.params if spec.params is not None else registry.default_params(module))
        for spec, module in detectors}}
    if params_file is not None:
        params["params_file"] = str(params_file)
    ran = {spec.code for spec, _ in detectors}
    computed_inside = {spec.code: {keyword: _params_record(settings_of) for keyword, settings_of in
                                   spec.upstream_params.items() if spec.upstream.get(keyword) not in ran}
                       for spec, _ in detectors}
    if any(computed_inside.values()):  # e.g. tender_risk's own rings, with [rings] of the file
        params["upstream_settings"] = {code: used for code, used in computed_inside.items() if used}
    info = RunInfo(id=new_run_id(started_at), started_at=started_at,
                   detectors=tuple(spec.code for spec, _ in detectors), params=params,
                   code_version=code_version(), seed=seed)
    abandoned = start_run(db, info)
    if abandoned:
        log.warning("marked %d run(s) left running by a dead process as failed", abandoned)
    log.info("run %s started: detectors %s, seed %d", info.id, ", ".join(info.detectors) or "none", seed)
    outcomes: list[DetectorOutcome] = []
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="detector-inputs")
    try:
        data, inputs = read_all(pool, db, detectors)
        pool.shutdown(wait=True)  # every read is in; no idle thread is left when the workers fork
        outcomes = run_in_lanes(data, detectors, seed=seed, db=db, inputs=inputs, jobs=jobs)
        # a lot competed on its own is named by its tender, where the graph and the app have them
        findings = at_tenders([f for o in outcomes for f in o.findings], data.lot_parents())
        seconds = {o.code: round(o.seconds, 3) for o in outcomes}
        if lock is not None and lock.lost():
            raise RunFailed("the database's job lock was ended under this run (TERMINATE TRANSACTIONS, or a server "
                            "restart), so a load may have run while it read; its findings are not stored: run again")
        store_started = time.perf_counter()
        summary = store_findings(db, info, findings, detector_seconds=seconds)
        log.info("run %s succeeded: %d findings stored in %.2f s (%s)", info.id, len(findings),
                 time.perf_counter() - store_started, summary.describe())
    except BaseException as error:
        message = str(error) if isinstance(error, RunFailed) else f"{type(error).__name__}: {error}"
        if _signals_received and not isinstance(error, _Terminated):
            message = f"terminated by signal {_signals_received[-1]} ({message})"
        marked = True
        try:
            fail_run(db, info, message, datetime.now(UTC), {o.code: round(o.seconds, 3) for o in outcomes})
        except Exception as mark_error:  # the database may be what failed
            marked = False
            log.error("could not mark run %s failed (%s); the next run will", info.id, mark_error)
        if isinstance(error, RunFailed):
            error.marked = error.marked and marked
            raise
        raise RunFailed(message, marked=marked, unavailable=isinstance(error, GraphUnavailable)) from error
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # on failure, do not wait for a read nobody needs
    return info, findings, outcomes, summary


def run(
    codes: Sequence[str] | None = None,
    seed: int = 0,
    json_path: Path | None = None,
    db: Any = None,
    jobs: int | None = None,
    params_file: Path | None = None,
) -> RunResult:
    """One detector run against ``db`` (default: :func:`graph.db.connect`), holding the lock.

    ``jobs``: worker processes for the detectors (default :func:`default_jobs`; 1 runs them all
    in this process). ``params_file``: a TOML file of detector settings (:mod:`detectors.settings`),
    checked before anything else.

    Raises ParamsFileError, LockHeld, registry.RegistryError, graph.db.GraphUnavailable (nothing
    recorded) or RunFailed (the run is recorded as failed, no findings written).
    """
    from graph.db import connect

    specs = settings.with_settings(registry.select(list(codes) if codes else None), params_file)
    with run_lock(name=lock_name(db), job="a detector run"):
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous_handler = signal.signal(signal.SIGTERM, _on_sigterm) if in_main_thread else None
        own_db = db is None
        try:
            db = db or connect()
            db.verify()
            with server_lock(db, "a detector run") as held:
                info, findings, outcomes, summary = _run_recorded(db, specs, seed, jobs or default_jobs(), params_file,
                                                                  lock=held)
        except _Terminated as error:  # before the run was recorded: nothing to mark
            raise RunFailed(str(error)) from error
        finally:
            if in_main_thread:
                signal.signal(signal.SIGTERM, previous_handler)
            if own_db and db is not None:
                db.close()
    if json_path is not None:
        # each finding with the id it was stored under (a ring found again keeps its id and its case's
        # triage), so that a consumer of the file can match it to the graph and the case
        write_json_atomically(Path(json_path), {"run_id": info.id, "findings": [
            {**f.to_dict(), "id": stored} for f, stored in zip(findings, summary.ids, strict=True)]})
        log.info("wrote %s", json_path)
    return RunResult(info.id, findings, outcomes, summary)
