"""Closeness on an administration of another design than the demo generator's.

``quality.py`` scores closeness on ``loaders/demo.py`` markets, where officials work the
firms of their home district. Here the work is organised differently, as many inspectorates
do it: every firm has an **assigned inspector** (its case officer), who makes most of its
visits, while colleagues of the department make spot checks; after two of the four years a
third of the firms is handed to another inspector. Firm sizes are heavy-tailed (Pareto), so
large firms are visited and approved often by everyone. Approvals go to any approver of the
department; committees are three evaluators drawn at random (sometimes an inspector). Two directors
per department make a few spot checks and decide a tenth of the approvals.

Planted corrupt pairs (8 per market, two mechanisms each):

* ``visits`` — 8–15 visits beyond the firm's schedule by an inspector who is not its
  assigned one, all passed (the firm is a poor one: peers fail it);
* ``lenient`` — the official passes a poor firm every time (its assigned inspector, or a
  director), in 5–8 visits, while peers visit it 4–6 times and see it as it is;
* ``fast`` — 5–8 of the firm's approvals decided in 10–25 % of the usual time, all granted;
* ``committee`` — the official sits on 6–10 of the firm's tenders, and the firm wins 75 %;
* ``relative`` — a declared relative of the official holds 10–40 % of the firm;
* ``phone`` — the firm's registered phone is a declared relative's mobile.

Firms differ in pace: each firm's approvals take ``lognormal(0, 0.3)`` times the usual with
any approver (how complete its files are).

Decoys (must not lead the list): the assigned inspector of a large firm (the most visits of
any pair, ordinary outcomes), a lenient official (passes everyone) with its busiest firm, and
the largest sound firm, whose files every approver decides in 30 % of the usual time, with its
busiest approver.

The case officers are recorded (``assignments``: the first inspector until the handover, the
second after it, ``RESPONSIBLE_FOR``), and each seed is scored twice: with them, and without
them, as a city that does not export its assignments would run it.

Printed per seed: planted pairs among the top planted + 7 closeness pairs (as in
``quality.py``), decoys there, pairs reported and each missed pair's rank and score; and
whether the official profile flags the official lenient with everyone (its failure-ratio z
against its own firms' records, next to the raw pass rate's z). The
detector runs on the frames in memory (no Neo4j)::

    python benchmarks/foreign_officials.py --seeds 1 2 3 4 5 6
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from detectors import closeness, official_profile  # noqa: E402
from detectors.market import MarketData  # noqa: E402

START = pd.Timestamp("2021-01-01")
DAYS = 4 * 365
DEPARTMENTS = {  # department → (inspection kinds, approval kinds with statutory days)
    "MR": (("food_safety", "licence_check"), {"business_licence": 15, "food_licence": 20}),
    "CN": (("site_safety", "quality"), {"construction_permit": 20, "completion_check": 30}),
    "EN": (("emissions", "waste"), {"discharge_permit": 30, "eia": 60}),
    "TR": (("vehicle_safety",), {"operating_permit": 20}),
}
MECHANISMS = (("visits", "relative"), ("lenient", "phone"), ("fast", "relative"), ("committee", "phone"),
              ("visits", "committee"), ("fast", "lenient"), ("committee", "relative"), ("fast", "phone"))


@dataclass
class Administration:
    """A generated administration and what was planted in it."""

    data: MarketData
    planted: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    decoys: dict[tuple[str, str], str] = field(default_factory=dict)


def generate(seed: int, n_firms: int = 1200, n_tenders: int = 2400) -> Administration:
    rng = np.random.default_rng(seed)
    depts = list(DEPARTMENTS)
    officials = []
    for d in depts:
        officials += [(f"{d}-I{i:02d}", d, "inspector") for i in range(12)]
        officials += [(f"{d}-A{i:02d}", d, "approver") for i in range(6)]
        officials += [(f"{d}-E{i:02d}", d, "evaluator") for i in range(8)]
        officials += [(f"{d}-D{i:02d}", d, "director") for i in range(2)]
    off = pd.DataFrame(officials, columns=["official_id", "department_id", "role"])
    strict = dict(zip(off["official_id"], rng.lognormal(0, 0.3, len(off)), strict=True))
    speed = dict(zip(off["official_id"], rng.lognormal(0, 0.25, len(off)), strict=True))
    lenient_official = str(rng.choice(off.loc[off["role"] == "inspector", "official_id"]))
    strict[lenient_official] = 0.15

    firm_ids = np.array([f"G{seed}-{i:04d}" for i in range(n_firms)], dtype=object)
    f_dept = rng.choice(depts, n_firms, p=[0.4, 0.25, 0.2, 0.15])
    size = (rng.pareto(1.5, n_firms) + 1.0)
    risk = rng.normal(0, 1, n_firms)
    pace = rng.lognormal(0, 0.3, n_firms)  # a firm's own pace: complete files are decided faster by anyone
    quick = int(np.argmax(np.where(risk > 0.8, 0.0, size)))  # the largest sound firm: every file complete
    pace[quick] = 0.3
    inspectors = {d: off.loc[(off["department_id"] == d) & (off["role"] == "inspector"), "official_id"].to_numpy()
                  for d in depts}
    approvers = {d: off.loc[(off["department_id"] == d) & (off["role"] == "approver"), "official_id"].to_numpy()
                 for d in depts}
    evaluators = {d: off.loc[(off["department_id"] == d) & (off["role"] == "evaluator"), "official_id"].to_numpy()
                  for d in depts}
    directors = {d: off.loc[(off["department_id"] == d) & (off["role"] == "director"), "official_id"].to_numpy()
                 for d in depts}
    first = np.array([rng.choice(inspectors[d]) for d in f_dept], dtype=object)
    moved = rng.random(n_firms) < 0.33
    second = np.where(moved, [rng.choice(inspectors[d]) for d in f_dept], first)

    insp: list[tuple[str, str, int, str, float]] = []  # official, firm, day, kind, fail probability
    for f in range(n_firms):
        kinds = DEPARTMENTS[f_dept[f]][0]
        visits = rng.poisson((0.8 + 0.6 * np.log(size[f])) * 4)
        for day in rng.integers(0, DAYS, visits):
            u = rng.random()
            if u < 0.7:
                o = first[f] if day < DAYS // 2 else second[f]
            elif u < 0.95:
                o = rng.choice(inspectors[f_dept[f]])
            else:
                o = rng.choice(directors[f_dept[f]])
            insp.append((str(o), str(firm_ids[f]), int(day), str(rng.choice(kinds)), 0.0))
    appr: list[tuple[str, str, int, str, int, float, bool]] = []  # official, firm, day, kind, statutory, took, granted
    for f in range(n_firms):
        kinds = DEPARTMENTS[f_dept[f]][1]
        for day in rng.integers(0, DAYS - 90, rng.poisson(0.4 * np.sqrt(size[f]) * 4)):
            o = str(rng.choice(approvers[f_dept[f]] if rng.random() < 0.9 else directors[f_dept[f]]))
            kind = str(rng.choice(list(kinds)))
            stat = kinds[kind]
            took = max(1.0, round(stat * 0.5 * float(rng.lognormal(0, 0.4)) * speed[o] * pace[f]))
            appr.append((o, str(firm_ids[f]), int(day), kind, stat, took, bool(rng.random() > 0.08 * np.exp(0.4 * risk[f]))))

    # tenders: 3–6 bidders of the department's firms by size, committee of three evaluators
    t_dept = rng.choice(depts, n_tenders, p=[0.35, 0.35, 0.15, 0.15])
    bids: list[tuple[str, str, float]] = []
    evals: list[tuple[str, str]] = []
    tenders = []
    pool = {d: np.flatnonzero(f_dept == d) for d in depts}
    for t in range(n_tenders):
        d = t_dept[t]
        tid = f"T{seed}-{t:05d}"
        w = size[pool[d]] / size[pool[d]].sum()
        bidders = rng.choice(pool[d], min(int(rng.integers(3, 7)), len(pool[d])), replace=False, p=w)
        for f in bidders:
            bids.append((tid, str(firm_ids[f]), float(rng.lognormal(0, 0.08))))
        committee = list(rng.choice(evaluators[d], 3, replace=False))
        if rng.random() < 0.15:
            committee.append(str(rng.choice(inspectors[d])))
        evals += [(tid, str(o)) for o in committee]
        tenders.append({"tender_id": tid, "department_id": d, "category": d.lower(), "region": "city",
                        "published_at": START + pd.Timedelta(days=int(rng.integers(0, DAYS)))})

    admin = Administration(MarketData.build())
    relations: list[tuple[str, str, str]] = []
    roles: list[tuple[str, str, str, float]] = []
    person_ids: list[tuple[str, str, str, str]] = []
    firm_phone: dict[str, str] = {}
    used: set[str] = set()
    poor = np.flatnonzero(risk > 0.8)

    def relative(o: str) -> str:
        p = f"P{seed}-{len(relations):03d}"
        relations.append((o, p, str(rng.choice(["spouse", "sibling", "child", "parent"]))))
        return p

    for k, mechanisms in enumerate(MECHANISMS):
        d = depts[k % len(depts)]
        role = ("director" if {"fast", "lenient"} <= set(mechanisms) else
                "inspector" if {"visits", "lenient"} & set(mechanisms) else
                "approver" if "fast" in mechanisms else "evaluator")
        candidates = off.loc[(off["department_id"] == d) & (off["role"] == role) & ~off["official_id"].isin(used)
                             & (off["official_id"] != lenient_official), "official_id"].to_numpy()
        o = str(rng.choice(candidates))
        used.add(o)
        firms = pool[d]
        if "lenient" in mechanisms:
            firms = np.intersect1d(firms, poor)
            mine = [f for f in firms if first[f] == o or second[f] == o]
            firms = np.array(mine) if mine else firms
        elif "visits" in mechanisms:
            firms = np.array([f for f in np.intersect1d(firms, poor) if o not in (first[f], second[f])])
        f = int(rng.choice(firms))
        firm = str(firm_ids[f])
        if "visits" in mechanisms:
            kinds = DEPARTMENTS[d][0]
            insp += [(o, firm, int(day), str(rng.choice(kinds)), 0.0) for day in rng.integers(0, DAYS, int(rng.integers(8, 16)))]
        if "lenient" in mechanisms or "visits" in mechanisms:
            risk[f] = max(risk[f], 1.2)
        if "lenient" in mechanisms:  # enough visits on both sides to show the contrast
            kinds = DEPARTMENTS[d][0]
            own = sum(1 for r in insp if r[0] == o and r[1] == firm)
            peers = sum(1 for r in insp if r[0] != o and r[1] == firm)
            insp += [(o, firm, int(day), str(rng.choice(kinds)), 0.0)
                     for day in rng.integers(0, DAYS, max(0, int(rng.integers(5, 9)) - own))]
            insp += [(str(rng.choice(inspectors[d][inspectors[d] != o])), firm, int(day), str(rng.choice(kinds)), 0.0)
                     for day in rng.integers(0, DAYS, max(0, int(rng.integers(4, 7)) - peers))]
        if "fast" in mechanisms:
            kinds = DEPARTMENTS[d][1]
            for day in rng.integers(0, DAYS - 90, int(rng.integers(5, 9))):
                kind = str(rng.choice(list(kinds)))
                appr.append((o, firm, int(day), kind, kinds[kind], max(1.0, round(kinds[kind] * rng.uniform(0.1, 0.25))), True))
        if "committee" in mechanisms:
            own = [t for t in range(n_tenders) if t_dept[t] == d]
            for t in rng.choice(own, int(rng.integers(6, 11)), replace=False):
                tid = f"T{seed}-{t:05d}"
                bids[:] = [b for b in bids if not (b[0] == tid and b[1] == firm)]
                others = [b[2] for b in bids if b[0] == tid]
                low = min(others) if others else 1.0
                bids.append((tid, firm, low * (0.97 if rng.random() < 0.75 else 1.05)))
                evals.append((tid, o))
        if "relative" in mechanisms:
            roles.append((relative(o), firm, "shareholder", round(float(rng.uniform(0.1, 0.4)), 3)))
        if "phone" in mechanisms:
            p = relative(o)
            phone = f"+86 139 {seed:02d}{k:02d} {rng.integers(1000, 9999)}"
            person_ids.append(("person", p, "phone", phone))
            firm_phone[firm] = phone
        admin.planted[(o, firm)] = mechanisms

    # outcomes, drawn after the planting so the poor firms' peers see them as poor
    lenient_pairs = {pair for pair, m in admin.planted.items() if {"lenient", "visits"} & set(m)}
    firm_index = {str(fid): i for i, fid in enumerate(firm_ids)}
    rows = []
    for i, (o, firm, day, kind, _) in enumerate(insp):
        f = firm_index[firm]
        p_fail = 1 / (1 + np.exp(-(-2.0 + 0.9 * risk[f] + np.log(strict[o]))))
        u = rng.random()
        result = "fail" if u < p_fail else ("warning" if u < p_fail + 0.1 else "pass")
        if (o, firm) in lenient_pairs:
            result = "pass" if rng.random() < 0.92 else "warning"
        penalty = float(round(rng.lognormal(8, 0.6) / 100) * 100) if result == "fail" and rng.random() < 0.8 else 0.0
        rows.append((f"I{i}", o, firm, START + pd.Timedelta(days=day), kind, result, penalty))
    inspections = pd.DataFrame(rows, columns=["inspection_id", "official_id", "firm_id", "date", "kind", "result",
                                              "penalty"])
    approvals = pd.DataFrame([(f"A{i}", o, firm, kind, START + pd.Timedelta(days=day),
                               START + pd.Timedelta(days=day + took), "approve" if ok else "reject", stat)
                              for i, (o, firm, day, kind, stat, took, ok) in enumerate(appr)],
                             columns=["approval_id", "official_id", "firm_id", "kind", "applied_at", "decided_at",
                                      "decision", "statutory_days"])
    bid_frame = pd.DataFrame(bids, columns=["tender_id", "firm_id", "amount"]).drop_duplicates(["tender_id", "firm_id"])
    bid_frame["bid_id"] = [f"B{i}" for i in range(len(bid_frame))]
    bid_frame["is_winner"] = bid_frame["amount"] == bid_frame.groupby("tender_id")["amount"].transform("min")
    tender_frame = pd.DataFrame(tenders)
    winners = bid_frame.loc[bid_frame["is_winner"]].drop_duplicates("tender_id").set_index("tender_id")["firm_id"]
    tender_frame["winner_firm_id"] = tender_frame["tender_id"].map(winners)
    firm_identifiers = pd.DataFrame([(f, "phone", p, "firm") for f, p in firm_phone.items()]
                                    + [(f, "person", p, r) for p, f, r, _ in roles],
                                    columns=["firm_id", "kind", "value", "via"])

    # decoys: the busiest assigned pair, and the lenient official's busiest firm
    counts = inspections.groupby(["official_id", "firm_id"]).size().sort_values(ascending=False, kind="mergesort")
    for (o, firm), _ in counts.items():
        if (o, firm) not in admin.planted and o != lenient_official:
            admin.decoys[(str(o), str(firm))] = "assigned inspector of a large firm"
            break
    mine = counts.loc[lenient_official] if lenient_official in counts.index.get_level_values(0) else pd.Series()
    if len(mine):
        admin.decoys[(lenient_official, str(mine.index[0]))] = "a lenient official (passes everyone)"
    approvers_of_quick = approvals[approvals["firm_id"] == str(firm_ids[quick])]["official_id"].value_counts()
    busiest = str(approvers_of_quick.index[0]) if len(approvers_of_quick) else None
    if busiest is not None and (busiest, str(firm_ids[quick])) not in admin.planted:
        admin.decoys[(busiest, str(firm_ids[quick]))] = "a quick firm (every approver decides its files fast)"

    admin.data = MarketData.build(
        tenders=tender_frame, bids=bid_frame, firms=pd.DataFrame({"firm_id": firm_ids, "name": firm_ids}),
        officials=off, departments=pd.DataFrame({"department_id": depts, "name": depts}),
        inspections=inspections, approvals=approvals, evaluations=pd.DataFrame(evals, columns=["tender_id", "official_id"]),
        firm_identifiers=firm_identifiers, person_identifiers=pd.DataFrame(person_ids, columns=[
            "owner_kind", "owner_id", "kind", "value"]),
        person_roles=pd.DataFrame(roles, columns=["person_id", "firm_id", "role", "share"]),
        relations=pd.DataFrame(relations, columns=["official_id", "person_id", "relation"]),
        assignments=_assignments(firm_ids, first, second))
    return admin


def _assignments(firm_ids: np.ndarray, first: np.ndarray, second: np.ndarray) -> pd.DataFrame:
    """The case officers as a city records them (RESPONSIBLE_FOR): the first inspector until the handover
    half-way through, the second after it; a firm not handed over has one open assignment."""
    handover = START + pd.Timedelta(days=DAYS // 2)
    rows = []
    for firm, a, b in zip(firm_ids, first, second, strict=True):
        if a == b:
            rows.append((str(a), str(firm), None, None))
        else:
            rows += [(str(a), str(firm), None, handover - pd.Timedelta(days=1)), (str(b), str(firm), handover, None)]
    return pd.DataFrame(rows, columns=["official_id", "firm_id", "since", "until"])


def score(admin: Administration) -> tuple[int, int, str]:
    """Planted pairs found among the top planted + 7, and a printable line."""
    start = time.perf_counter()
    pairs = [(f.official_id, f.firm_id, f.score) for f in closeness.detect(admin.data) if f.kind == "pair"]
    seconds = time.perf_counter() - start
    m = len(admin.planted) + 7
    top = {(o, f) for o, f, _ in pairs[:m]}
    found = sum(p in top for p in admin.planted)
    decoys = sum(p in top for p in admin.decoys)
    rank = {(o, f): (i + 1, s) for i, (o, f, s) in enumerate(pairs)}
    def where(pair: tuple[str, str]) -> str:
        return f"rank {rank[pair][0]}, score {rank[pair][1]:.1f}" if pair in rank else "not reported"

    missed = [f"{'+'.join(mech)} ({where(p)})" for p, mech in admin.planted.items() if p not in top]
    profiles = official_profile.detect(admin.data, pairs=[])
    totals = official_profile.official_totals(admin.data).set_index("official_id")
    lenient = [o for (o, _), why in admin.decoys.items() if "lenient" in why]
    profile = "; ".join(f"official profile: {o} (lenient with everyone) failure-ratio z "
                        f"{totals.at[o, 'z_fail_ratio']:.1f}, pass-rate z {totals.at[o, 'z_pass_rate']:.1f}, "
                        f"{'flagged' if o in {f.official_id for f in profiles} else 'not flagged'} "
                        f"({len(profiles)} officials flagged)" for o in lenient)
    line = (f"{found}/{len(admin.planted)} planted pairs in the top {m}, decoys there {decoys}, "
            f"{len(pairs)} pairs reported, {seconds:.1f} s" + (f"; missed: {', '.join(missed)}" if missed else "")
            + (f"; {profile}" if profile else ""))
    return found, len(admin.planted), line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    args = parser.parse_args(argv)
    totals = {"recorded": [0, 0], "not recorded": [0, 0]}
    for seed in args.seeds:
        admin = generate(seed)
        for recorded, total in totals.items():
            if recorded == "not recorded":
                admin.data = dataclasses.replace(admin.data, assignments=admin.data.assignments.iloc[0:0])
            found, planted, line = score(admin)
            total[0] += found
            total[1] += planted
            print(f"seed {seed}, case officers {recorded}: {line}", flush=True)
    for recorded, (found, planted) in totals.items():
        print(f"planted pairs found with the case officers {recorded}: {found} of {planted}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
