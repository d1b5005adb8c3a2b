"""Benchmark: stream-load a generated OCDS JSON Lines file of compiled releases with bids.

Writes N (default 100,000) synthetic compiled releases — parties with identifiers and
phones, a tender period and value, 3–6 bids (5 % of them consortia), lots in 10 % of
tenders, an active award linked to the winning bid (relatedBids), a contract — to a
temporary file (streamed, deleted afterwards, never committed), loads it with
:func:`loaders.ocds.load_ocds` and prints releases per second and the process's peak RSS.
With ``--flags`` it also reads the OCDS frame back and times the red flags.

Run against a scratch database (the ids are prefixed ``bench-`` and ``--cleanup`` deletes
what the run wrote)::

    IRONCAGE_NEO4J_INSTANCE=ocds python -m graph server start
    eval "$(IRONCAGE_NEO4J_INSTANCE=ocds python -m graph server env)"
    python benchmarks/ocds_load.py --releases 100000 --flags --cleanup
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.db import connect  # noqa: E402
from loaders.ocds import load_ocds  # noqa: E402

SOURCE = "ocds-benchmark"
CPV_DIVISIONS = ["03", "09", "15", "30", "33", "34", "39", "44", "45", "48", "50", "60", "71", "72", "79", "90"]


def party(firm: int) -> dict:
    return {"id": f"F{firm}", "name": f"Bench Firm {firm}", "roles": ["tenderer"],
            "identifier": {"scheme": "XI-BENCH", "id": f"F{firm}"},
            "contactPoint": {"telephone": f"+44 20 {7000000 + firm % 40000:07d}",
                             "email": f"tenders@firm{firm}.example"},
            "address": {"streetAddress": f"{firm % 900} High Street", "locality": "Springfield"}}


def release(i: int, rng: random.Random, firms: int, buyers: int) -> dict:
    ocid = f"bench-{i:07d}"
    start = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(5 * 365 * 24))
    end = start + timedelta(days=rng.choice([5, 10, 15, 20, 30]))
    budget = round(rng.uniform(1e4, 1e6), 2)
    bidders = rng.sample(range(firms), rng.randint(3, 6))
    lots = [{"id": "L1", "title": "Lot 1"}, {"id": "L2", "title": "Lot 2"}] if rng.random() < 0.1 else []
    details = []
    for j, firm in enumerate(bidders):
        tenderers = [{"id": f"F{firm}"}]
        if rng.random() < 0.05:
            tenderers.append({"id": f"F{(firm + 1) % firms}"})
        bid = {"id": f"b{j}", "status": "disqualified" if rng.random() < 0.08 else "valid",
               "date": (end - timedelta(hours=rng.randrange(1, 72))).isoformat().replace("+00:00", "Z"),
               "tenderers": tenderers, "value": {"amount": round(budget * rng.uniform(0.8, 1.1), 2),
                                                 "currency": "EUR"}}
        if lots:
            bid["relatedLots"] = [lots[j % 2]["id"]]
        details.append(bid)
    valid = [b for b in details if b["status"] == "valid"] or details
    winner = min(valid, key=lambda b: b["value"]["amount"])
    division = rng.choice(CPV_DIVISIONS)
    parties = [{"id": f"B{i % buyers}", "name": f"Bench Buyer {i % buyers}", "roles": ["buyer"],
                "identifier": {"scheme": "XI-BENCH", "id": f"B{i % buyers}"}}]
    parties += [party(int(t["id"][1:])) for b in details for t in b["tenderers"]]
    award = {"id": "a1", "status": "active", "suppliers": winner["tenderers"], "relatedBids": [winner["id"]],
             "value": winner["value"], "date": end.isoformat().replace("+00:00", "Z"),
             "items": [{"id": "1", "classification": {"scheme": "CPV", "id": f"{division}000000"}}]}
    if lots:
        award["relatedLots"] = winner.get("relatedLots", [])
    return {
        "ocid": ocid, "id": f"{ocid}-compiled", "date": end.isoformat(), "tag": ["compiled"],
        "parties": parties, "buyer": {"id": f"B{i % buyers}"},
        "tender": {"id": "t", "title": f"Bench tender {i}", "status": "complete",
                   "procurementMethod": rng.choice(["open", "open", "open", "selective", "limited"]),
                   "mainProcurementCategory": rng.choice(["goods", "works", "services"]),
                   "value": {"amount": budget, "currency": "EUR"},
                   "tenderPeriod": {"startDate": start.isoformat(), "endDate": end.isoformat()},
                   "numberOfTenderers": len(details), "lots": lots,
                   "items": [{"id": "1", "classification": {"scheme": "CPV", "id": f"{division}000000"}}]},
        "bids": {"details": details},
        "awards": [award],
        "contracts": [{"id": "c1", "awardID": "a1", "status": "active", "value": winner["value"]}],
    }


def write_jsonl(path: Path, releases: int, seed: int) -> int:
    rng = random.Random(seed)
    firms, buyers = max(releases // 20, 50), max(releases // 500, 5)
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(releases):
            handle.write(json.dumps(release(i, rng, firms, buyers), separators=(",", ":")) + "\n")
    return path.stat().st_size


CLEANUP_LABELS = ("Bid", "Award", "Contract", "Lot", "Tender", "Phone", "Email", "Address", "Firm", "Department")


def cleanup(db: object) -> None:
    """Delete what the benchmark wrote, label by label in small transactions (firms last)."""
    with db.driver.session(database=db.settings.database) as session:  # type: ignore[attr-defined]
        for label in CLEANUP_LABELS:
            # the label is one of the constants above, never input: no injection
            statement = (f"MATCH (n:{label} {{source: $source}}) WITH n LIMIT 2000 "  # noqa: S608
                         "DETACH DELETE n RETURN count(*) AS c")
            while session.run(statement, source=SOURCE).single()["c"]:
                pass


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=2000, help="releases per write batch")
    parser.add_argument("--flags", action="store_true", help="also time read_ocds + red flags")
    parser.add_argument("--cleanup", action="store_true", help="delete what the run wrote afterwards")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.jsonl"
        started = time.perf_counter()
        size = write_jsonl(path, args.releases, args.seed)
        print(f"generated {args.releases:,} releases ({size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f} s; "
              f"peak RSS so far {peak_rss_mb():.0f} MB")
        with connect() as db:
            db.verify()
            report = load_ocds(db, [path], source=SOURCE, chunk_releases=args.chunk)
            print(report.summary())
            print(f"releases per second: {report.releases_loaded / report.seconds:,.0f}; "
                  f"peak RSS: {peak_rss_mb():.0f} MB")
            if args.flags:
                import detectors.red_flags as red_flags
                from detectors.market import MarketData
                from graph.readers import read_ocds

                started = time.perf_counter()
                frames = read_ocds(db)
                read_s = time.perf_counter() - started
                started = time.perf_counter()
                findings = red_flags.detect(MarketData.build(), ocds=frames)
                print(f"red flags: read {len(frames.processes):,} processes / {len(frames.bids):,} bids in "
                      f"{read_s:.1f} s, {len(findings):,} findings in {time.perf_counter() - started:.1f} s; "
                      f"peak RSS: {peak_rss_mb():.0f} MB")
            if args.cleanup:
                cleanup(db)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
