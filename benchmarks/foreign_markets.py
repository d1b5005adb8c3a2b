"""Rings on markets of another design than the demo generator: does the detector generalise?

``quality.py`` scores the detectors on markets from ``loaders/demo.py``, whose author also
wrote the detectors. This benchmark draws procurement markets from an independent design
taken from the cartel literature (OECD 2009 guidelines on bid rigging; Porter & Zona 1993;
Conley & Decarolis 2016; Imhof 2019) and plants one cartel of each classic form:

* ``rotation`` — 5 firms of one category and region take turns winning 80 % of its
  tenders; the others cover 2–8 % above the winner;
* ``allocation`` — 4 firms split four regions of a category: each wins in its own region,
  and the others cover there only half of the time (market allocation, OECD 2009);
* ``phantom`` — 3 firms rotate, and 2 shell firms that bid nowhere else lose high in their
  tenders; each shell shares a phone with a member (complementary bidding);
* ``window`` — 5 firms collude for 15 months of the 4 years and compete otherwise;
* ``big`` — 9 firms city-wide in the busiest category, 4–7 of them in 35 % of its tenders;
* ``dominant`` — 4 firms where one wins 60 % and the others are paid to lose;
* ``partial`` — 6 firms that collude in half of the tenders they meet in;
* ``suppression`` — 4 firms of one category and region take turns: in each tender one
  member bids (and wins, above the competitive price) and the others stay away, so the
  members never meet (OECD 2009, "bid suppression"; no identifiers shared either). The
  members never meet, so the co-bidding graph cannot link them; the complementary-presence
  search (:mod:`detectors.complementary`) looks for exactly this.

Three honest decoys:

* ``niche`` — 5 specialist firms of one region that meet in nearly every tender of their
  category but price independently (a co-bidding look-alike);
* ``submarkets`` — a category of one region made of three hidden product lines, each tender
  one line's, each line with its own three specialists led by a low-cost firm: the three
  leaders never meet and each wins most of its line (a bid-suppression look-alike);
* ``succession`` — in the busiest category, in one region, a strong local firm bids in
  every tender the ``big`` cartel left for a year, then the next takes over (four firms
  that never meet, one after the other).

Honest bids are ``budget · exp(cost_f + 0.05 + ε)``, ``ε ~ N(0, σ_t)``, ``σ_t ~ U(0.03,
0.12)``, the lowest wins; bidders are drawn by activity (lognormal), mostly from the
tender's region. A rigged tender's low bid is ``budget · exp(cost + 0.08)`` and outsiders
bid above it.

Printed per seed and cartel form: found (a ring among the top k = planted + 4 with member
Jaccard ≥ 0.5, as in ``quality.py``), the best Jaccard, its rank and score; precision in
the top n = planted, and whether the decoy is among them; the tender-level ROC-AUC of
tender risk against the rigged tenders, next to the plain CV's; and how many linked-bidder
findings there are and how many lie inside the phantom cartel (the only shared identifiers). The detectors run on the frames
in memory (no Neo4j: this measures the method, ``quality.py`` the pipeline)::

    python benchmarks/foreign_markets.py --seeds 1 2 3 4 5 6 [--honest 40]

``--honest N`` adds N markets of the same design without any cartel or decoy (1 + Poisson(2)
honest bidders a tender) and prints how many rings are reported there, how many strong,
and how many complementary: all false leads.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quality import jaccard, roc_auc  # noqa: E402

from detectors import linked_bidders, rings  # noqa: E402
from detectors.market import MarketData  # noqa: E402
from detectors.tender_risk import tender_risk_scores  # noqa: E402

START = np.datetime64("2020-01-01")
DAYS = 4 * 365
JACCARD = 0.5


@dataclass
class Market:
    """A generated market and what was planted in it (firm ids per cartel and decoy)."""

    data: MarketData
    rings: dict[str, list[str]] = field(default_factory=dict)
    decoys: dict[str, list[str]] = field(default_factory=dict)
    rigged: set[str] = field(default_factory=set)  # tender ids where a cartel rigged the bids


class _Draw:
    """The random state of one market while it is drawn."""

    def __init__(self, seed: int, n_firms: int, n_tenders: int, regions: int, categories: int) -> None:
        rng = self.rng = np.random.default_rng(seed)
        self.seed, self.regions = seed, regions
        self.firm_ids = np.array([f"X{seed}-{i:04d}" for i in range(n_firms)], dtype=object)
        self.home = rng.integers(0, regions, n_firms)
        self.cat_w = rng.dirichlet(np.ones(categories) * 0.8)
        self.primary = rng.choice(categories, n_firms, p=self.cat_w)
        self.second = np.where(rng.random(n_firms) < 0.35, rng.integers(0, categories, n_firms), -1)
        self.cost = rng.normal(0, 0.05, n_firms)
        self.activity = rng.lognormal(0, 0.9, n_firms)
        self.t_cat = rng.choice(categories, n_tenders, p=self.cat_w)
        self.t_region = rng.integers(0, regions, n_tenders)
        self.t_day = rng.integers(0, DAYS, n_tenders)
        self.budget = np.exp(rng.normal(13, 1.2, n_tenders))
        self.sigma = rng.uniform(0.03, 0.12, n_tenders)
        self.reserved = np.zeros(n_firms, bool)
        self.taken = np.zeros(n_tenders, bool)
        self.rigged = np.zeros(n_tenders, bool)
        self.bids: list[tuple[int, int, float]] = []
        self.identifiers: list[tuple[str, str, str, str]] = []

    def honest(self, t: int, firms: np.ndarray) -> None:
        for f in firms:
            noise = self.rng.normal(0, self.sigma[t])
            self.bids.append((t, int(f), float(self.budget[t] * np.exp(self.cost[f] + 0.05 + noise))))

    def outsiders(self, t: int, exclude: np.ndarray, k: int) -> np.ndarray:
        c = self.t_cat[t]
        cand = np.setdiff1d(np.flatnonzero(((self.primary == c) | (self.second == c)) & ~self.reserved), exclude)
        if not len(cand) or k <= 0:
            return np.array([], dtype=np.int64)
        w = self.activity[cand] * np.where(self.home[cand] == self.t_region[t], 1.0, 0.15)
        return self.rng.choice(cand, min(k, len(cand)), replace=False, p=w / w.sum())

    def members(self, category: int, region: int | None, k: int) -> np.ndarray:
        ok = (self.primary == category) & ~self.reserved
        cand = np.flatnonzero(ok & (self.home == region)) if region is not None else np.flatnonzero(ok)
        if len(cand) < k:
            cand = np.flatnonzero(ok)
        chosen = self.rng.choice(cand, k, replace=False)
        self.reserved[chosen] = True
        return chosen

    def tenders_of(self, category: int, region: int | None, lo: int = 0, hi: int = DAYS) -> np.ndarray:
        ok = (self.t_cat == category) & ~self.taken & (self.t_day >= lo) & (self.t_day < hi)
        if region is not None:
            ok &= self.t_region == region
        return np.flatnonzero(ok)

    def rig(self, t: int, members: np.ndarray, winner: int, cover: tuple[float, float], extra: int) -> None:
        """The winner bids a rigged low price, the other members cover above, outsiders bid higher."""
        rng = self.rng
        low = self.budget[t] * np.exp(self.cost[winner] + 0.08 + rng.normal(0, 0.02))
        self.bids.append((t, int(winner), float(low)))
        self.bids.extend((t, int(f), float(low * (1 + rng.uniform(*cover)))) for f in members if f != winner)
        for f in self.outsiders(t, members, extra):
            honest = self.budget[t] * np.exp(self.cost[f] + 0.05 + rng.normal(0, self.sigma[t]))
            self.bids.append((t, int(f), float(max(low * (1 + rng.uniform(0.01, 0.15)), honest))))
        self.taken[t] = True
        self.rigged[t] = True


def generate(seed: int, n_firms: int = 900, n_tenders: int = 3000, regions: int = 6,
             categories: int = 14) -> Market:
    """One market with the eight cartels and the three honest decoys of the module docstring."""
    d = _Draw(seed, n_firms, n_tenders, regions, categories)
    rng = d.rng
    market = Market(MarketData.build())
    order = np.argsort(-np.bincount(d.t_cat, minlength=categories))
    busy, mid = int(order[0]), [int(c) for c in order[1:9]]

    def region() -> int:
        return int(rng.integers(regions))

    def extra(hi: int = 3) -> int:
        return int(rng.integers(0, hi))

    r = region()
    m = d.members(mid[0], r, 5)
    for i, t in enumerate(rng.permutation(d.tenders_of(mid[0], r))[: int(0.8 * len(d.tenders_of(mid[0], r)))]):
        d.rig(t, m, m[i % 5], (0.02, 0.08), extra())
    market.rings["rotation"] = list(d.firm_ids[m])

    m = d.members(mid[1], None, 4)
    for k, r in enumerate(rng.choice(regions, 4, replace=False)):
        for t in d.tenders_of(mid[1], int(r)):
            covers = m[(m != m[k]) & (rng.random(4) < 0.5)]
            d.rig(t, np.concatenate([[m[k]], covers]), m[k], (0.03, 0.10), int(rng.integers(1, 4)))
    market.rings["allocation"] = list(d.firm_ids[m])

    r = region()
    m, shells = d.members(mid[2], r, 3), d.members(mid[2], r, 2)
    ts = d.tenders_of(mid[2], r)
    for i, t in enumerate(rng.permutation(ts)[: int(0.7 * len(ts))]):
        d.rig(t, np.concatenate([m, shells]), m[i % 3], (0.05, 0.20), extra(2))
    for k, s in enumerate(shells):
        phone = f"phone-{seed}-{k}"
        d.identifiers += [(str(d.firm_ids[s]), "phone", phone, "firm"), (str(d.firm_ids[m[k]]), "phone", phone, "firm")]
    market.rings["phantom"] = list(d.firm_ids[np.concatenate([m, shells])])

    r, lo = region(), int(rng.integers(0, DAYS - 460))
    m = d.members(mid[3], r, 5)
    for i, t in enumerate(d.tenders_of(mid[3], r, lo, lo + 455)):
        d.rig(t, m, m[i % 5], (0.02, 0.06), extra())
    for t in d.tenders_of(mid[3], r):  # the rest of the time some members bid, honestly
        if rng.random() < 0.5:
            d.honest(t, rng.choice(m, int(rng.integers(1, 3)), replace=False))
    market.rings["window"] = list(d.firm_ids[m])

    m = d.members(busy, None, 9)
    ts = d.tenders_of(busy, None)
    for t in rng.permutation(ts)[: int(0.35 * len(ts))]:
        sub = rng.choice(m, int(rng.integers(4, 8)), replace=False)
        d.rig(t, sub, sub[0], (0.01, 0.10), extra())
    market.rings["big"] = list(d.firm_ids[m])

    r = region()
    m = d.members(mid[4], r, 4)
    ts = d.tenders_of(mid[4], r)
    for t in rng.permutation(ts)[: int(0.75 * len(ts))]:
        d.rig(t, m, m[0] if rng.random() < 0.6 else m[int(rng.integers(1, 4))], (0.03, 0.12), extra())
    market.rings["dominant"] = list(d.firm_ids[m])

    r = region()
    m = d.members(mid[5], r, 6)
    for t in d.tenders_of(mid[5], r):
        sub = rng.choice(m, int(rng.integers(3, 6)), replace=False)
        if rng.random() < 0.5:
            d.rig(t, sub, sub[0], (0.02, 0.09), extra())
        else:
            d.honest(t, np.concatenate([sub, d.outsiders(t, m, extra())]))
            d.taken[t] = True
    market.rings["partial"] = list(d.firm_ids[m])

    r = region()
    m = d.members(mid[6], r, 5)
    for t in d.tenders_of(mid[6], r):
        d.honest(t, np.concatenate([m[rng.random(5) < 0.85], d.outsiders(t, m, extra(2))]))
        d.taken[t] = True
    market.decoys["niche"] = list(d.firm_ids[m])

    r = region()
    m = d.members(mid[7], r, 4)
    for i, t in enumerate(d.tenders_of(mid[7], r)):  # one member bids, the others stay away
        d.rig(t, m[i % 4: i % 4 + 1], m[i % 4], (0.0, 0.0), int(rng.integers(1, 3)))
    market.rings["suppression"] = list(d.firm_ids[m])

    r = region()
    lines = [d.members(int(order[9]), r, 3) for _ in range(3)]
    for line in lines:
        d.cost[line[0]] -= 0.08  # each product line has its low-cost leader
    everyone = np.concatenate(lines)
    for i, t in enumerate(d.tenders_of(int(order[9]), r)):  # each tender is one line's
        line = lines[i % 3]
        present = line[rng.random(3) < 0.8]
        d.honest(t, np.concatenate([present if len(present) else line[:1], d.outsiders(t, everyone, extra(2))]))
        d.taken[t] = True
    market.decoys["submarkets"] = [str(d.firm_ids[line[0]]) for line in lines]

    r = region()
    m = d.members(busy, r, 4)
    d.cost[m] -= 0.1
    for t in d.tenders_of(busy, r):  # one strong local firm after the other, a year each
        k = min(int(d.t_day[t]) * 4 // DAYS, 3)
        d.honest(t, np.concatenate([m[k:k + 1], d.outsiders(t, m, 1 + extra(2))]))
        d.taken[t] = True
    market.decoys["succession"] = list(d.firm_ids[m])

    for t in np.flatnonzero(~d.taken):
        d.honest(t, d.outsiders(t, np.array([], dtype=np.int64), 2 + int(rng.poisson(3))))
    market.data = _frames(d, seed)
    market.rigged = {f"T{seed}-{t:05d}" for t in np.flatnonzero(d.rigged)}
    return market


def _frames(d: _Draw, seed: int) -> MarketData:
    bids = pd.DataFrame(d.bids, columns=["t", "f", "amount"]).drop_duplicates(["t", "f"])
    bids["tender_id"] = [f"T{seed}-{t:05d}" for t in bids["t"]]
    bids["firm_id"] = d.firm_ids[bids["f"].to_numpy()]
    bids["bid_id"] = [f"B{i}" for i in range(len(bids))]
    bids["is_winner"] = bids["amount"] == bids.groupby("t")["amount"].transform("min")
    tenders = pd.DataFrame({
        "tender_id": [f"T{seed}-{t:05d}" for t in range(len(d.t_cat))], "department_id": "D1",
        "category": [f"cat{c}" for c in d.t_cat], "region": [f"reg{r}" for r in d.t_region],
        "budget": d.budget, "published_at": pd.to_datetime(START + d.t_day.astype("timedelta64[D]"))})
    winners = bids.loc[bids["is_winner"]].drop_duplicates("tender_id").set_index("tender_id")["firm_id"]
    tenders["winner_firm_id"] = tenders["tender_id"].map(winners)
    tenders = tenders.loc[tenders["tender_id"].isin(bids["tender_id"])]
    return MarketData.build(
        tenders=tenders, bids=bids[["bid_id", "tender_id", "firm_id", "amount", "is_winner"]].assign(disqualified=False),
        firms=pd.DataFrame({"firm_id": d.firm_ids, "name": d.firm_ids}),
        firm_identifiers=pd.DataFrame(d.identifiers, columns=["firm_id", "kind", "value", "via"]))


def score(market: Market, seed: int) -> tuple[dict[str, bool], str]:
    """Run the ring detector; per cartel form whether it was found, and a printable line."""
    start = time.perf_counter()
    findings = [f for f in rings.detect(market.data, seed=0) if f.kind == "ring"]
    seconds = time.perf_counter() - start
    found_rings = [set(f.firms) for f in findings]
    n = len(market.rings)
    k = n + 4
    hits: dict[str, bool] = {}
    parts = []
    def closest(members: list[str]) -> str:
        sims = [jaccard(set(members), r) for r in found_rings]
        best = int(np.argmax(sims)) if sims else -1
        if best < 0 or sims[best] == 0:
            return "no ring shares a member"
        return f"J {sims[best]:.2f}, rank {best + 1}, score {findings[best].score:.0f}"

    for name, members in market.rings.items():
        hits[name] = any(jaccard(set(members), r) >= JACCARD for r in found_rings[:k])
        parts.append(f"{name} {'found' if hits[name] else 'MISSED'} ({closest(members)})")
    top = found_rings[:n]
    precision = sum(any(jaccard(r, set(p)) >= JACCARD for p in market.rings.values()) for r in top) / n
    decoys = sum(any(jaccard(r, set(p)) >= JACCARD for p in market.decoys.values()) for r in top)
    parts += [f"decoy {name} ({closest(members)})" for name, members in market.decoys.items()]
    risk = tender_risk_scores(market.data, rings=findings)
    y = risk["tender_id"].isin(market.rigged).to_numpy()
    has_cv = risk["cv"].notna().to_numpy()
    auc = (f"tender ROC-AUC {roc_auc(y, risk['score'].to_numpy()):.3f} "
           f"(plain CV {roc_auc(y[has_cv], -risk['cv'].to_numpy()[has_cv]):.3f})")
    complementary = [f for f in findings if str(f.evidence.get("found_by", "")).startswith("complementary")]
    on_decoys = sum(any(set(f.firms) & set(m) for m in market.decoys.values()) for f in complementary)
    links = f"complementary rings {len(complementary)}, {on_decoys} touching a decoy"
    linked = linked_bidders.detect(market.data)
    phantom = set(market.rings.get("phantom", []))
    links += f", linked bidders {len(linked)} reported, {sum(set(f.firms) <= phantom for f in linked)} inside the phantom cartel"
    line = (f"seed {seed}: {len(found_rings)} rings in {seconds:.1f} s, precision@{n} {precision:.2f}, "
            f"decoys@{n} {decoys}, {auc}, {links} | " + "; ".join(parts))
    return hits, line


def honest(seed: int, n_firms: int = 900, n_tenders: int = 3000, regions: int = 6, categories: int = 14) -> MarketData:
    """A market of the same design with no cartel and no decoy: 1 + Poisson(2) honest bidders a tender."""
    d = _Draw(seed, n_firms, n_tenders, regions, categories)
    for t in range(n_tenders):
        d.honest(t, d.outsiders(t, np.array([], dtype=np.int64), 1 + int(d.rng.poisson(2))))
    return _frames(d, seed)


def null_line(seeds: list[int]) -> str:
    """What the ring detector reports on honest markets (:func:`honest`): everything is a false lead."""
    reported = strong = complementary = 0
    for seed in seeds:
        findings = rings.detect(honest(seed), seed=0)
        reported += len(findings)
        strong += sum(f.evidence.get("tier") == "strong" for f in findings)
        complementary += sum(str(f.evidence.get("found_by", "")).startswith("complementary") for f in findings)
    return (f"honest markets (seeds {seeds[0]}–{seeds[-1]}): {reported} rings reported, {strong} of them strong, "
            f"{complementary} complementary")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    parser.add_argument("--honest", type=int, default=0, metavar="N",
                        help="also run N markets without any cartel (seeds 100 …) and print what is reported")
    args = parser.parse_args(argv)
    totals: dict[str, list[bool]] = {}
    for seed in args.seeds:
        hits, line = score(generate(seed), seed)
        print(line, flush=True)
        for name, hit in hits.items():
            totals.setdefault(name, []).append(hit)
    print("found per cartel form: " + ", ".join(f"{name} {sum(v)}/{len(v)}" for name, v in totals.items()))
    if args.honest:
        print(null_line(list(range(100, 100 + args.honest))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
