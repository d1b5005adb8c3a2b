"""Every detector, through the whole pipeline, on an OCDS market where many tenders are scored on quality.

A helper who had not read the detectors wrote this generator (kept as written, inside a function) from
the EU's practice: a Belgian-style OCDS 1.1 release package, 8 buyers in 4 NUTS regions, 8 CPV
divisions, 2021–2023, about 3,200–3,500 tenders, 750–780 firms keyed by their company number. Each
buyer has a habit per division of awarding on price alone (``priceOnly``, the lowest valid bid wins)
or on the most economically advantageous tender (``ratedCriteria``: price weight 0.3–0.7 and a noisy
quality score; the lowest bid won 44 % of these), so both rules mix inside one division;
``awardCriteriaDetails`` gives the weights. About 4 % of bids are disqualified.

Planted cartels: A cover bidding (5 firms, one division and region, covers 2–8 % above the designated
winner, in both kinds of tender); B rotation (4 firms nationally); C allocation by buyer (4 firms, each
owning two buyers' tenders in one division, 1–2 others covering, 70 % of that division's tenders); D
in ratedCriteria tenders only (the member of best quality wins, covers 15–35 % above); E one firm with
two phantoms sharing its phone (written in national form) and its address; F allocation by region (one
firm per region, 75 % of a division's tenders). Honest look-alikes: five specialists meeting in nearly
every tender of their niche, one large firm bidding everywhere, six firms at one business-centre address.

Each seed's package is loaded with ``python -m loaders ocds`` into the Neo4j of ``graph.settings``
(emptied first: ``--wipe`` confirms it) and every detector runs as the job runner runs it. Printed per
seed: each planted cartel's best ring (Jaccard, rank, score), the decoys' best ring, the tender-risk
findings and how many are rigged, the tender ROC-AUC of tender risk (every tender's score) and of the
plain CV by award criteria, and the linked-bidder findings::

    python benchmarks/ocds_meat_markets.py --wipe [--seeds 1 2] [--undeclared]

``--undeclared`` publishes the same tenders without ``awardCriteria``: each division's mix of price-only
and scored tenders is then read as one award rule (:func:`detectors.screens.award_groups`).

Measured (seeds 1, 2), declared (the default) and ``--undeclared``:

* Rings A, B, D and E are found exactly (Jaccard 1.00) either way: declared at ranks 3/2, 6/5, 5/4,
  1/1 with scores 26.2/27.0, 21.8/26.2, 22.2/26.7, 36.5/38.0; undeclared at 2/3, 5/1, 4/5, 1/2 with
  32.1/35.8, 21.8/38.2, 22.2/26.7, 69.1/38.0. Declared, the scored tenders' bids are not ranked as
  cover bids, and the cover-bid evidence A, B and E gave there goes with them (B on seed 2: 43 of
  187 priced tenders among the most cover-bid-like fifth and 20 of 47 tight covers undeclared; 23
  of 106 and 2 of 9 declared, no price points).
* C and F, where the cartel *is* most of its division's market (70–75 % of the tenders), are not
  found either way (best Jaccard 0.20 and 0.14): co-bidding beyond what the members' activity
  predicts cannot single out firms whose activity is the market, and their division's price baseline
  is the cartel's. The specialists' decoy ranks 3rd–4th (25.8, 26.8) either way.
* Tender ROC-AUC of tender risk on the scored tenders 0.759 / 0.734 declared, 0.580 / 0.546 undeclared
  (the plain −CV 0.443 / 0.392: there the rigged tenders' bids are *more* spread); on the price-only
  tenders 0.560 / 0.578 declared, 0.578 / 0.586 undeclared.
* Tender-risk findings 15 (5 rigged) / 26 (15) declared, 40 (24) / 53 (29) undeclared: declared, no
  scored tender is a finding (screens neutral, a ring raises one to about 65 at most, under the 90
  floor), and the rings' lower scores raise their price-only tenders less.
* Loads: 0 rejects.
* With bid spacing (:mod:`detectors.bid_spacing`, read whatever the award rule), declared: A 53.2 /
  39.4 (ranks 1 / 4), B 44.9 / 54.8 (2 / 1), D 22.2 / 44.1 (6 / 3), E 36.5 / 52.2 (3 / 2), the
  specialists 25.8 / 26.8 at ranks 5 / 5; tender ROC-AUC on the scored tenders 0.768 / 0.750, on the
  price-only 0.602 / 0.630; tender-risk findings 16 (6 rigged) / 31 (19).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.quality import detect, jaccard, loaders, tender_auc, wipe  # noqa: E402
from detectors.registry import DETECTORS  # noqa: E402
from graph.db import Database, connect  # noqa: E402


def generate(seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The helper's market for ``seed``: (an OCDS release package, the truth: cartels and decoys with
    their members' organisation ids as the loader keys them, the rigged tenders' ocids, each tender's
    award criteria)."""
    SEED = seed
    rng = np.random.default_rng(SEED)
    SCHEME = "BE-BCE_KBO"

    REGIONS = {"BE10": "Bruxelles", "BE21": "Antwerpen", "BE23": "Gent", "BE32": "Charleroi"}
    REG = list(REGIONS)
    DIVS = {  # CPV division: (label, mean cost EUR, mainProcurementCategory)
        "45": ("Construction work", 700_000, "works"),
        "33": ("Medical equipment", 150_000, "goods"),
        "30": ("Office machinery", 60_000, "goods"),
        "34": ("Transport equipment", 250_000, "goods"),
        "50": ("Repair and maintenance", 80_000, "services"),
        "72": ("IT services", 200_000, "services"),
        "79": ("Business services", 90_000, "services"),
        "90": ("Sewage, refuse, cleaning", 120_000, "services"),
    }
    DIV = list(DIVS)
    N_TENDERS = int(rng.integers(2800, 3600))
    START = date(2021, 1, 1)

    # ---------------------------------------------------------------- buyers
    buyers = []
    bnames = ["Ville de Bruxelles", "Région Bruxelles-Capitale", "Stad Antwerpen", "Provincie Antwerpen",
              "Stad Gent", "Universiteit Gent", "Ville de Charleroi", "CHU Charleroi"]
    for i, nm in enumerate(bnames):
        r = REG[i // 2]
        buyers.append(dict(id=f"{SCHEME}-0200{i:06d}", ident=f"0200{i:06d}", name=nm, region=r,
                           phone=f"+32 {2 + i} 500 {i:02d} 00", email=f"aankoop@buyer{i}.be"))
    # award-criteria habit per buyer x division: P(ratedCriteria), mean ~0.45
    habit = {(b, d): float(np.clip(rng.beta(4.5, 5.5), 0.1, 0.9)) for b in range(len(buyers)) for d in DIV}

    # ---------------------------------------------------------------- firms
    PER_DIV = int(rng.integers(90, 105))
    firms = []
    words = ["Alpha", "Beta", "Nova", "Delta", "Orion", "Vega", "Lumen", "Atlas", "Sigma", "Terra", "Aqua", "Ventis",
             "Brabo", "Mosa", "Scaldis", "Ardenne", "Kempen", "Lys", "Dyle", "Sambre"]
    sfx = ["NV", "BV", "SA", "SRL", "BVBA", "CVBA"]


    def new_firm(div, region, **kw):
        k = len(firms)
        ident = f"0{400000000 + k * 7919 % 99999999:09d}"
        f = dict(k=k, id=f"{SCHEME}-{ident}", ident=ident,
                 name=f"{words[k % len(words)]} {DIVS[div][0].split()[0]} {k} {sfx[k % len(sfx)]}",
                 div=div, region=region, eff=float(np.exp(rng.normal(0, 0.07))),
                 quality=float(np.clip(rng.beta(4, 4), 0.05, 0.95)), act=float(np.exp(rng.normal(0, 0.6))),
                 phone=f"+32 {2 + k % 8} {300 + k // 100:03d} {k % 100:02d} {int(rng.integers(10, 99))}",
                 email=f"info@firm{k}.be",
                 street=f"{['Rue', 'Straat', 'Avenue', 'Laan'][k % 4]} {words[(k * 3) % len(words)]} {k + 1}",
                 postal=f"{1000 + 1000 * REG.index(region) + k % 900}", honest_pool=True)
        f.update(kw)
        firms.append(f)
        return f


    for d in DIV:
        for _ in range(PER_DIV):
            r = REG[int(rng.integers(0, 4))]
            new_firm(d, r)


    def pick(div, region=None, n=1, exclude=()):
        cand = [f for f in firms if f["div"] == div and (region is None or f["region"] == region)
                and f["honest_pool"] and not f.get("role") and f["k"] not in exclude]
        idx = rng.choice(len(cand), size=n, replace=False)
        return [cand[i] for i in idx]


    truth = {"seed": SEED, "cartels": [], "decoys": []}
    # ---------------------------------------------------------------- cartels
    A = pick("45", "BE10", 5)                     # cover bidding
    B = pick("33", None, 4)                       # bid rotation, national
    C = pick("90", None, 4)                       # allocation by buyer
    D = pick("72", None, 5)                       # ratedCriteria only; winner = best quality
    E_real = pick("50", "BE21", 1)[0]             # phantom bidders
    F = [pick("34", r, 1)[0] for r in REG]        # allocation by region
    for f, q in zip(sorted(D, key=lambda f: -f["quality"]), [0.86, 0.8, 0.74, 0.68, 0.62], strict=True):
        f["quality"] = q
    for nm, g in [("A_cover", A), ("B_rotation", B), ("C_buyer_allocation", C), ("D_rated_only", D),
                  ("F_region_allocation", F)]:
        for f in g:
            f["role"] = nm
    E_real["role"] = "E_phantom"
    E_real["act"] = 3.0
    # phantoms: P1 shares the member's phone (written in national form), P2 shares its address
    P1 = new_firm("50", "BE21", honest_pool=False, role="E_phantom")
    P2 = new_firm("50", "BE21", honest_pool=False, role="E_phantom")
    national = "0" + E_real["phone"][4:]
    P1["phone"] = national
    P2["street"], P2["postal"] = E_real["street"], E_real["postal"]
    E = [E_real, P1, P2]
    for f in C + F:
        f["honest_pool"] = False                  # they only bid where the cartel sends them
    c_owner = {b: C[b // 2] for b in range(len(buyers))}      # each member owns two buyers
    f_owner = {r: F[i] for i, r in enumerate(REG)}

    # ---------------------------------------------------------------- decoys
    SPEC = pick("30", "BE23", 5)                  # specialists meeting in nearly every niche tender
    for f in SPEC:
        f["role"] = "decoy_specialists"
    BIG = new_firm("79", "BE10", role="decoy_big", eff=0.96, quality=0.7)
    BC = []
    for d in ["45", "30", "79", "72", "90", "50"]:
        f = pick(d, "BE10", 1)[0]
        f["street"], f["postal"], f["role"] = "Avenue Louise 500", "1050", "decoy_business_centre"
        BC.append(f)

    # ---------------------------------------------------------------- tenders
    releases, rigged = [], {}
    rot_i = 0
    for t in range(N_TENDERS):
        b = int(rng.integers(0, len(buyers)))
        buyer = buyers[b]
        region = buyer["region"]
        d = DIV[int(rng.choice(8, p=[.16, .13, .12, .1, .13, .12, .12, .12]))]
        day = START + timedelta(days=int(rng.integers(0, 3 * 365 - 60)))
        cost = float(np.exp(rng.normal(np.log(DIVS[d][1]), 0.7)))
        budget = round(cost * rng.uniform(1.08, 1.3), -2)
        rated = bool(rng.random() < habit[(b, d)])
        w = round(float(rng.uniform(0.3, 0.7)), 2) if rated else 1.0
        ocid = f"ocds-b5fd17-s{SEED}-{t:05d}"
        bids = {}  # firm k -> amount

        def honest(f, cost=cost):
            return cost * f["eff"] * float(np.exp(rng.normal(0.09, 0.05)))

        # honest pool
        pool = [f for f in firms if f["div"] == d and f["honest_pool"] and f.get("role") != "decoy_big"
                and f.get("role") != "decoy_specialists"]
        wts = np.array([f["act"] * (1.0 if f["region"] == region else 0.12) for f in pool])
        n_h = int(np.clip(1 + rng.poisson(2.6), 1, 8))
        for i in rng.choice(len(pool), size=min(n_h, len(pool)), replace=False, p=wts / wts.sum()):
            bids[pool[i]["k"]] = honest(pool[i])
        if rng.random() < 0.28:
            bids[BIG["k"]] = honest(BIG)
        if d == "30" and region == "BE23":
            for f in SPEC:
                if rng.random() < 0.85:
                    bids[f["k"]] = honest(f)
        cartel = None
        # A: cover bidding
        if d == "45" and region == "BE10" and rng.random() < 0.75:
            for f in A:
                bids.pop(f["k"], None)
            mem = [A[i] for i in rng.choice(5, size=int(rng.integers(3, 6)), replace=False)]
            win = mem[0]
            wb = cost * win["eff"] * rng.uniform(1.08, 1.14)
            bids[win["k"]] = wb
            for f in mem[1:]:
                bids[f["k"]] = wb * rng.uniform(1.02, 1.08)
            cartel = ("A_cover", win)
        # B: rotation
        elif d == "33" and rng.random() < 0.4:
            for f in B:
                bids.pop(f["k"], None)
            win = B[rot_i % 4]
            rot_i += 1
            wb = cost * win["eff"] * rng.uniform(1.08, 1.14)
            bids[win["k"]] = wb
            for f in B:
                if f is not win and rng.random() < 0.85:
                    bids[f["k"]] = wb * rng.uniform(1.03, 1.12)
            cartel = ("B_rotation", win)
        # C: allocation by buyer
        elif d == "90" and rng.random() < 0.7:
            win = c_owner[b]
            wb = cost * win["eff"] * rng.uniform(1.08, 1.14)
            bids[win["k"]] = wb
            others = [f for f in C if f is not win]
            for i in rng.choice(3, size=int(rng.integers(1, 3)), replace=False):
                bids[others[i]["k"]] = wb * rng.uniform(1.04, 1.10)
            cartel = ("C_buyer_allocation", win)
        # D: ratedCriteria only
        elif d == "72" and rated and rng.random() < 0.7:
            for f in D:
                bids.pop(f["k"], None)
            mem = [D[i] for i in rng.choice(5, size=int(rng.integers(3, 5)), replace=False)]
            win = max(mem, key=lambda f: f["quality"])
            wb = cost * win["eff"] * rng.uniform(1.10, 1.18)
            bids[win["k"]] = wb
            for f in mem:
                if f is not win:
                    bids[f["k"]] = wb * rng.uniform(1.15, 1.35)
            cartel = ("D_rated_only", win)
        # E: phantom bidders
        elif d == "50" and region == "BE21" and rng.random() < 0.7:
            wb = cost * E_real["eff"] * rng.uniform(1.08, 1.14)
            bids[E_real["k"]] = wb
            bids[P1["k"]] = wb * rng.uniform(1.03, 1.09)
            if rng.random() < 0.8:
                bids[P2["k"]] = wb * rng.uniform(1.03, 1.09)
            cartel = ("E_phantom", E_real)
        # F: allocation by region
        elif d == "34" and rng.random() < 0.75:
            win = f_owner[region]
            wb = cost * win["eff"] * rng.uniform(1.08, 1.14)
            bids[win["k"]] = wb
            if rng.random() < 0.6:
                o = [f for f in F if f is not win][int(rng.integers(0, 3))]
                bids[o["k"]] = wb * rng.uniform(1.03, 1.08)
            cartel = ("F_region_allocation", win)
        if cartel:
            rigged[ocid] = cartel[0]
        # statuses: a few disqualified (never the designated cartel winner)
        ks = list(bids)
        status = {k: ("disqualified" if (rng.random() < 0.04 and not (cartel and k == cartel[1]["k"])) else "valid")
                  for k in ks}
        valid = [k for k in ks if status[k] == "valid"]
        if not valid:
            status[ks[0]] = "valid"
            valid = [ks[0]]
        # award
        pmin = min(bids[k] for k in valid)
        if rated:
            qs = {k: 100 * firms[k]["quality"] + rng.normal(0, 8) for k in valid}
            if cartel and cartel[0] != "D_rated_only":
                pass
            score = {k: w * 100 * pmin / bids[k] + (1 - w) * qs[k] for k in valid}
            winner = max(valid, key=lambda k: score[k])
        else:
            winner = min(valid, key=lambda k: bids[k])
        # release
        pubd = day
        endd = day + timedelta(days=int(rng.integers(21, 45)))
        awd = endd + timedelta(days=int(rng.integers(10, 60)))
        parties = [dict(id=buyer["id"], name=buyer["name"], roles=["buyer", "procuringEntity"],
                        identifier=dict(scheme=SCHEME, id=buyer["ident"], legalName=buyer["name"]),
                        address=dict(streetAddress="Hôtel de ville", locality=REGIONS[region], region=region,
                                     countryName="Belgium"),
                        contactPoint=dict(name="Aankoopdienst", telephone=buyer["phone"], email=buyer["email"]))]
        bid_details = []
        for i, k in enumerate(ks):
            f = firms[k]
            parties.append(dict(id=f["id"], name=f["name"], roles=["tenderer"] + (["supplier"] if k == winner else []),
                                identifier=dict(scheme=SCHEME, id=f["ident"], legalName=f["name"]),
                                address=dict(streetAddress=f["street"], postalCode=f["postal"],
                                             locality=REGIONS[f["region"]], region=f["region"], countryName="Belgium"),
                                contactPoint=dict(name=f"Contact {k}", telephone=f["phone"], email=f["email"])))
            bid_details.append(dict(id=f"bid-{i + 1}", date=(endd - timedelta(days=1)).isoformat() + "T10:00:00+01:00",
                                    status=status[k], tenderers=[dict(id=f["id"], name=f["name"])],
                                    value=dict(amount=round(bids[k], 2), currency="EUR")))
        cpv = f"{d}{int(rng.integers(100000, 999999)):06d}"
        tender = dict(id=f"T-{SEED}-{t:05d}", title=f"{DIVS[d][0]} – lot {t}", status="complete",
                      value=dict(amount=budget, currency="EUR"), procurementMethod="open",
                      procurementMethodDetails="Procédure ouverte / Openbare procedure",
                      mainProcurementCategory=DIVS[d][2],
                      awardCriteria="ratedCriteria" if rated else "priceOnly",
                      awardCriteriaDetails=(f"Price {int(w * 100)} %, quality {100 - int(w * 100)} %" if rated
                                            else "Lowest price"),
                      tenderPeriod=dict(startDate=pubd.isoformat() + "T00:00:00+01:00",
                                        endDate=endd.isoformat() + "T12:00:00+01:00"),
                      items=[dict(id="1", description=DIVS[d][0], quantity=1,
                                  classification=dict(scheme="CPV", id=f"{cpv[:8]}", description=DIVS[d][0]),
                                  deliveryAddress=dict(region=region, countryName="Belgium"))],
                      numberOfTenderers=len(ks), procuringEntity=dict(id=buyer["id"], name=buyer["name"]))
        wf = firms[winner]
        awards = [dict(id=f"{ocid}-award-1", status="active", date=awd.isoformat() + "T00:00:00+01:00",
                       value=dict(amount=round(bids[winner], 2), currency="EUR"),
                       suppliers=[dict(id=wf["id"], name=wf["name"])],
                       relatedBids=[f"bid-{ks.index(winner) + 1}"])]
        releases.append(dict(ocid=ocid, id=f"{ocid}-1", date=awd.isoformat() + "T00:00:00+01:00",
                             tag=["tender", "award"], initiationType="tender", language="en",
                             parties=parties, buyer=dict(id=buyer["id"], name=buyer["name"]),
                             tender=tender, bids=dict(details=bid_details), awards=awards))

    pkg = dict(uri=f"https://example.be/ocds/seed{SEED}.json", version="1.1",
               publishedDate="2024-03-01T00:00:00Z", publisher=dict(name="Synthetic Belgian e-Procurement"),
               extensions=["https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"],
               releases=releases)
    groups = {"A_cover": A, "B_rotation": B, "C_buyer_allocation": C, "D_rated_only": D, "E_phantom": E,
              "F_region_allocation": F}
    for nm, g in groups.items():
        truth["cartels"].append(dict(name=nm, members=[f["id"] for f in g],
                                     rigged=[o for o, c in rigged.items() if c == nm]))
    for nm, g in [("decoy_specialists", SPEC), ("decoy_big", [BIG]), ("decoy_business_centre", BC)]:
        truth["decoys"].append(dict(name=nm, members=[f["id"] for f in g]))
    truth["criteria"] = {r["ocid"]: r["tender"]["awardCriteria"] for r in releases}
    truth["n_firms"] = len(firms)
    return pkg, truth


def judge(db: Database, findings: list[Any], truth: dict[str, Any]) -> None:
    """Print the planted cartels' and decoys' best rings, the tender findings and the tender AUC by criteria."""
    rings = [f for f in findings if f.kind == "ring"]
    print(f"  rings reported {len(rings)}, strong (≥ 20) {sum(f.score >= 20 for f in rings)}")
    for cartel in truth["cartels"] + truth["decoys"]:
        members = set(cartel["members"])
        best = max(((jaccard(members, set(f.firms)), -i) for i, f in enumerate(rings)), default=(0.0, 0))
        if best[0] == 0:
            print(f"  {cartel['name']:24} no ring holds any member")
            continue
        ring = rings[-best[1]]
        print(f"  {cartel['name']:24} best ring J {best[0]:.2f} rank {-best[1] + 1:3d} score {ring.score:5.1f}")
    rigged = {o for c in truth["cartels"] for o in c["rigged"]}
    tenders = [f for f in findings if f.detector == "tender_risk" and f.kind == "tender"]
    by = Counter(truth["criteria"].get(f.tender_id) for f in tenders)
    print(f"  tender-risk findings {len(tenders)}, rigged {sum(f.tender_id in rigged for f in tenders)}; "
          f"by criteria {dict(by)}")
    for criteria in ("priceOnly", "ratedCriteria"):
        labels = pd.Series({o: o in rigged for o, c in truth["criteria"].items() if c == criteria})
        print(f"  {criteria}: {tender_auc(db, findings, labels)}")
    linked = [f for f in findings if f.kind == "linked_bidders"]
    inside = sum(any(set(f.firms) <= set(c["members"]) for c in truth["cartels"]) for f in linked)
    print(f"  linked bidders {len(linked)}, {inside} inside one cartel")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--wipe", action="store_true", help="confirm that the target database may be emptied")
    parser.add_argument("--undeclared", action="store_true",
                        help="publish the tenders without awardCriteria (and its details), as many sources do")
    args = parser.parse_args(argv)
    if not args.wipe:
        parser.error("the database is emptied before each seed's load: pass --wipe to confirm")
    db = connect()
    try:
        for seed in args.seeds:
            package, truth = generate(seed)
            if args.undeclared:
                for release in package["releases"]:
                    release["tender"].pop("awardCriteria", None)
                    release["tender"].pop("awardCriteriaDetails", None)
            print(f"=== seed {seed}: {len(package['releases'])} tenders, {truth['n_firms']} firms, "
                  f"{sum(len(r['bids']['details']) for r in package['releases'])} bids", flush=True)
            with tempfile.TemporaryDirectory(prefix=f"ironcage-ocds-meat-{seed}-") as tmp:
                path = Path(tmp) / "release_package.json"
                path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
                wipe(db)
                loaders("ocds", str(path), "--source", f"ocds-meat-{seed}", "--rejects", str(Path(tmp) / "rejects.csv"))
                rejects = (Path(tmp) / "rejects.csv").read_text(encoding="utf-8").splitlines()[1:] \
                    if (Path(tmp) / "rejects.csv").exists() else []
                print(f"  rejects {len(rejects)}")
                judge(db, detect(db, [spec.code for spec in DETECTORS], seed=0), truth)
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
