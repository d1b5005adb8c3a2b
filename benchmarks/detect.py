"""Seconds and peak memory of a detector run — read, each detector, store, total — at demo scales 1 and 10.

For each scale: ``python -m loaders demo`` writes the synthetic market, the target database
is emptied, ``python -m loaders csv`` loads it, then the steps of ``python -m detectors run``
are timed one by one in this process: the read (:func:`graph.readers.read_market` with the
detectors' extra inputs such as the OCDS frame read alongside, as the runner reads them),
every registered detector, and the store (:func:`graph.findings_store.store_findings`, one
transaction). Each step prints wall seconds, the CPU seconds of this process and, when the
target is a local instance started by ``python -m graph server``, the CPU seconds of the
Neo4j server — on a machine shared with other work, CPU seconds are the figure that does not
depend on the load. The detectors are then run once more as the runner runs them, in the
worker processes of :func:`detectors.runner.plan_lanes` (one per CPU): ``total, as run`` is
the read, that step and the store. ``--memory`` adds a pass under ``tracemalloc`` for the
peak of memory allocated during each step (slower; its time is not reported). The peak RSS
of this process is printed at the end, and beside ``total, as run`` the peak proportional
set size of this process and its workers together (sampled every 0.2 s).

The target is the usual Neo4j (``NEO4J_URI``, else the local instance named by
``IRONCAGE_NEO4J_INSTANCE``). **It is emptied**: use a scratch instance, e.g.::

    IRONCAGE_NEO4J_INSTANCE=bench python -m graph server start
    IRONCAGE_NEO4J_INSTANCE=bench python benchmarks/detect.py --scales 1 10 --wipe
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from quality import wipe  # noqa: E402

from detectors import registry, runner  # noqa: E402
from graph.db import Database, connect  # noqa: E402
from graph.findings_store import RunInfo, new_run_id, start_run, store_findings  # noqa: E402
from graph.server import LocalServer  # noqa: E402


def node_count(db: Database) -> int:
    return int(db.read("findings_bench_node_count")[0]["nodes"])


def generate(out: Path, seed: int, scale: float) -> None:
    subprocess.run([sys.executable, "-m", "loaders", "demo", str(out), "--seed", str(seed), "--scale", str(scale)],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def load(bundle: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "loaders", "csv", str(bundle), "--rejects", str(bundle / "rejects.csv")],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


@contextmanager
def peak_memory(into: dict[str, float], name: str) -> Iterator[None]:
    """Record the tracemalloc peak (MB) of the block under ``into[name]``."""
    gc.collect()
    tracemalloc.start()
    try:
        yield
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        into[name] = peak / 1e6


def _pss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith("Pss:")) / 1024
    except (OSError, StopIteration):
        return 0.0


@contextmanager
def sampled_pss(into: list[float], every: float = 0.2) -> Iterator[None]:
    """Sample the proportional set size (MB) of this process plus its children (the forked
    workers) every ``every`` seconds during the block; PSS counts a page shared by n processes
    as 1/n in each, so the sum is what they take together. Linux only (empty elsewhere)."""
    me = os.getpid()
    done = threading.Event()

    def sample() -> None:
        while not done.wait(every):
            try:
                with open(f"/proc/{me}/task/{me}/children", encoding="ascii") as handle:
                    children = [int(pid) for pid in handle.read().split()]
            except OSError:
                return
            into.append(sum(_pss_mb(pid) for pid in [me, *children]))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield
    finally:
        done.set()
        sampler.join()


def server_cpu() -> float | None:
    """CPU seconds used so far by the local Neo4j instance, when the target is one (else None)."""
    if os.environ.get("NEO4J_URI") and "127.0.0.1" not in os.environ["NEO4J_URI"] \
            and "localhost" not in os.environ["NEO4J_URI"]:
        return None
    return LocalServer().cpu_seconds()


@contextmanager
def timed(into: dict[str, dict[str, float]], name: str) -> Iterator[None]:
    """Record wall seconds, this process's CPU seconds and the server's CPU seconds of the block."""
    server, cpu, wall = server_cpu(), time.process_time(), time.perf_counter()
    try:
        yield
    finally:
        after = server_cpu()
        into[name] = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                      "server": after - server if after is not None and server is not None else float("nan")}


def read_all(db: Database, detectors: list[Any]) -> tuple[Any, dict[Any, Any]]:
    """The market and the detectors' extra inputs, read concurrently as the runner does."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return runner.read_all(pool, db, detectors)


def measure(db: Database, seed: int, memory: bool) -> dict[str, Any]:
    """Seconds (wall, CPU, server CPU) and optionally peak MB of the read, each detector and the store."""
    detectors = runner.load_detectors(registry.select())
    steps: dict[str, dict[str, float]] = {}
    started, started_at = time.perf_counter(), datetime.now(UTC)
    with timed(steps, "read"):
        data, inputs = read_all(db, detectors)
    outcomes = runner.run_detectors(data, detectors, seed=seed, db=db, inputs=inputs,
                                    around=lambda code: timed(steps, code))
    findings = [f for o in outcomes for f in o.findings]
    info = RunInfo(id=new_run_id(started_at), started_at=started_at,  # the run began with the read
                   detectors=tuple(spec.code for spec, _ in detectors), params={"benchmark": True}, seed=seed)
    start_run(db, info)
    with timed(steps, "store"):
        store_findings(db, info, findings)
    total = time.perf_counter() - started
    lanes = runner.plan_lanes(detectors, runner.default_jobs())
    pss: list[float] = []
    as_run = f"detectors, {len(lanes)} proc"
    with timed(steps, as_run), sampled_pss(pss):  # as the runner runs them
        runner.run_in_lanes(data, detectors, seed=seed, db=db, inputs=inputs, jobs=len(lanes))
    in_lanes = total - sum(steps[o.code]["wall"] for o in outcomes) + steps[as_run]["wall"]
    counts = {o.code: len(o.findings) for o in outcomes}
    counts["store"] = len(findings)
    peaks: dict[str, float] = {}
    if memory:
        del data, inputs
        with peak_memory(peaks, "read"):
            data, inputs = read_all(db, detectors)
        runner.run_detectors(data, detectors, seed=seed, db=db, inputs=inputs,
                             around=lambda code: peak_memory(peaks, code))
    return {"bids": len(data.bids), "tenders": len(data.tenders), "steps": steps, "total": total, "peaks": peaks,
            "counts": counts, "in_lanes": in_lanes, "lanes": [[spec.code for spec, _ in lane] for lane in lanes],
            "lanes_pss": max(pss, default=float("nan"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--memory", action="store_true", help="add a tracemalloc pass (peak MB per step)")
    parser.add_argument("--keep", action="store_true", help="measure what is loaded already (no generate/load)")
    parser.add_argument("--wipe", action="store_true", help="confirm that the target database may be emptied")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.ERROR)

    with connect() as db:
        db.verify()
        if not args.keep and node_count(db) and not args.wipe:
            print(f"{db.settings.describe()} is not empty; this benchmark empties it. Re-run with --wipe "
                  "against a scratch instance.", file=sys.stderr)
            return 2
        results = []
        for scale in args.scales:
            load_s = float("nan")
            if not args.keep:
                with tempfile.TemporaryDirectory(prefix=f"ironcage-demo-{scale:g}-") as tmp:
                    bundle = Path(tmp)
                    generate(bundle, args.seed, scale)
                    wipe(db)
                    load_s = load(bundle)
            result = measure(db, args.seed, memory=args.memory)
            result.update(scale=scale, load=load_s)
            results.append(result)
            _print(result)
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


def _print(result: dict[str, Any]) -> None:
    print(f"\nscale {result['scale']:g}: {result['tenders']:,} tenders, {result['bids']:,} bids; "
          f"load (python -m loaders csv) {result['load']:.1f} s")
    print(f"  {'step':<18}{'seconds':>9}{'CPU s':>8}{'server s':>10}{'peak MB':>9}{'findings':>10}")
    for step, t in result["steps"].items():
        peak = result["peaks"].get(step)
        count = result["counts"].get(step, "")
        print(f"  {step:<18}{t['wall']:>9.2f}{t['cpu']:>8.2f}{t['server']:>10.2f}"
              f"{(f'{peak:.0f}' if peak is not None else '-'):>9}{count!s:>10}")
    print(f"  {'total':<18}{result['total']:>9.2f}  (read, the detectors one after another, store)")
    lanes = " | ".join(", ".join(lane) for lane in result["lanes"])
    print(f"  {'total, as run':<18}{result['in_lanes']:>9.2f}  (read, the detectors in {len(result['lanes'])} "
          f"processes: {lanes}; store); all processes together peaked at {result['lanes_pss']:.0f} MB PSS")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
