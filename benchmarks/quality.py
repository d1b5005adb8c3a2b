"""Detection quality through the whole pipeline: generate or read data, load into Neo4j, detect, score.

**Demo markets** (``python -m loaders demo`` for each seed, scored against ground_truth.json):

* rings recall@k — a planted ring is found when some reported ring among the top k = planted+4
  (by score) has member Jaccard ≥ 0.5 with it;
* rings precision@n — of the top n = planted reported rings, the share matching a planted ring;
  decoys@n — how many of those match a decoy ring (a niche market that competes);
* pairs recall@m — the share of planted official–firm pairs among the top m = planted+7
  closeness pairs; decoys@m — decoy pairs there.

**Real data** (skipped with a message when ``../shared/data/real`` is absent), loaded with
``python -m loaders bids``:

* Ohio school milk: the rank (by score) and Jaccard of the reported ring closest to the three
  convicted cartel firms (``is_cartel_firm == 1``);
* Ohio and Tsuchiura: firm-level ROC-AUC of each firm's best ring score against the firm
  labels (Ohio ``is_cartel_firm``, Tsuchiura ``is_cartel``), and how many members of the top 5
  and top 10 rings carry the label, next to the base rate;
* Ohio and Tsuchiura: tender-level ROC-AUC of the tender-risk score against the tender labels
  (Ohio: a cartel firm bid; Tsuchiura: ``auction_cartelized``), next to the AUC of the plain
  coefficient of variation of the bids (low CV = suspicious).

The target database **is emptied** (see benchmarks/detect.py for how to use a scratch instance).
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

REPO = Path(__file__).resolve().parent.parent
REAL = REPO.parent / "shared" / "data" / "real"
sys.path.insert(0, str(REPO))

from detectors import runner  # noqa: E402
from detectors.finding import Finding  # noqa: E402
from graph.db import Database, connect  # noqa: E402
from graph.readers import read_market  # noqa: E402

JACCARD = 0.5


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Rank-based ROC-AUC (Mann–Whitney U / n₊n₋), ties counted half; NaN without both classes."""
    labels = np.asarray(labels, dtype=bool)
    positives, negatives = labels.sum(), (~labels).sum()
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def wipe(db: Database) -> None:
    """Empty the database in batches that fit the transaction memory limit: relationships first, so
    no batch of nodes drags a hub's tens of thousands of relationships along."""
    while db.write("findings_bench_wipe_rels_batch", limit=20000).relationships_deleted:
        pass
    while db.write("findings_bench_wipe_batch", limit=5000).nodes_deleted:
        pass


def loaders(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "loaders", *args], cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def detect(db: Database, codes: list[str], seed: int) -> list[Finding]:
    """A real detector run (read from Neo4j, detect, store); its findings, best first per detector."""
    return runner.run(codes, seed=seed, db=db).findings


# -- demo markets ---------------------------------------------------------------------------

def ring_scores(findings: list[Finding], truth: dict[str, Any]) -> dict[str, Any]:
    rings = [set(f.firms) for f in findings if f.kind == "ring"]
    planted = [set(r["firms"]) for r in truth["rings"]]
    decoys = [set(r["firms"]) for r in truth["decoys"]["rings"]]
    k, n = len(planted) + 4, len(planted)
    found = [any(jaccard(p, r) >= JACCARD for r in rings[:k]) for p in planted]
    top = rings[:n]
    return {
        "planted": n, "reported": len(rings), "k": k,
        "recall_at_k": sum(found) / n if n else float("nan"),
        "precision_at_n": sum(any(jaccard(r, p) >= JACCARD for p in planted) for r in top) / n if n else float("nan"),
        "decoys_at_n": sum(any(jaccard(r, d) >= JACCARD for d in decoys) for r in top),
        "missed": [truth["rings"][i]["id"] for i, hit in enumerate(found) if not hit],
    }


def pair_scores(findings: list[Finding], truth: dict[str, Any]) -> dict[str, Any]:
    pairs = [(f.official_id, f.firm_id) for f in findings if f.kind == "pair"]
    planted = {(p["official_id"], p["firm_id"]) for p in truth["pairs"]}
    decoys = {(p["official_id"], p["firm_id"]) for p in truth["decoys"]["pairs"]}
    m = len(planted) + 7
    top = set(pairs[:m])
    return {"planted": len(planted), "reported": len(pairs), "m": m,
            "recall_at_m": len(top & planted) / len(planted) if planted else float("nan"),
            "decoys_at_m": len(top & decoys)}


def demo_quality(db: Database, seeds: list[int], scale: float) -> list[dict[str, Any]]:
    rows = []
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix=f"ironcage-quality-{seed}-") as tmp:
            bundle = Path(tmp)
            loaders("demo", str(bundle), "--seed", str(seed), "--scale", str(scale))
            truth = json.loads((bundle / "ground_truth.json").read_text(encoding="utf-8"))
            wipe(db)
            started = time.perf_counter()
            loaders("csv", str(bundle), "--rejects", str(bundle / "rejects.csv"))
            loaded = time.perf_counter() - started
        started = time.perf_counter()
        findings = detect(db, ["rings", "closeness"], seed)
        rings, pairs = ring_scores(findings, truth), pair_scores(findings, truth)
        rows.append({"seed": seed, "rings": rings, "pairs": pairs, "load_s": loaded,
                     "detect_s": time.perf_counter() - started})
        print(f"seed {seed}: rings recall@{rings['k']} {rings['recall_at_k']:.2f} "
              f"(missed {', '.join(rings['missed']) or 'none'}), precision@{rings['planted']} "
              f"{rings['precision_at_n']:.2f}, decoys@{rings['planted']} {rings['decoys_at_n']} "
              f"[{rings['reported']} rings reported]; pairs recall@{pairs['m']} {pairs['recall_at_m']:.2f}, "
              f"decoys@{pairs['m']} {pairs['decoys_at_m']} [{pairs['reported']} pairs reported]", flush=True)
    return rows


# -- real data ------------------------------------------------------------------------------

def tender_auc(db: Database, findings: list[Finding], labels: pd.Series) -> str:
    """AUC of tender risk and of the plain CV against ``labels`` (tender_id → bool)."""
    from detectors.tender_risk import tender_risk_scores

    data = read_market(db)
    rings = [f for f in findings if f.kind == "ring"]
    scores = tender_risk_scores(data, rings=rings)
    scored = scores[scores["tender_id"].isin(labels.index)]
    y = scored["tender_id"].map(labels).astype(bool).to_numpy()
    risk = roc_auc(y, scored["score"].to_numpy())
    has_cv = scored["cv"].notna().to_numpy()
    cv = roc_auc(y[has_cv], -scored["cv"].to_numpy()[has_cv])
    return (f"tender ROC-AUC: tender risk {risk:.3f} vs plain CV {cv:.3f} "
            f"({len(scored)} tenders with ≥ 2 bids, {int(y.sum())} labelled)")


def firm_ring_quality(findings: list[Finding], labels: pd.Series) -> str:
    """Rings against firm labels (firm_id → bool): ROC-AUC of each firm's best ring score, and
    how many members of the top 5 and top 10 rings are labelled, next to the base rate."""
    rings = [f for f in findings if f.kind == "ring"]
    best = pd.Series(0.0, index=labels.index)
    for ring in rings:
        members = [f for f in ring.firms if f in best.index]
        best[members] = np.maximum(best[members], ring.score)
    parts = [f"firm ROC-AUC of the best ring score {roc_auc(labels.to_numpy(bool), best.to_numpy()):.3f}"]
    for k in (5, 10):
        top = {f for ring in rings[:k] for f in ring.firms}
        parts.append(f"top {k} rings: {sum(bool(labels.get(f, False)) for f in top)} of {len(top)} "
                     "members labelled")
    parts.append(f"base rate {int(labels.sum())} of {len(labels)} firms")
    return ", ".join(parts)


def ohio(db: Database, seed: int) -> None:
    path = REAL / "ohio_school_milk" / "ohio_milk_data.csv"
    table = pd.read_csv(path)
    wipe(db)
    with tempfile.TemporaryDirectory() as tmp:
        loaders("bids", str(path), "--tender", "contract_id", "--firm", "firm", "--amount", "bid",
                "--winner", "winning_bid", "--date", "year", "--source", "ohio",
                "--rejects", str(Path(tmp) / "rejects.csv"))
    findings = detect(db, ["rings", "tender_risk"], seed)
    cartel = {f"ohio:{firm}" for firm in table.loc[table["is_cartel_firm"] == 1, "firm"].unique()}
    rings = [f for f in findings if f.kind == "ring"]
    best = max(range(len(rings)), key=lambda i: (jaccard(set(rings[i].firms), cartel), -i), default=None)
    if best is None:
        print(f"Ohio milk: no ring reported (cartel {sorted(cartel)})")
    else:
        ring = rings[best]
        print(f"Ohio milk: best ring vs the cartel {sorted(cartel)}: rank {best + 1} of {len(rings)}, "
              f"Jaccard {jaccard(set(ring.firms), cartel):.2f}, score {ring.score:.1f}, members {sorted(ring.firms)}")
    firms = table.groupby("firm")["is_cartel_firm"].max() == 1
    firms.index = "ohio:" + firms.index.astype(str)
    print("Ohio milk rings (label: is_cartel_firm): " + firm_ring_quality(findings, firms), flush=True)
    labels = (table.groupby("contract_id")["is_cartel_firm"].max() == 1)
    labels.index = "ohio:" + labels.index.astype(str)
    print("Ohio milk (label: a cartel firm bid): " + tender_auc(db, findings, labels), flush=True)


def tsuchiura(db: Database, seed: int) -> None:
    path = REAL / "tsuchiura" / "tsuchiura_data.csv"
    table = pd.read_csv(path, low_memory=False)
    wipe(db)
    with tempfile.TemporaryDirectory() as tmp:
        loaders("bids", str(path), "--tender", "pid", "--firm", "bidder_id", "--amount", "bid",
                "--winner", "winner", "--date", "year", "--budget", "reserveprice", "--source", "tsuchiura",
                "--rejects", str(Path(tmp) / "rejects.csv"))
    findings = detect(db, ["rings", "tender_risk"], seed)
    firms = table.groupby("bidder_id")["is_cartel"].max().fillna(0) == 1
    firms.index = "tsuchiura:" + firms.index.astype(str)
    print("Tsuchiura rings (label: is_cartel, a weak label): " + firm_ring_quality(findings, firms), flush=True)
    labels = table.groupby("pid")["auction_cartelized"].max().fillna(0) == 1
    labels.index = "tsuchiura:" + labels.index.astype(str)
    print("Tsuchiura (label: auction_cartelized): " + tender_auc(db, findings, labels), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--wipe", action="store_true", help="confirm that the target database may be emptied")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    with connect() as db:
        db.verify()
        if int(db.read("findings_bench_node_count")[0]["nodes"]) and not args.wipe:
            print(f"{db.settings.describe()} is not empty; this benchmark empties it. Re-run with --wipe "
                  "against a scratch instance.", file=sys.stderr)
            return 2
        if not args.skip_demo:
            rows = demo_quality(db, args.seeds, args.scale)
            mean = {name: np.mean([r[group][name] for r in rows]) for group, name in
                    (("rings", "recall_at_k"), ("rings", "precision_at_n"), ("rings", "decoys_at_n"),
                     ("pairs", "recall_at_m"), ("pairs", "decoys_at_m"))}
            print("mean over seeds: " + ", ".join(f"{k} {v:.2f}" for k, v in mean.items()), flush=True)
        if args.skip_real:
            return 0
        if not REAL.exists():
            print(f"real data folder {REAL} is absent: Ohio milk and Tsuchiura skipped")
            return 0
        ohio(db, args.seeds[0])
        tsuchiura(db, args.seeds[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
