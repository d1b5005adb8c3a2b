"""Calibration on null markets: what the detectors report when there is no collusion to find.

For each seed a demo market is generated and loaded into Neo4j (as in ``quality.py``), read
back with the detectors' own reader, and then **shuffled** in memory so that every planted
structure is destroyed while the market's shape is kept:

* closeness — inspections and approvals keep their official, kind, date and (inspections)
  result, but their firms are permuted within (department, kind); each official keeps its
  workload, each firm its volume and its record of results. Committee seats are permuted
  among the department's officials. Declared relatives are dropped (a tie is a fact, not a
  test, so it would be a true finding in any market);
* rings — the bidding firms are permuted among the bids of each category (amounts, tender
  sizes and each firm's activity per category stay; a firm drawn twice into one tender is
  dropped there);
* same-tender traces — each bid's IP and document hash move with its firm (a firm keeps its
  habits, an organiser's address goes with the members into unrelated tenders), so a value
  meets itself in one tender only by chance.

Everything the detectors report on such a market is a false lead, so the figures printed —
closeness leads (weak, strong, best score), rings (reported, strong tier ≥ 20, best score) and
same-tender traces (significant of tested, and linked-bidder findings resting on one) —
are the noise floor an investigator sees on a market without collusion. Compare them with
the planted markets in ``quality.py``.

The target database **is emptied** (use a scratch instance, see ``quality.py``)::

    IRONCAGE_NEO4J_INSTANCE=bench python benchmarks/null_markets.py --wipe --seeds 1 2 3
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quality import loaders, wipe  # noqa: E402

from detectors import bid_traces, closeness, linked_bidders, rings  # noqa: E402
from detectors.market import MarketData  # noqa: E402
from graph.db import connect  # noqa: E402
from graph.readers import read_market  # noqa: E402


def _permute_within(frame: pd.DataFrame, keys: pd.Series | list[pd.Series], columns: list[str],
                    rng: np.random.Generator) -> pd.DataFrame:
    """``frame`` with ``columns`` permuted together among the rows of each group of ``keys``."""
    out = frame.reset_index(drop=True)
    order = np.arange(len(out))
    for rows in pd.Series(order).groupby(keys, dropna=False).indices.values():
        order[rows] = rng.permutation(rows)
    for column in columns:  # one column at a time keeps its dtype
        out[column] = out[column].to_numpy()[order]
    return out


def null_market(data: MarketData, seed: int) -> MarketData:
    """The shuffled market described in the module docstring (deterministic for ``seed``)."""
    rng = np.random.default_rng(seed)
    department = data.officials.drop_duplicates("official_id").set_index("official_id")["department_id"]

    def by_department_and_kind(events: pd.DataFrame) -> list[pd.Series]:
        events = events.reset_index(drop=True)
        return [events["official_id"].map(department).fillna(""), events["kind"].fillna("")]

    inspections = _permute_within(data.inspections, by_department_and_kind(data.inspections),
                                  ["firm_id", "result", "penalty"], rng)
    approvals = _permute_within(data.approvals, by_department_and_kind(data.approvals), ["firm_id"], rng)
    evaluations = data.evaluations.reset_index(drop=True)
    evaluations = _permute_within(evaluations, evaluations["official_id"].map(department).fillna(""),
                                  ["official_id"], rng).drop_duplicates()
    bids = data.bids.reset_index(drop=True)
    category = bids["tender_id"].map(data.tenders.drop_duplicates("tender_id").set_index("tender_id")["category"])
    bids = _permute_within(bids, category.fillna(""), ["firm_id", "ip", "document_hash"], rng)
    bids = bids.drop_duplicates(["tender_id", "firm_id"])
    winners = bids.loc[bids["is_winner"], ["tender_id", "firm_id"]].drop_duplicates("tender_id")
    tenders = data.tenders.drop(columns="winner_firm_id").merge(
        winners.rename(columns={"firm_id": "winner_firm_id"}), on="tender_id", how="left")
    return dataclasses.replace(data, inspections=inspections, approvals=approvals, evaluations=evaluations,
                               bids=bids, tenders=tenders, relations=data.relations.iloc[:0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--wipe", action="store_true", help="confirm that the target database may be emptied")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    if not args.wipe:
        print("this benchmark empties the target database; re-run with --wipe against a scratch instance",
              file=sys.stderr)
        return 2
    params = closeness.Params()
    strong_ring = rings.Params().strong_score
    with connect() as db:
        db.verify()
        for seed in args.seeds:
            with tempfile.TemporaryDirectory(prefix=f"ironcage-null-{seed}-") as tmp:
                loaders("demo", tmp, "--seed", str(seed), "--scale", str(args.scale))
                wipe(db)
                loaders("csv", tmp, "--rejects", str(Path(tmp) / "rejects.csv"))
            data = null_market(read_market(db), seed)
            pairs = closeness.detect(data, params)
            strong = sum(f.score >= params.threshold for f in pairs)
            found = rings.detect(data, seed=seed)
            traces = bid_traces.same_tender_traces(data.bids, data.tenders)
            linked = linked_bidders.detect(data)
            on_trace = sum(any("same_tender" in i for i in f.evidence["identifiers"]) for f in linked)
            print(f"seed {seed} null market: closeness {len(pairs)} leads ({strong} strong, "
                  f"{len(pairs) - strong} weak, best {max((f.score for f in pairs), default=0.0):.1f}); "
                  f"rings {len(found)} reported, {sum(f.score >= strong_ring for f in found)} scoring "
                  f"≥ {strong_ring:.0f}, best {max((f.score for f in found), default=0.0):.1f}; same-tender traces "
                  f"{len(bid_traces.significant(traces))} significant of {len(traces)} tested, "
                  f"{on_trace} of {len(linked)} linked-bidder findings rest on one", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
