"""Loader speed and memory: generate the demo market, load it into an empty database.

For each scale: ``python -m loaders demo OUT --scale S`` writes the CSV bundle, the
database is emptied, and the bundle is loaded in this process exactly as
``python -m loaders csv`` does. Printed per file and in total: rows, seconds, rows per
second and the peak resident memory (RSS) of this process while that file loaded
(sampled every 20 ms from /proc; ``resource.getrusage`` for the overall peak), plus the
CPU seconds spent by this process and — for the project's local server — by Neo4j, which
tell the two sides apart on a busy machine.

By default it uses its own local Neo4j instance ``bench`` (started if needed, emptied
before each scale). With ``NEO4J_URI`` set it loads into that server, which must be
empty unless ``--wipe`` says it may be emptied.

    python benchmarks/load.py --scales 1 10 [--seed 7] [--json results.json] [--prune]

With ``--prune`` each scale is then loaded again as a full extract (``--prune``) with every
100th bid dropped from ``bids.csv``: printed are the reload's seconds, each file's prune
seconds and the bids deleted (which must be the ones dropped).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from graph.db import Database  # noqa: E402
from graph.settings import Neo4jSettings, from_environment  # noqa: E402
from loaders.csv_bundle import Progress, load_bundle  # noqa: E402

BENCH_INSTANCE = "bench"


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class MemoryProgress(Progress):
    """Progress that also records the peak RSS and the server's CPU while each file loads."""

    def __init__(self, server_cpu: Callable[[], float | None]) -> None:
        super().__init__(stream=sys.stderr, every_s=10.0)
        self.server_cpu = server_cpu
        self.peaks: dict[str, int] = {}
        self.server_cpu_at_start: dict[str, float | None] = {}
        self._current: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            if self._current is not None:
                self.peaks[self._current] = max(self.peaks.get(self._current, 0), rss_bytes())
            time.sleep(0.02)

    def start(self, name: str) -> None:
        self._current = name
        self.server_cpu_at_start[name] = self.server_cpu()
        self.peaks[name] = rss_bytes()
        super().start(name)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class FileResult:
    file: str
    rows: int
    seconds: float
    rows_per_s: float
    peak_rss_mb: float
    server_cpu_s: float | None


def server_cpu_seconds(settings: Neo4jSettings) -> float | None:
    if settings.local_instance is None:
        return None
    from graph.server import LocalServer

    return LocalServer(settings.local_instance).cpu_seconds()


def empty_database(db: Database, allow_wipe: bool) -> None:
    with db.driver.session(database=db.settings.database) as session:
        existing = session.run("MATCH (n) WHERE NOT n:JobLock RETURN count(n) AS c").single()["c"]
        if existing and not allow_wipe:
            raise SystemExit(f"{db.settings.describe()} holds {existing} nodes; pass --wipe to empty it")
        # the job lock's node stays: a job holding it would wait for the wipe, and the wipe for the job
        while session.run("MATCH (n) WHERE NOT n:JobLock WITH n LIMIT 2000 DETACH DELETE n "
                          "RETURN count(*) AS c").single()["c"]:
            pass


def connect_bench() -> tuple[Database, bool]:
    """The benchmark's database and whether it is the dedicated instance (safe to wipe)."""
    if os.environ.get("NEO4J_URI"):
        return Database(from_environment()), False
    from graph.server import LocalServer

    server = LocalServer(BENCH_INSTANCE)
    server.start()
    return Database(server.settings()), True


def bench_scale(db: Database, scale: float, seed: int, workdir: Path, allow_wipe: bool) -> dict[str, object]:
    bundle = workdir / f"demo_scale_{scale:g}"
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "loaders", "demo", str(bundle), "--scale", f"{scale:g}",
                    "--seed", str(seed)], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    generated = time.monotonic() - started
    empty_database(db, allow_wipe)
    progress = MemoryProgress(lambda: server_cpu_seconds(db.settings))
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    server_before = server_cpu_seconds(db.settings)
    try:
        report = load_bundle(bundle, db, rejects_path=workdir / f"rejects_scale_{scale:g}.csv", progress=progress)
    finally:
        progress.close()
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    server_after = server_cpu_seconds(db.settings)
    starts = [progress.server_cpu_at_start.get(f.file) for f in report.files] + [server_after]
    files = [FileResult(f.file, f.read, round(f.seconds, 2), round(f.read / max(f.seconds, 1e-9)),
                        round(progress.peaks.get(f.file, 0) / 2**20, 1),
                        None if begin is None or end is None else round(end - begin, 1))
             for f, begin, end in zip(report.files, starts, starts[1:], strict=False)]
    rows = sum(f.read for f in report.files)
    return {
        "scale": scale, "seed": seed, "generate_seconds": round(generated, 1), "files": [asdict(f) for f in files],
        "rows": rows, "seconds": round(report.seconds, 1), "rows_per_s": round(rows / report.seconds),
        "rejected_rows": report.rejected_rows,
        "nodes_created": report.totals.nodes_created,
        "relationships_created": report.totals.relationships_created,
        "peak_rss_mb": round(cpu_after.ru_maxrss / 1024, 1),
        "loader_cpu_seconds": round(cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime
                                    - cpu_before.ru_stime, 1),
        "server_cpu_seconds": None if server_before is None or server_after is None
        else round(server_after - server_before, 1),
        "load_average": round(os.getloadavg()[0], 1),
    }


def bench_prune(db: Database, scale: float, workdir: Path) -> dict[str, object]:
    """Reload the scale's bundle as a full extract with every 100th bid dropped (a copy; the bundle
    stays as generated); the prune's figures. Exits when the bids deleted are not the bids dropped."""
    import csv
    import shutil

    bundle = workdir / f"demo_scale_{scale:g}"
    extract = workdir / "extract" / bundle.name  # the same folder name: the same source
    shutil.rmtree(extract, ignore_errors=True)
    shutil.copytree(bundle, extract, ignore=shutil.ignore_patterns("bids.csv", "rejects*"))
    with open(bundle / "bids.csv", encoding="utf-8", newline="") as source, \
            open(extract / "bids.csv", "w", encoding="utf-8", newline="") as target:
        rows, writer = csv.reader(source), csv.writer(target)
        writer.writerow(next(rows))
        dropped = 0
        for i, row in enumerate(rows):
            if i % 100 == 0:
                dropped += 1
            else:
                writer.writerow(row)
    report = load_bundle(extract, db, rejects_path=workdir / f"rejects_prune_{scale:g}.csv", prune=1.0)
    pruned = report.pruned or []
    deleted = {p.file: p.deleted for p in pruned}
    if deleted.get("bids.csv") != dropped or any(n for name, n in deleted.items() if name != "bids.csv"):
        raise SystemExit(f"prune deleted {deleted}, where {dropped} bids were dropped and nothing else")
    return {"dropped_bids": dropped, "reload_seconds": round(report.seconds, 1),
            "prune_seconds": round(sum(p.seconds for p in pruned) + report.unused_seconds, 1),
            "unused_identifiers": report.unused_identifiers,
            "files": {p.file: {"stored": p.stored, "deleted": p.deleted, "seconds": round(p.seconds, 2)}
                      for p in pruned}}


def print_prune(result: dict[str, object]) -> None:
    files = result["files"]  # type: ignore[index]
    print(f"prune: {result['dropped_bids']:,} bids dropped from bids.csv; reload with --prune took "
          f"{result['reload_seconds']} s, of which pruning {result['prune_seconds']} s; bids deleted "
          f"{files['bids.csv']['deleted']:,}; identifier values no longer used, deleted: "  # type: ignore[index]
          f"{result['unused_identifiers']:,}")
    for name, figures in files.items():  # type: ignore[attr-defined]
        print(f"  {name:<18}{figures['stored']:>10,} stored{figures['deleted']:>8,} deleted{figures['seconds']:>7.2f} s")


def print_result(result: dict[str, object]) -> None:
    print(f"\nscale {result['scale']:g} (seed {result['seed']}): bundle generated in {result['generate_seconds']} s")
    print(f"{'file':<18}{'rows':>10}{'seconds':>9}{'rows/s':>9}{'peak RSS MB':>13}{'server CPU s':>14}")
    for f in result["files"]:  # type: ignore[attr-defined]
        cpu = "" if f["server_cpu_s"] is None else f"{f['server_cpu_s']:.1f}"
        print(f"{f['file']:<18}{f['rows']:>10,}{f['seconds']:>9.1f}{f['rows_per_s']:>9,}{f['peak_rss_mb']:>13.1f}"
              f"{cpu:>14}")
    print(f"{'total':<18}{result['rows']:>10,}{result['seconds']:>9.1f}{result['rows_per_s']:>9,}"
          f"{result['peak_rss_mb']:>13.1f}")
    print(f"graph: {result['nodes_created']:,} nodes, {result['relationships_created']:,} relationships created; "
          f"{result['rejected_rows']} rows rejected")
    print(f"CPU: loader {result['loader_cpu_seconds']} s, Neo4j server {result['server_cpu_seconds']} s; "
          f"1-minute load average at the end {result['load_average']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--wipe", action="store_true", help="allow emptying a non-empty NEO4J_URI database")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--keep", type=Path, help="write the bundles here instead of a temporary folder")
    parser.add_argument("--prune", action="store_true",
                        help="then reload each scale as a full extract with 1 %% of the bids dropped (--prune)")
    args = parser.parse_args(argv)
    db, dedicated = connect_bench()
    results = []
    with db, tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for scale in args.scales:
            result = bench_scale(db, scale, args.seed, workdir, allow_wipe=dedicated or args.wipe)
            print_result(result)
            if args.prune:
                result["prune"] = bench_prune(db, scale, workdir)
                print_prune(result["prune"])  # type: ignore[arg-type]
            results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
