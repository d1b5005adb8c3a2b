"""Seconds and peak memory of reading the market and of each detector, at demo scales 1 and 10.

For each scale: ``python -m loaders demo`` writes the synthetic market, the target database
is emptied, ``python -m loaders csv`` loads it, then :func:`graph.readers.read_market` and
every registered detector run twice — once timed, once under ``tracemalloc`` for the peak
of memory allocated during that step (Python objects and numpy/pandas buffers; the second
pass is slower, so its time is not reported).

The target is the usual Neo4j (``NEO4J_URI``, else the local instance named by
``IRONCAGE_NEO4J_INSTANCE``). **It is emptied**: use a scratch instance, e.g.::

    IRONCAGE_NEO4J_INSTANCE=bench python -m graph server start
    IRONCAGE_NEO4J_INSTANCE=bench python benchmarks/detect.py --scales 1 10 --wipe
"""

from __future__ import annotations

import argparse
import gc
import logging
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from detectors import registry, runner  # noqa: E402
from graph.db import Database, connect  # noqa: E402
from graph.readers import read_market  # noqa: E402


def wipe(db: Database) -> None:
    """Empty the database (batched so a big graph fits the transaction memory limit)."""
    while db.write("findings_bench_wipe_batch", limit=5000).nodes_deleted:
        pass


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


def measure(db: Database, seed: int, memory: bool) -> dict[str, Any]:
    """Seconds and (optionally) peak MB of read_market and of each detector."""
    detectors = runner.load_detectors(registry.select())
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    data = read_market(db)
    seconds["read"] = time.perf_counter() - started
    outcomes = runner.run_detectors(data, detectors, seed=seed, db=db)
    seconds.update({o.code: o.seconds for o in outcomes})
    counts = {o.code: len(o.findings) for o in outcomes}
    peaks: dict[str, float] = {}
    if memory:
        del data
        with peak_memory(peaks, "read"):
            data = read_market(db)
        runner.run_detectors(data, detectors, seed=seed, db=db,
                             around=lambda code: peak_memory(peaks, code))
    return {"bids": len(data.bids), "tenders": len(data.tenders), "seconds": seconds, "peaks": peaks,
            "counts": counts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
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
            result = measure(db, args.seed, memory=not args.no_memory)
            result.update(scale=scale, load=load_s)
            results.append(result)
            _print(result)
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


def _print(result: dict[str, Any]) -> None:
    print(f"\nscale {result['scale']:g}: {result['tenders']:,} tenders, {result['bids']:,} bids; "
          f"load (python -m loaders csv) {result['load']:.1f} s")
    print(f"  {'step':<18}{'seconds':>9}{'peak MB':>9}{'findings':>10}")
    for step, seconds in result["seconds"].items():
        peak = result["peaks"].get(step)
        count = result["counts"].get(step, "")
        print(f"  {step:<18}{seconds:>9.2f}{(f'{peak:.0f}' if peak is not None else '-'):>9}{count!s:>10}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
