"""Every detector on a city drawn blind: a market designed by someone who had not read the detectors.

``quality.py`` scores the detectors on markets from ``loaders/demo.py``, whose author also wrote
the detectors, and ``foreign_markets.py`` / ``foreign_officials.py`` each test one detector on a
design of its own. Here one generator, written from the literature without reading any detector,
draws a whole city — procurement, inspections, approvals, committees, owners and relatives —
and plants bid-rigging rings and corrupt official–firm pairs in it, with honest look-alikes.
Sources: OECD (2009) guidelines on bid rigging (cover bidding, bid rotation, market allocation,
bid suppression); Porter & Zona (1993, 1999) (cover bids not cost-based); Conley & Decarolis
(2016) (coordinated entry); Imhof et al. (2018) (low CV and a large relative distance in rigged
tenders); Chassang et al. (2022) (missing bids just above the winner); Fazekas (single bidding,
fast decisions, ties of kin).

**The honest city** (2021–2024). 12 regions of unequal size (from 20 % of the tenders and
firms down to 5 %), the last, R12, a tiny outlying district (1 % of the tenders, exactly 10
resident firms); 11 categories, ``bridges`` rare (1 % of the tenders, all in R03, bid for by
four specialists). 9 departments: five buy (D01 public works: roads, bridges, landscaping; D02
housing and construction: buildings, HVAC, electrical; D03 water; D04 digital: IT, security;
D05 health: medical, cleaning) and seven inspect or approve (D02; D03 and D05, inspections only;
D06 market regulation, D07 fire, D08 environment; D09 planning, approvals only). 186 officials:
32 evaluators, 103 inspectors, 42 approvers and one director a department, each with a
strictness and a speed (lognormal σ 0.25 and 0.2). Inspectors of D02, D05, D06 and D07, and
approvers of D06 and D07, cover one region each, 40 % of them a neighbouring one too (every
region at least once, by D06's inspectors twice); R12 has a dedicated D06 inspector, and R11's
fire inspectors cover it; the others work city-wide. 1,800 firms: lognormal size (σ 1.1), a
home region, 1–3 of the ten ordinary categories, a cost efficiency, a quality, a compliance
(Beta(6, 2)) and a habit of rounding bids (to 1, 10, 100 or 1,000); 8 of them are large national
firms of R01. 4,500 tenders: a budget by category (× lognormal σ 0.7); open 62 %, best value
20 %, restricted 13 % (at most 5 bidders), negotiated 5 % (one bidder); 1 + NegBin(3, 3/7.8)
bidders (at most 10) drawn by size^0.7 from the category's firms, mostly of the tender's region
(a neighbouring region × 0.12, farther × 0.015; national firms × 0.25 anywhere; R12's firms
hardly ever outside R12). A bid is the tender's cost (budget × U(0.76, 0.93) × lognormal σ
0.05) × the firm's efficiency × lognormal σ 0.045 × (1 + a markup of 0.02 + 0.10/√n + N(0,
0.02)); 1.5 % of the bids and every bid above 1.2 × budget are disqualified; the lowest valid
bid wins (best value: price over quality). Committees are 3–5 of the department's evaluators,
a director in a quarter of them. Inspections follow each department's regime (a yearly rate ×
size^0.3, by the inspectors of the firm's region, for the categories the department inspects);
fail or warning with p (1 − compliance) × 0.75 × the inspector's strictness, a fail brings a
penalty and often a follow-up. Approvals by a yearly rate × size^0.35, decided in statutory days
× Beta(4, 3) × the approver's speed (6 % late), rejected or returned more often for poor
compliance. Every firm has a legal representative, most a shareholder; half the officials have
a declared relative with no firm.

**Planted rings** (4–6 a seed: ``rotation_close`` and 3–5 other forms), each in one of the 30
busiest (category, region) markets, of firms of moderate size (0.4–4); in its market, each
tender is rigged with p 0.55–0.9, members take part with p 0.85 (at least two), and each outsider
stays away with p 0.7 (bid suppression); the designated winner bids 90–98.5 % of the budget, under
the lowest outsider, and the tender counts as rigged only when that is no less than 0.97 × its
cost (the ring does not sell below cost); the other members cover above the winner:

* ``rotation_close`` — 4–6 local firms take turns (the member with the fewest wins), covers
  1–5 % above;
* ``market_allocation`` — 3–4 firms from neighbouring regions, each the winner in its own
  region, 1–2 of the others cover 3–10 % above;
* ``with_large_firm`` — 3 local firms and a national firm, which wins 15 % of its tenders;
  covers 2–8 % above;
* ``time_limited`` — 3–5 firms that collude for 12–18 months only; covers 1–5 % above;
* ``far_covers`` — 3–5 firms whose covers are 15–40 % above a winner at 80–92 % of the budget;
* ``shared_identity`` — 3–4 firms, two sharing a phone and an address and the legal
  representative of one holding 35 % of the other; in 35 % of the rigged tenders the members'
  bids come from one IP address, and 30 % of those carry one document hash.

One ring a seed is weak: rigs with p 0.3–0.4, members take part with p 0.55, outsiders stay
with p 0.6.

**Planted pairs** (6–10 a seed: two inspectors, an approver and an evaluator, then any of
these and kin-only; 35 % are hard, with fewer contacts):

* ``excess_inspections`` — an inspector visits a firm of its territory 9–19 extra times (hard 4–6);
* ``lenient_results`` — a poor firm (compliance 0.15–0.35) that the official passes 92 % of the
  time in 3–6 extra visits, while 3–6 visits by peers see it as it is;
* ``fast_approvals`` — 7–14 extra approvals (hard 3–5), and the pair's ordinary ones, decided in
  1–3 days and all granted;
* ``tender_steering`` — an evaluator or director sits on 7–12 (hard 3–5) of its department's
  tenders near the firm's home, and the firm wins: it bids just under the lowest other bid (a
  leak, 70 %), or the lower bids are disqualified;
* ``kin_shareholder`` / ``kin_phone`` — a declared relative of the official holds shares in or
  represents the firm, or the firm's phone is the relative's mobile (half of the pairs above;
  every kin-only pair, which has 1–3 ordinary visits besides).

**Decoys**, honest look-alikes that should not lead the lists. Rings: a registered agent's
address shared by 15 unrelated small firms; one co-working NAT IP address for 6 firms; the 4
bridge specialists of R03, each in 90 % of the bridges tenders; R12's 10 firms; 5 main
contractors with their usual subcontractor (who joins the main's bids 65 % of the time); the 8
national firms; honest common owners (the legal representative of one firm directs another in
an unrelated category: up to 20, the first 8 scored as decoys). Pairs: R12's dedicated
inspector with each of R12's firms; a strict but fair D06 inspector (strictness 3, the others'
about 1) with every firm it inspected; the largest national firm, inspected 8 times as often by
every inspector of each department, with each of them.

Each seed's city is written as a CSV bundle (``docs/csv_bundle.md``) with ``truth.json``, to a
temporary folder, or to ``--keep DIR``/seed<N>; the detectors then run in memory on
:class:`MarketData` read straight from the CSV files (no Neo4j and no loader normalisation:
this measures the method, ``quality.py`` the pipeline).

Printed per seed: sizes and seconds; **rings** recall@k (a planted ring is found when a
reported ring among the top k = planted + 4 has member Jaccard ≥ 0.5 with it, as in
``quality.py``), precision@n (n = planted) and the decoys among the top n and the top k (a
reported ring matches a decoy with Jaccard ≥ 0.5, or when at least two and 75 % of its members
come from it), then per planted ring its form, size, rigged tenders, best Jaccard, rank and
score, and what each of the top k is made of; **pairs** recall@m (m = planted + 7), each planted
pair's rank and score, decoy pairs in the top m and the other pairs there (and whether their
firm is a ring member); **tenders**: on the tenders with two or more valid bids, the ROC-AUC of
tender risk against the ring-rigged tenders (a tender it does not score, with fewer than three
bids, gets the lowest) next to the plain −CV's, overall and per ring, and of risk against rigged
and steered tenders, and the two again on the tenders with three or more, which risk scores;
**linked bidders**: findings and how
many lie inside a planted ring. Then one summary line a seed::

    python benchmarks/blind_markets.py --seeds 1 2 3 4 5 6 [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.quality import jaccard as quality_jaccard  # noqa: E402
from benchmarks.quality import roc_auc  # noqa: E402
from detectors import closeness, linked_bidders, rings, tender_risk  # noqa: E402
from detectors.finding import Finding  # noqa: E402
from detectors.market import MarketData  # noqa: E402

JACCARD = 0.5
START = date(2021, 1, 1)
END = date(2024, 12, 31)
NDAYS = (END - START).days

REGIONS = [f"R{i:02d}" for i in range(1, 13)]  # R12 is a tiny outlying district
REGION_W = np.array([.20, .13, .11, .10, .09, .08, .07, .06, .05, .05, .05, .01])
CATS = ["roads", "buildings", "water", "electrical", "it", "cleaning", "medical",
        "landscaping", "hvac", "security", "bridges"]
CAT_W = np.array([.14, .16, .09, .10, .10, .10, .09, .08, .08, .05, .01])
CAT_DEPT = {"roads": "D01", "bridges": "D01", "landscaping": "D01", "buildings": "D02", "hvac": "D02",
            "electrical": "D02", "water": "D03", "it": "D04", "security": "D04", "medical": "D05",
            "cleaning": "D05"}
CAT_BUDGET = {"roads": 2.5e6, "bridges": 6e6, "landscaping": 4e5, "buildings": 3e6, "hvac": 6e5,
              "electrical": 5e5, "water": 1.5e6, "it": 4e5, "security": 2.5e5, "medical": 3e5,
              "cleaning": 1.5e5}
DEPTS = {"D01": "Public Works Bureau", "D02": "Housing and Construction Bureau", "D03": "Water Authority",
         "D04": "Digital Government Office", "D05": "Health Commission", "D06": "Market Regulation Administration",
         "D07": "Fire and Rescue Department", "D08": "Ecology and Environment Bureau",
         "D09": "Natural Resources and Planning Bureau"}
# (department, role) → head count; each department also has one director
STAFF = {("D01", "evaluator"): 8, ("D02", "evaluator"): 8, ("D03", "evaluator"): 5, ("D04", "evaluator"): 5,
         ("D05", "evaluator"): 6, ("D02", "inspector"): 12, ("D02", "approver"): 10, ("D03", "inspector"): 5,
         ("D05", "inspector"): 12, ("D06", "inspector"): 40, ("D06", "approver"): 10, ("D07", "inspector"): 20,
         ("D07", "approver"): 6, ("D08", "inspector"): 14, ("D08", "approver"): 6, ("D09", "approver"): 10}
# inspection regimes: department → (kinds, yearly rate, categories inspected or None for all, territorial?)
INSP: dict[str, tuple[list[str], float, set[str] | None, bool]] = {
    "D06": (["routine", "complaint", "license_check"], 0.55, None, True),
    "D07": (["fire_safety"], 0.35, None, True),
    "D05": (["hygiene"], 0.9, {"medical", "cleaning"}, True),
    "D08": (["environmental"], 0.35, {"roads", "water", "buildings", "landscaping", "bridges"}, False),
    "D02": (["construction_quality", "site_safety"], 0.55, {"buildings", "roads", "hvac", "electrical", "bridges"},
            True),
    "D03": (["water_quality"], 0.5, {"water"}, False)}
# approvals: department → [(kind, statutory days)], yearly rate, territorial?
APPR = {"D02": [("building_permit", 20), ("completion_acceptance", 15)],
        "D06": [("business_license", 10), ("license_renewal", 10), ("qualification_upgrade", 20)],
        "D07": [("fire_certificate", 20)],
        "D08": [("environmental_permit", 30), ("discharge_permit", 20)],
        "D09": [("planning_permit", 30), ("land_use_permit", 45)]}
APPR_RATE = {"D02": 0.25, "D06": 0.5, "D07": 0.2, "D08": 0.12, "D09": 0.12}
APPR_TERRITORY = {"D06": True, "D07": True, "D02": False, "D08": False, "D09": False}

SYL = ["an", "bo", "chen", "da", "fei", "gang", "hua", "jian", "kai", "lin", "ming", "ning", "ping", "qiang",
       "rui", "shan", "tao", "wei", "xin", "yu", "zhi", "hao", "jun", "lei", "mei", "peng", "song", "ting"]
SUR = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Hu", "Zhu",
       "Gao", "Lin", "He", "Guo", "Ma", "Luo", "Liang", "Song", "Zheng", "Xie", "Han", "Tang", "Feng", "Yu"]
FIRM_SUFFIX = {"roads": "Road & Bridge Engineering", "bridges": "Bridge Engineering",
               "landscaping": "Landscape Co.", "buildings": "Construction Group", "hvac": "HVAC Services",
               "electrical": "Electrical Installation", "water": "Water Engineering",
               "it": "Information Technology", "security": "Security Systems", "medical": "Medical Supplies",
               "cleaning": "Property Services"}
STREETS = ["Renmin", "Jiefang", "Zhongshan", "Xinhua", "Heping", "Changjiang", "Huanghe", "Jianshe", "Wenhua",
           "Dongfeng", "Xingfu", "Chaoyang", "Binhe", "Qingnian", "Gongye", "Nanhu"]
RING_FORMS = ["rotation_close", "market_allocation", "with_large_firm", "time_limited", "far_covers",
              "shared_identity"]


# ---------------------------------------------------------------- the generator


class _City:
    """The random state of one city while it is drawn; the ``make_*``/``plant_*``/``price`` steps
    run in the order of :func:`generate` (each one's draws depend on the ones before)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.used_phones: set[str] = set()
        self.truth: dict[str, Any] = {"seed": seed, "rings": [], "pairs": [], "decoys": {"rings": {}, "pairs": {}},
                                      "rigged_tenders": [], "steered_tenders": []}
        self.persons: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []
        self.relations: list[dict[str, Any]] = []
        self.subs: list[tuple[str, str]] = []  # honest (main contractor, usual subcontractor)
        self.bidders: list[list[int]] = []  # firm row numbers per tender row number
        self.designated: dict[int, dict[str, Any]] = {}  # tender → the ring's plan for it
        self.steer: dict[int, tuple[int, str]] = {}  # tender → (steered firm, "leak" or "disqualify")
        self.pair_plan: list[dict[str, Any]] = []
        self.rigged: set[int] = set()

    # ---------------- small helpers
    def pname(self) -> str:
        r = self.rng
        return f"{SUR[r.integers(len(SUR))]} {SYL[r.integers(len(SYL))].capitalize()}{SYL[r.integers(len(SYL))]}"

    def phone(self, mobile: bool = True) -> str:
        while True:
            p = (f"1{self.rng.choice([38, 39, 50, 58, 86, 87])}{self.rng.integers(10**8):08d}" if mobile
                 else f"0571-{self.rng.integers(10**7, 10**8)}")
            if p not in self.used_phones:
                self.used_phones.add(p)
                return p

    def addr(self, region: str) -> str:
        r = self.rng
        return (f"No. {r.integers(1, 400)} {STREETS[r.integers(len(STREETS))]} Road, "
                f"Unit {r.integers(1, 60)}-{r.integers(100, 2999)}, {region}")

    def ip(self) -> str:
        r = self.rng
        return f"{r.integers(36, 223)}.{r.integers(256)}.{r.integers(256)}.{r.integers(1, 255)}"

    def day(self, lo: int = 0, hi: int = NDAYS) -> date:
        return START + timedelta(days=int(self.rng.integers(lo, hi)))

    # ---------------- officials
    def make_officials(self) -> None:
        r = self.rng
        rows = []
        k = 0
        for (d, role), n in STAFF.items():
            for _ in range(n):
                k += 1
                rows.append(dict(official_id=f"O{k:04d}", department_id=d, role=role))
        for d in DEPTS:
            k += 1
            rows.append(dict(official_id=f"O{k:04d}", department_id=d, role="director"))
        off = pd.DataFrame(rows)
        off["name"] = [self.pname() for _ in range(len(off))]
        off["phone"] = [self.phone() for _ in range(len(off))]
        off["email"] = [f"{o.lower()}@city.gov.example" for o in off.official_id]
        off["address"] = [self.addr(REGIONS[r.integers(11)]) for _ in range(len(off))]
        off["strict"] = np.exp(r.normal(0, 0.25, len(off)))
        off["speed"] = np.exp(r.normal(0, 0.2, len(off)))
        # territories: inspectors of territorial departments cover 1-2 regions (R12 gets a dedicated D06 inspector)
        off["territory"] = [None] * len(off)
        for d in ["D06", "D07", "D05", "D02"]:
            for role in ["inspector", "approver"]:
                idx = off.index[(off.department_id == d) & (off.role == role)].tolist()
                if not idx or (role == "approver" and not APPR_TERRITORY.get(d)):
                    continue
                regs = REGIONS[:11]
                if d == "D06" and role == "inspector":
                    off.at[idx[0], "territory"] = ["R12"]
                    self.tiny_official: str = off.at[idx[0], "official_id"]
                    idx = idx[1:]
                # regions drawn by size, plus a neighbouring second region sometimes
                w = REGION_W[:11] / REGION_W[:11].sum()
                base = list(r.choice(11, size=len(idx), p=w))
                # guarantee each region covered at least once (twice for D06)
                need = list(range(11)) * (2 if d == "D06" and role == "inspector" else 1)
                for i in range(min(len(need), len(idx))):
                    base[i] = need[i]
                for i, j in zip(idx, base, strict=True):
                    t = [regs[j]]
                    if r.random() < 0.4:
                        t.append(regs[min(10, max(0, j + r.choice([-1, 1])))])
                    if d == "D07" and "R11" in t:
                        t.append("R12")  # fire inspectors of R11 also cover the tiny district
                    off.at[i, "territory"] = sorted(set(t))
        # the strict-but-fair official: a D06 inspector of a big region
        cand = [i for i in off.index if off.at[i, "department_id"] == "D06" and off.at[i, "role"] == "inspector"
                and off.at[i, "territory"] and "R12" not in off.at[i, "territory"]]
        s = cand[int(r.integers(len(cand)))]
        off.at[s, "strict"] = 3.0
        self.strict_official: str = off.at[s, "official_id"]
        self.off = off

    # ---------------- firms and persons
    def make_firms(self, n: int = 1800) -> None:
        r = self.rng
        size = np.exp(r.normal(0, 1.1, n))  # heavy tailed
        home = r.choice(12, size=n, p=REGION_W / REGION_W.sum())
        cw = CAT_W[:10] / CAT_W[:10].sum()
        cats = []
        for _ in range(n):
            k = 1 + (r.random() < 0.45) + (r.random() < 0.15)
            cats.append(set(r.choice(CATS[:10], size=k, replace=False, p=cw)))
        f = pd.DataFrame(dict(firm_id=[f"F{i:05d}" for i in range(1, n + 1)], size=size, home=home))
        f["cats"] = cats
        f["eff"] = np.exp(r.normal(0, 0.07, n) - 0.02 * np.log(size))
        f["quality"] = np.exp(r.normal(0, 0.08, n))
        f["compliance"] = r.beta(6, 2, n)
        f["national"] = False
        f["round_to"] = r.choice([1, 10, 100, 1000], size=n, p=[.4, .2, .25, .15])
        f["tag"] = ""

        def free() -> np.ndarray:
            """Row numbers of the firms not yet given a part."""
            return np.where((f.tag == "").values)[0]

        # national firms: 8 large firms bidding everywhere
        nat = r.choice(np.where(home == 0)[0], size=8, replace=False)
        f.loc[nat, "national"] = True
        f.loc[nat, "size"] = np.exp(r.normal(3.2, 0.4, 8))
        for i in nat:
            f.at[i, "cats"] = set(r.choice(CATS[:10], size=3, replace=False, p=cw))
        f.loc[nat, "tag"] = "national"
        self.big_firm: str = f.at[nat[int(np.argmax(f.loc[nat, "size"].values))], "firm_id"]
        # bridge specialists in R03: a rare category, 4 firms that meet in nearly every tender
        br = r.choice(np.intersect1d(free(), np.where(home == 2)[0]), size=4, replace=False)
        for i in br:
            f.at[i, "cats"] = {"bridges", "roads"}
            f.at[i, "tag"] = "bridge"
            f.at[i, "size"] = max(f.at[i, "size"], 1.5)
        self.bridge: list[str] = f.loc[br, "firm_id"].tolist()
        # tiny district R12: exactly 10 firms live there
        in12 = np.where(home == 11)[0]
        fr = free()
        if len(in12) < 10:
            extra = r.choice(np.setdiff1d(fr, in12), size=10 - len(in12), replace=False)
            f.loc[extra, "home"] = 11
        elif len(in12) > 10:
            f.loc[in12[10:], "home"] = r.choice(11, size=len(in12) - 10)
        t12 = np.where(f.home.values == 11)[0]
        f.loc[t12, "tag"] = "tiny"
        self.tiny: list[str] = f.loc[t12, "firm_id"].tolist()
        # main contractor / usual subcontractor pairs (honest; they often both bid, price independently)
        fr = free()
        mains = r.choice(fr[f.loc[fr, "size"].values > 1.5], size=5, replace=False)
        for m in mains:
            cand = np.intersect1d(free(), np.where(f.home.values == f.at[m, "home"])[0])
            cand = cand[cand != m]
            s = r.choice(cand)
            f.at[s, "cats"] = {sorted(f.at[m, "cats"])[0]} | set(sorted(f.at[s, "cats"])[:1])
            f.at[m, "tag"] = "main"
            f.at[s, "tag"] = "sub"
            self.subs.append((f.at[m, "firm_id"], f.at[s, "firm_id"]))
        f["home_r"] = [REGIONS[h] for h in f.home]
        f["name"] = [f"{SUR[r.integers(len(SUR))]}{['xin', 'da', 'tong', 'hua', 'sheng', 'yuan'][r.integers(6)]} "
                     f"{FIRM_SUFFIX[sorted(c)[0]]} {i}" for i, c in enumerate(f.cats)]
        f["reg_no"] = [f"91330{r.integers(10**12):012d}" for _ in range(n)]
        f["phone"] = [self.phone(mobile=r.random() < 0.3) for _ in range(n)]
        f["email"] = [f"office@{fid.lower()}.example.com" if r.random() < 0.8
                      else f"{fid.lower()}_biz@mail.example.cn" for fid in f.firm_id]
        f["address"] = [self.addr(h) for h in f.home_r]
        f["ip"] = [self.ip() for _ in range(n)]
        # registered-agent address shared by 15 unrelated small firms; a co-working NAT ip for 6 firms
        fr = free()
        agent = r.choice(fr, size=15, replace=False)
        f.loc[agent, "address"] = "Business Service Center, 88 Commerce Plaza, R01"
        cow = r.choice(np.setdiff1d(fr, agent), size=6, replace=False)
        f.loc[cow, "ip"] = "101.37.88.14"
        decoys = self.truth["decoys"]["rings"]
        decoys["registered_agent_address"] = f.loc[agent, "firm_id"].tolist()
        decoys["coworking_ip"] = f.loc[cow, "firm_id"].tolist()
        decoys["bridge_specialists"] = self.bridge
        decoys["tiny_district_firms"] = self.tiny
        for k, (m, s) in enumerate(self.subs):
            decoys[f"contractor_subcontractor_{k}"] = [m, s]
        decoys["national_firms"] = f.loc[nat, "firm_id"].tolist()
        self.f = f
        self.fidx = {fid: i for i, fid in enumerate(f.firm_id)}
        # persons: a legal rep for each firm, shareholders for some; a few honest common owners
        persons, roles = self.persons, self.roles
        for i, fid in enumerate(f.firm_id):
            pid = f"P{len(persons) + 1:05d}"
            persons.append(dict(person_id=pid, name=self.pname(), phone=self.phone(), email="",
                                address=self.addr(f.at[i, "home_r"])))
            roles.append(dict(person_id=pid, firm_id=fid, role="legal_rep", share=""))
            if r.random() < 0.7:
                roles.append(dict(person_id=pid, firm_id=fid, role="shareholder",
                                  share=round(float(r.uniform(.3, 1)), 2)))
            if r.random() < 0.35:
                pid2 = f"P{len(persons) + 1:05d}"
                persons.append(dict(person_id=pid2, name=self.pname(), phone=self.phone(), email="",
                                    address=self.addr(f.at[i, "home_r"])))
                roles.append(dict(person_id=pid2, firm_id=fid, role="shareholder",
                                  share=round(float(r.uniform(.05, .45)), 2)))
        # honest common owners: an owner of one firm also directs an unrelated firm in another category
        owners = []
        for _ in range(20):
            a, b = r.choice(free(), size=2, replace=False)
            if f.at[a, "cats"] & f.at[b, "cats"]:
                continue
            pa = self.legal_rep(f.at[a, "firm_id"])
            roles.append(dict(person_id=pa, firm_id=f.at[b, "firm_id"], role="director", share=""))
            owners.append([f.at[a, "firm_id"], f.at[b, "firm_id"]])
        decoys.update({f"common_owner_{k}": p for k, p in enumerate(owners[:8])})
        # honest officials' relatives: spouses/siblings, mostly with no firm ties
        for oid in self.off.official_id:
            if r.random() < 0.5:
                pid = f"P{len(self.persons) + 1:05d}"
                self.persons.append(dict(person_id=pid, name=self.pname(), phone=self.phone(), email="",
                                         address=""))
                self.relations.append(dict(official_id=oid, person_id=pid,
                                           relation=r.choice(["spouse", "sibling", "parent", "child"])))

    def legal_rep(self, firm_id: str) -> str:
        """The person id of a firm's (first) legal representative."""
        return next(x["person_id"] for x in self.roles if x["firm_id"] == firm_id and x["role"] == "legal_rep")

    # ---------------- tenders and honest bidder sets
    def make_tenders(self, n: int = 4500) -> None:
        r = self.rng
        f = self.f
        cat = r.choice(CATS, size=n, p=CAT_W / CAT_W.sum())
        reg = r.choice(12, size=n, p=REGION_W / REGION_W.sum())
        reg[cat == "bridges"] = 2
        pub = np.sort(r.integers(0, NDAYS - 60, n))
        t = pd.DataFrame(dict(tender_id=[f"T{i:05d}" for i in range(1, n + 1)], category=cat,
                              region=[REGIONS[g] for g in reg], reg_i=reg, pub=pub))
        t["budget"] = [round(CAT_BUDGET[c] * float(np.exp(r.normal(0, 0.7))), -3) for c in cat]
        t["department_id"] = [CAT_DEPT[c] for c in cat]
        t["procedure"] = r.choice(["open", "best_value", "restricted", "negotiated"], size=n,
                                  p=[.62, .2, .13, .05])
        t["deadline"] = t.pub + r.integers(20, 45, n)
        self.t = t
        # firm rows per category
        self.bycat = {c: np.array([i for i, cs in enumerate(f.cats) if c in cs]) for c in CATS}
        act = f["size"].values ** 0.7
        home = f.home.values
        nat = f.national.values
        bidders: list[list[int]] = []
        for k in range(n):
            c, g, proc = cat[k], reg[k], t.at[k, "procedure"]
            if c == "bridges":
                b = [self.fidx[x] for x in self.bridge if r.random() < 0.9]
                if r.random() < 0.2:
                    b += list(r.choice(np.where(nat)[0], size=1))
                if len(b) == 0:
                    b = [self.fidx[self.bridge[0]]]
                bidders.append(list(dict.fromkeys(b)))
                continue
            pool = self.bycat[c]
            dist = np.abs(home[pool] - g)
            w = act[pool] * np.where(dist == 0, 1.0, np.where(dist == 1, 0.12, 0.015))
            w = np.where(nat[pool], act[pool] * 0.25, w)
            w = np.where(home[pool] == 11, np.where(g == 11, 3.0, 0.02) * act[pool], w)
            m = 1 if proc == "negotiated" else int(np.clip(1 + r.negative_binomial(3, 3 / (3 + 4.8)), 1, 10))
            if proc == "restricted":
                m = min(m, 5)
            m = min(m, len(pool))
            b = list(r.choice(pool, size=m, replace=False, p=w / w.sum()))
            for main, sub in self.subs:
                if (self.fidx[main] in b and self.fidx[sub] not in b and c in f.at[self.fidx[sub], "cats"]
                        and r.random() < 0.65 and len(b) < 10):
                    b.append(self.fidx[sub])
            bidders.append(b)
        self.bidders = bidders

    # ---------------- rings
    def plant_rings(self) -> None:
        r = self.rng
        f, t = self.f, self.t
        nr = int(r.integers(4, 7))
        chosen = ["rotation_close"] + list(r.choice(RING_FORMS[1:], size=nr - 1, replace=False))
        weak = int(r.integers(len(chosen)))  # one ring per seed is weak
        busiest = (t[(t.category != "bridges") & (t.reg_i < 11)].groupby(["category", "reg_i"]).size()
                   .sort_values(ascending=False))
        combos = list(busiest.index[:30])
        r.shuffle(combos)
        used_cr: set[tuple[str, int]] = set()
        used_firms: set[int] = set()
        for k, form in enumerate(chosen):
            # every form's size is drawn, whichever the form (the draws keep the seeds' cities)
            sizes: dict[str, Any] = {"rotation_close": r.integers(4, 7), "market_allocation": r.integers(3, 5),
                                     "with_large_firm": 4, "time_limited": r.integers(3, 6),
                                     "far_covers": r.integers(3, 6), "shared_identity": r.integers(3, 5)}
            nm = int(sizes[form])
            # choose category/region(s)
            while True:
                c, g = combos.pop(0)
                regs = [g] if form != "market_allocation" else [g + j for j in range(nm)]
                if max(regs) <= 10 and not any((c, x) in used_cr for x in regs):
                    break
                combos.append((c, g))
            for gg in regs:
                used_cr.add((c, gg))
            members: list[int] = []
            nloc = nm - 1 if form == "with_large_firm" else nm
            home_regs = regs if form == "market_allocation" else [g] * nloc
            for gg in home_regs[:nloc]:
                cand = [i for i in np.where((f.home.values == gg) & (f.tag.values == ""))[0]
                        if i not in used_firms and 0.4 < f.at[i, "size"] < 4 and i not in members]
                with_c = [i for i in cand if c in f.at[i, "cats"]]
                pick = with_c if with_c and r.random() < 0.8 else cand
                i = int(r.choice(pick))
                f.at[i, "cats"] = f.at[i, "cats"] | {c}
                members.append(i)
            if form == "with_large_firm":
                nat = [i for i in np.where(f.national.values)[0]
                       if f.firm_id[i] != self.big_firm and i not in used_firms]
                i = int(r.choice(nat))
                f.at[i, "cats"] = f.at[i, "cats"] | {c}
                members.append(i)
            for i in members:
                f.at[i, "tag"] = f"ring{k}"
                used_firms.add(i)
            is_weak = k == weak
            p_rig = float(r.uniform(0.3, 0.4) if is_weak else r.uniform(0.55, 0.9))
            lo, hi = {"far_covers": (0.15, 0.40)}.get(form, (0.01, 0.05))
            if form == "market_allocation":
                lo, hi = 0.03, 0.10
            if form == "with_large_firm":
                lo, hi = 0.02, 0.08
            w0, w1 = 0, NDAYS
            if form == "time_limited":
                w0 = int(r.integers(200, 700))
                w1 = w0 + int(r.integers(360, 540))
            ring = dict(ring=f"RING{k}", form=form, weak=is_weak, category=c, regions=[REGIONS[x] for x in regs],
                        firms=[f.firm_id[i] for i in members], p_rig=round(p_rig, 2), cover_margin=[lo, hi],
                        window=[str(START + timedelta(days=w0)), str(START + timedelta(days=min(w1, NDAYS)))],
                        rigged_tenders=[])
            if form == "shared_identity":
                a, b = members[0], members[1]
                f.at[b, "phone"] = f.at[a, "phone"]
                f.at[b, "address"] = f.at[a, "address"]
                self.roles.append(dict(person_id=self.legal_rep(f.firm_id[a]), firm_id=f.firm_id[b],
                                       role="shareholder", share=0.35))
            # the members' tenders: the ring's market in its window
            sel = np.where((t.category.values == c) & np.isin(t.reg_i.values, regs) & (t.pub.values >= w0)
                           & (t.pub.values < w1))[0]
            owner = {gg: members[j] for j, gg in enumerate(regs)} if form == "market_allocation" else {}
            wins = {i: 0 for i in members}  # the designated winner: the fewest wins so far, then at random
            for ti in sel:
                if r.random() >= p_rig:
                    continue
                if form == "market_allocation":
                    d = owner[t.reg_i[ti]]
                    others = [i for i in members if i != d]
                    covers = int(r.integers(1, min(2, len(others)) + 1))
                    part = [d] + list(r.choice(others, size=covers, replace=False))
                else:
                    pin = 0.55 if is_weak else 0.85
                    part = [i for i in members if r.random() < pin]
                    if len(part) < 2:
                        part = list(r.choice(members, size=2, replace=False))
                    if form == "with_large_firm":
                        locs = [i for i in part if i != members[-1]]
                        if members[-1] in part and (r.random() < 0.15 or not locs):
                            d = members[-1]
                        else:
                            d = min(locs, key=lambda i: (wins[i], r.random()))
                    else:
                        d = min(part, key=lambda i: (wins[i], r.random()))
                wins[d] += 1
                keep_p = 0.6 if is_weak else 0.3  # bid suppression: fewer outsiders
                outs = [i for i in self.bidders[ti] if i not in members and r.random() < keep_p]
                outs = outs[: 10 - len(part)]
                self.bidders[ti] = outs + [int(x) for x in part]
                self.designated[ti] = dict(ring=k, d=int(d), part=[int(x) for x in part], lo=lo, hi=hi, form=form)
            self.truth["rings"].append(ring)

    # ---------------- corrupt pairs (set up before pricing, committees and inspections)
    def plant_pairs(self) -> None:
        r = self.rng
        f, off, t = self.f, self.off, self.t
        npairs = int(r.integers(6, 11))
        used_o, used_f = {self.tiny_official, self.strict_official}, set()
        kinds = ["insp", "insp", "appr", "eval"]
        for k in range(npairs):
            kind = kinds[k % 4] if k < 4 else r.choice(["insp", "appr", "eval", "kin_only"])
            hard = r.random() < 0.35
            if kind in ("insp", "kin_only"):
                o = r.choice([i for i in off.index if off.at[i, "role"] == "inspector" and off.at[i, "territory"]
                              and off.at[i, "official_id"] not in used_o and "R12" not in off.at[i, "territory"]])
            elif kind == "appr":
                o = r.choice([i for i in off.index
                              if off.at[i, "role"] == "approver" and off.at[i, "official_id"] not in used_o])
            else:
                o = r.choice([i for i in off.index if off.at[i, "role"] in ("evaluator", "director")
                              and off.at[i, "department_id"] in ("D01", "D02", "D03", "D04", "D05")
                              and off.at[i, "official_id"] not in used_o])
            oid, dept = off.at[o, "official_id"], off.at[o, "department_id"]
            used_o.add(oid)
            terr = off.at[o, "territory"] or REGIONS[:11]
            cand: Any = np.where((f.tag.values == "") & np.isin(f.home_r.values, terr))[0]
            if kind == "eval":
                dcats = {c for c, d in CAT_DEPT.items() if d == dept and c != "bridges"}
                cand = [i for i in np.where(f.tag.values == "")[0]
                        if f.at[i, "cats"] & dcats and f.at[i, "home"] < 11]
            inspected = INSP[dept][2] if dept in INSP else None
            if inspected is not None and kind in ("insp", "kin_only"):
                cand = [i for i in cand if f.at[i, "cats"] & inspected]
            cand = [i for i in cand if i not in used_f]
            fi = int(r.choice(cand))
            used_f.add(fi)
            f.at[fi, "tag"] = f"pair{k}"
            mech = []
            if kind == "insp":
                mech = list(r.choice(["excess_inspections", "lenient_results"], size=int(r.integers(1, 3)),
                                     replace=False))
            elif kind == "appr":
                mech = ["fast_approvals"]
            elif kind == "eval":
                mech = ["tender_steering"]
            if kind == "kin_only" or r.random() < 0.5:
                mech.append(r.choice(["kin_shareholder", "kin_phone"]) if kind != "kin_only"
                            else "kin_shareholder")
            if "lenient_results" in mech:
                f.at[fi, "compliance"] = float(r.uniform(0.15, 0.35))
            plan: dict[str, Any] = dict(official_id=oid, firm_id=f.firm_id[fi], oi=int(o), fi=fi, dept=dept,
                                        mechanisms=mech, strength="hard" if hard else "clear")
            # kin ties
            if "kin_shareholder" in mech or "kin_phone" in mech:
                pid = f"P{len(self.persons) + 1:05d}"
                ph = self.phone()
                self.persons.append(dict(person_id=pid, name=self.pname(), phone=ph, email="", address=""))
                relation = r.choice(["spouse", "brother", "sister", "brother_in_law", "son"])
                self.relations.append(dict(official_id=oid, person_id=pid, relation=relation))
                if "kin_shareholder" in mech:
                    role = r.choice(["shareholder", "legal_rep"])
                    self.roles.append(dict(person_id=pid, firm_id=f.firm_id[fi], role=role,
                                           share=round(float(r.uniform(.2, .6)), 2)))
                else:
                    f.at[fi, "phone"] = ph
            # tender steering: pick tenders of the dept in the firm's categories, near its home
            if "tender_steering" in mech:
                dcats = {c for c, d in CAT_DEPT.items() if d == dept}
                near = np.where((t.department_id.values == dept)
                                & np.isin(t.category.values, sorted(f.at[fi, "cats"] & dcats))
                                & (np.abs(t.reg_i.values - f.at[fi, "home"]) <= 1))[0]
                sel = [s for s in near if s not in self.designated and s not in self.steer
                       and t.at[s, "procedure"] != "negotiated"]
                m = int(r.integers(3, 6) if hard else r.integers(7, 13))
                for chosen in r.choice(sel, size=min(m, len(sel)), replace=False):
                    s = int(chosen)
                    if fi not in self.bidders[s]:
                        if len(self.bidders[s]) >= 10:
                            self.bidders[s] = self.bidders[s][:9]
                        self.bidders[s].append(fi)
                    if len(self.bidders[s]) < 2:
                        pool = [x for x in self.bycat[t.category[s]] if x != fi]
                        self.bidders[s].append(int(r.choice(pool)))
                    self.steer[s] = (fi, "leak" if r.random() < 0.7 else "disqualify")
                    plan.setdefault("tenders", []).append(t.tender_id[s])
            self.pair_plan.append(plan)

    # ---------------- prices and winners
    def price(self) -> None:
        r = self.rng
        f, t = self.f, self.t
        eff, qual, rnd = f.eff.values, f.quality.values, f.round_to.values
        rows, winners, amounts = [], [], []
        for ti in range(len(t)):
            b = self.bidders[ti]
            budget = t.at[ti, "budget"]
            cost = budget * r.uniform(0.76, 0.93) * np.exp(r.normal(0, 0.05))
            n = len(b)
            noise = np.exp(r.normal(0, 0.045, n))
            markup = np.clip(0.02 + 0.10 / np.sqrt(n) + r.normal(0, 0.02, n), 0.005, None)
            base = cost * eff[b] * noise
            am = base * (1 + markup)
            disq = r.random(n) < 0.015
            disq |= am > 1.2 * budget
            same_ip = None
            if ti in self.designated:
                g = self.designated[ti]
                bi = {x: j for j, x in enumerate(b)}
                outs = [j for j, x in enumerate(b) if x not in g["part"]]
                target = (budget * r.uniform(0.90, 0.985) if g["form"] != "far_covers"
                          else budget * r.uniform(0.80, 0.92))
                if outs:
                    target = min(target, am[outs].min() * r.uniform(0.975, 0.995))
                dj = bi[g["d"]]
                if target >= base[dj] * 0.97:  # the ring can win without selling below cost
                    am[dj] = target
                    disq[dj] = False
                    for x in g["part"]:
                        if x != g["d"]:
                            am[bi[x]] = target * (1 + r.uniform(g["lo"], g["hi"]))
                            disq[bi[x]] = am[bi[x]] > 1.2 * budget
                    self.rigged.add(ti)
                    self.truth["rings"][g["ring"]]["rigged_tenders"].append(t.tender_id[ti])
                    if g["form"] == "shared_identity" and r.random() < 0.35:
                        same_ip = [bi[x] for x in g["part"]]
            if ti in self.steer:
                fi, mode = self.steer[ti]
                j = b.index(fi)
                others = [k for k in range(n) if k != j and not disq[k]]
                if others:
                    if mode == "leak":
                        am[j] = am[others].min() * r.uniform(0.985, 0.998)
                    else:  # lower bids disqualified by the committee
                        for k in others:
                            if am[k] < am[j]:
                                disq[k] = True
                disq[j] = False
            am = np.array([max(1.0, round(a / rn) * rn) for a, rn in zip(am, rnd[b], strict=True)])
            valid = [k for k in range(n) if not disq[k]]
            if not valid:
                winners.append("")
                amounts.append("")
            else:
                if t.at[ti, "procedure"] == "best_value" and ti not in self.designated and ti not in self.steer:
                    w = min(valid, key=lambda k: am[k] / qual[b[k]])
                else:
                    w = min(valid, key=lambda k: am[k])
                if ti in self.designated and ti in self.rigged:
                    w = b.index(self.designated[ti]["d"])
                if ti in self.steer:
                    w = b.index(self.steer[ti][0])
                winners.append(f.firm_id[b[w]])
                amounts.append(am[w])
            deadline = START + timedelta(days=int(t.at[ti, "deadline"]))
            dl = datetime.combine(deadline, datetime.min.time()) + timedelta(hours=10)
            ring_ip = self.ip()
            shared_hash = None
            if same_ip is not None and r.random() < 0.3:
                shared_hash = f"{int(r.integers(2**62)):032x}"
            for k, x in enumerate(b):
                ip = f.at[x, "ip"] if r.random() < 0.88 else self.ip()
                h = f"{int(r.integers(2**62)):032x}"
                if same_ip is not None and k in same_ip:
                    ip = ring_ip
                    if shared_hash and k != same_ip[0]:
                        h = shared_hash
                sub = dl - timedelta(minutes=int(r.integers(5, 60 * 24 * 12)))
                rows.append(dict(tender_id=t.tender_id[ti], firm_id=f.firm_id[x], amount=am[k],
                                 submitted_at=sub.strftime("%Y-%m-%dT%H:%M:%S+08:00"), ip=ip, document_hash=h,
                                 disqualified="true" if disq[k] else "false"))
        bids = pd.DataFrame(rows)
        bids.insert(0, "bid_id", [f"B{i:06d}" for i in range(1, len(bids) + 1)])
        self.bids = bids
        t["winner_firm_id"] = winners
        t["award_amount"] = amounts
        self.truth["rigged_tenders"] = sorted(t.tender_id[i] for i in self.rigged)

    # ---------------- committees
    def make_evaluations(self) -> None:
        r = self.rng
        off, t = self.off, self.t
        rows = []
        steer_o = {tid: p["official_id"] for p in self.pair_plan for tid in p.get("tenders", [])}
        evaluators = {d: off[(off.department_id == d) & (off.role == "evaluator")].official_id.tolist()
                      for d in DEPTS}
        directors = {d: off[(off.department_id == d) & (off.role == "director")].official_id.tolist()
                     for d in DEPTS}
        for ti in range(len(t)):
            d = t.at[ti, "department_id"]
            ev, dr = evaluators[d], directors[d]
            m = int(r.integers(3, 6))
            com = list(r.choice(ev, size=min(m, len(ev)), replace=False))
            if r.random() < 0.25:
                com[-1] = dr[0]
            tid = t.tender_id[ti]
            if tid in steer_o and steer_o[tid] not in com:
                com[0] = steer_o[tid]
            rows += [dict(tender_id=tid, official_id=o) for o in dict.fromkeys(com)]
        self.evals = pd.DataFrame(rows)

    # ---------------- inspections
    def make_inspections(self) -> None:
        r = self.rng
        f, off = self.f, self.off
        rows: list[dict[str, Any]] = []
        insp_by = {d: off[(off.department_id == d) & (off.role == "inspector")] for d in INSP}
        strict = dict(zip(off.official_id, off.strict, strict=True))
        plan_by_firm: dict[int, list[dict[str, Any]]] = {}
        for p in self.pair_plan:
            plan_by_firm.setdefault(p["fi"], []).append(p)

        def result(fi: int, oid: str, lenient: bool = False) -> tuple[str, float | str]:
            if lenient:
                res = "pass" if r.random() < 0.92 else "warning"
            else:
                pbad = min(0.95, (1 - f.at[fi, "compliance"]) * 0.75 * strict[oid])
                u = r.random()
                res = "fail" if u < pbad * 0.35 else ("warning" if u < pbad else "pass")
            pen: float | str = ""
            if res == "fail":
                pen = round(float(5000 * np.exp(r.normal(0, 0.8)) * (1 + f.at[fi, "size"] ** 0.3)), -2)
            elif res == "warning" and r.random() < 0.25:
                pen = round(float(r.uniform(500, 2000)), -2)
            return res, pen

        def add(oid: str, fi: int, day: date, kind: str, lenient: bool = False) -> None:
            res, pen = result(fi, oid, lenient)
            rows.append(dict(official_id=oid, firm_id=f.firm_id[fi], date=str(day), kind=kind, result=res,
                             penalty=pen))
            if res == "fail" and r.random() < 0.6:
                d2 = day + timedelta(days=int(r.integers(14, 60)))
                if d2 <= END:
                    res2 = "pass" if r.random() < 0.75 else "warning"
                    rows.append(dict(official_id=oid, firm_id=f.firm_id[fi], date=str(d2), kind="follow_up",
                                     result=res2, penalty=""))

        local: dict[tuple[str, str], np.ndarray] = {}  # (department, region) → the inspectors covering it

        def inspectors(d: str, region: str) -> np.ndarray:
            if (d, region) not in local:
                pool = insp_by[d]
                loc = pool[[region in (x or []) for x in pool.territory]]
                local[d, region] = (loc if len(loc) else pool).official_id.values
            return local[d, region]

        yrs = NDAYS / 365.25
        for fi in range(len(f)):
            sz = f.at[fi, "size"] ** 0.3
            bigmult = 8.0 if f.firm_id[fi] == self.big_firm else 1.0
            for d, (kinds, rate, cats, terr) in INSP.items():
                if cats is not None and not (f.at[fi, "cats"] & cats):
                    continue
                n = r.poisson(rate * sz * yrs * bigmult)
                if n == 0:
                    continue
                # the inspectors of the firm's region (the big firm is inspected by everyone)
                ids = (inspectors(d, f.at[fi, "home_r"]) if terr and bigmult == 1.0
                       else insp_by[d].official_id.values)
                for _ in range(n):
                    oid = ids[r.integers(len(ids))]
                    lenient = any(p["official_id"] == oid and "lenient_results" in p["mechanisms"]
                                  for p in plan_by_firm.get(fi, []))
                    add(oid, fi, self.day(), kinds[r.integers(len(kinds))], lenient)
        # planted extra contact
        for p in self.pair_plan:
            oid, fi, dept = p["official_id"], p["fi"], p["dept"]
            if dept not in INSP or off.at[p["oi"], "role"] != "inspector":
                continue
            kinds = INSP[dept][0]
            if "excess_inspections" in p["mechanisms"]:
                extra = int(r.integers(4, 7) if p["strength"] == "hard" else r.integers(9, 20))
            elif "lenient_results" in p["mechanisms"]:
                extra = int(r.integers(3, 7))
            else:
                extra = int(r.integers(1, 4))  # kin-only: ordinary contact
            for _ in range(extra):
                add(oid, fi, self.day(), kinds[r.integers(len(kinds))], "lenient_results" in p["mechanisms"])
            if "lenient_results" in p["mechanisms"]:
                # make sure peers see the poor compliance too
                colleagues = (off.department_id == dept) & (off.role == "inspector") & (off.official_id != oid)
                peers = off[colleagues & np.array([f.at[fi, "home_r"] in (x or []) for x in off.territory])
                            ].official_id.tolist()
                if not peers:
                    peers = off[colleagues].official_id.tolist()
                for _ in range(int(r.integers(3, 7))):
                    add(peers[r.integers(len(peers))], fi, self.day(), kinds[r.integers(len(kinds))])
        ins = pd.DataFrame(rows)
        ins = ins.sort_values("date", kind="stable").reset_index(drop=True)
        ins.insert(0, "inspection_id", [f"I{i:06d}" for i in range(1, len(ins) + 1)])
        self.ins = ins

    # ---------------- approvals
    def make_approvals(self) -> None:
        r = self.rng
        f, off = self.f, self.off
        rows = []
        appr_by = {d: off[(off.department_id == d) & (off.role == "approver")] for d in APPR}
        speed = dict(zip(off.official_id, off.speed, strict=True))
        yrs = NDAYS / 365.25
        fast = {(p["official_id"], p["fi"]): p for p in self.pair_plan if "fast_approvals" in p["mechanisms"]}

        def add(oid: str, fi: int, kind: str, stat: int, favoured: bool = False) -> None:
            a = self.day(0, NDAYS - 60)
            if favoured:
                dd = int(r.integers(1, 4))
                dec = "approved"
            else:
                dd = max(1, int(round(stat * r.beta(4, 3) * 1.05 * speed[oid])))
                if r.random() < 0.06:
                    dd = int(stat * r.uniform(1.1, 2.0))
                u = r.random()
                pr = 0.04 + 0.15 * (1 - f.at[fi, "compliance"])
                dec = "rejected" if u < pr else ("returned" if u < pr + 0.05 else "approved")
            rows.append(dict(official_id=oid, firm_id=f.firm_id[fi], applied_at=str(a),
                             decided_at=str(a + timedelta(days=dd)), kind=kind, decision=dec, statutory_days=stat))

        for fi in range(len(f)):
            sz = f.at[fi, "size"] ** 0.35
            for d, kinds in APPR.items():
                n = r.poisson(APPR_RATE[d] * sz * yrs)
                pool = appr_by[d]
                if APPR_TERRITORY[d]:
                    loc = pool[[f.at[fi, "home_r"] in (x or []) for x in pool.territory]]
                    if len(loc):
                        pool = loc
                ids = pool.official_id.values
                for _ in range(n):
                    kind, stat = kinds[r.integers(len(kinds))]
                    oid = ids[r.integers(len(ids))]
                    add(oid, fi, kind, stat, (oid, fi) in fast)
        for (oid, fi), p in fast.items():
            d = p["dept"]
            m = int(r.integers(3, 6) if p["strength"] == "hard" else r.integers(7, 15))
            for _ in range(m):
                kind, stat = APPR[d][r.integers(len(APPR[d]))]
                add(oid, fi, kind, stat, True)
        ap = pd.DataFrame(rows).sort_values("applied_at", kind="stable").reset_index(drop=True)
        ap.insert(0, "approval_id", [f"A{i:06d}" for i in range(1, len(ap) + 1)])
        self.ap = ap

    # ---------------- output
    def write(self, out: Path) -> None:
        """The CSV bundle and truth.json (the planted rings and pairs, the decoys and the sizes)."""
        out.mkdir(parents=True, exist_ok=True)
        f, off, t = self.f, self.off, self.t
        pd.DataFrame([dict(department_id=k, name=v) for k, v in DEPTS.items()]).to_csv(
            out / "departments.csv", index=False)
        off[["official_id", "name", "department_id", "role", "phone", "email", "address"]].to_csv(
            out / "officials.csv", index=False)
        f[["firm_id", "name", "reg_no", "phone", "email", "address"]].to_csv(out / "firms.csv", index=False)
        pd.DataFrame(self.persons).to_csv(out / "persons.csv", index=False)
        pd.DataFrame(self.roles).to_csv(out / "person_roles.csv", index=False)
        pd.DataFrame(self.relations).to_csv(out / "relations.csv", index=False)
        tt = t.copy()
        tt["title"] = [f"{c.capitalize()} works, {g} lot {i}"
                       for i, (c, g) in enumerate(zip(tt.category, tt.region, strict=True))]
        tt["currency"] = "CNY"
        tt["published_at"] = [str(START + timedelta(days=int(x))) for x in tt.pub]
        tt["deadline_at"] = [str(START + timedelta(days=int(x))) for x in tt.deadline]
        tt[["tender_id", "department_id", "title", "category", "region", "budget", "currency", "published_at",
            "deadline_at", "procedure", "winner_firm_id", "award_amount"]].to_csv(out / "tenders.csv", index=False)
        self.bids.to_csv(out / "bids.csv", index=False)
        self.evals.to_csv(out / "evaluations.csv", index=False)
        self.ins.to_csv(out / "inspections.csv", index=False)
        self.ap.to_csv(out / "approvals.csv", index=False)
        tr = self.truth
        tr["pairs"] = [{k: v for k, v in p.items() if k not in ("oi", "fi")} for p in self.pair_plan]
        tr["steered_tenders"] = sorted(t.tender_id[s] for s in self.steer)
        dp = tr["decoys"]["pairs"]
        planted = {(p["official_id"], p["firm_id"]) for p in tr["pairs"]}
        dp["tiny_district_official"] = [[self.tiny_official, x] for x in self.tiny]
        si = self.ins[self.ins.official_id == self.strict_official].firm_id.value_counts()
        dp["strict_fair_official"] = [[self.strict_official, x] for x in si.index
                                      if (self.strict_official, x) not in planted]
        bi = self.ins[self.ins.firm_id == self.big_firm].official_id.unique().tolist()
        dp["big_firm_everyone_inspects"] = [[o, self.big_firm] for o in bi if (o, self.big_firm) not in planted]
        tr["decoy_officials"] = dict(tiny_district=self.tiny_official, strict_fair=self.strict_official)
        tr["big_firm"] = self.big_firm
        tr["sizes"] = dict(firms=len(f), tenders=len(t), bids=len(self.bids), officials=len(off),
                           inspections=len(self.ins), approvals=len(self.ap), evaluations=len(self.evals),
                           persons=len(self.persons))
        (out / "truth.json").write_text(json.dumps(tr, indent=1, default=_plain))


def _plain(value: Any) -> Any:
    """JSON for numpy scalars (their Python value), and anything else as its text."""
    return value.item() if hasattr(value, "item") else str(value)


def generate(seed: int, out: Path) -> dict[str, Any]:
    """Draw the city of ``seed``, write its CSV bundle and truth.json to ``out``; the truth."""
    city = _City(seed)
    city.make_officials()
    city.make_firms()
    city.make_tenders()
    city.plant_rings()
    city.plant_pairs()
    city.price()
    city.make_evaluations()
    city.make_inspections()
    city.make_approvals()
    city.write(out)
    return city.truth


# ---------------------------------------------------------------- bundle → detectors


def bundle_market(folder: Path) -> MarketData:
    """A CSV bundle folder as MarketData, read as it is written (every column as text, absent files
    empty; not validated or normalised as ``loaders.csv_bundle.read_bundle`` and a load do it):
    person names joined onto roles and relations, identifiers gathered from the firms',
    officials' and persons' phone, email and address columns."""

    def read(name: str) -> pd.DataFrame:
        path = folder / f"{name}.csv"
        return pd.read_csv(path, dtype=str, keep_default_na=True) if path.exists() else pd.DataFrame()

    firms, officials, persons = read("firms"), read("officials"), read("persons")
    names = persons.set_index("person_id")["name"] if "name" in persons else pd.Series(dtype=str)
    roles, relations = read("person_roles"), read("relations")
    if len(roles):
        roles["person_name"] = roles["person_id"].map(names)
    if len(relations):
        relations["person_name"] = relations["person_id"].map(names)
    held = [firms[["firm_id", k]].rename(columns={k: "value"}).assign(kind=k) for k in ("phone", "email", "address")
            if len(firms) and k in firms]
    firm_ids = pd.concat(held).dropna(subset=["value"]) if held else pd.DataFrame()
    owned = [frame[[key, k]].rename(columns={key: "owner_id", k: "value"}).assign(owner_kind=owner, kind=k)
             for frame, key, owner in ((officials, "official_id", "official"), (persons, "person_id", "person"))
             for k in ("phone", "email", "address") if len(frame) and k in frame]
    person_ids = pd.concat(owned).dropna(subset=["value"]) if owned else pd.DataFrame()
    parts = dict(tenders=read("tenders"), bids=read("bids"), firms=firms, officials=officials,
                 departments=read("departments"), inspections=read("inspections"), approvals=read("approvals"),
                 evaluations=read("evaluations"), person_roles=roles, relations=relations,
                 firm_identifiers=firm_ids, person_identifiers=person_ids, assignments=read("assignments"))
    return MarketData.build(**{k: v for k, v in parts.items() if len(v)}).with_winners()


@dataclass
class Detected:
    """What the detectors report on one bundle, each list ranked best first."""

    rings: list[Finding]
    pairs: list[Finding]
    risk: pd.DataFrame  # tender_risk_scores: tender_id, score, …
    linked: list[Finding]


def detect(folder: Path) -> Detected:
    """Rings, closeness pairs, tender risk (raised by the rings) and linked bidders on a bundle."""
    data = bundle_market(folder)
    ring_findings = rings.detect(data, seed=0)
    return Detected(rings=[f for f in ring_findings if f.kind == "ring"],
                    pairs=[f for f in closeness.detect(data) if f.kind == "pair"],
                    risk=tender_risk.tender_risk_scores(data, rings=ring_findings),
                    linked=linked_bidders.detect(data))


# ---------------------------------------------------------------- scoring


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    return quality_jaccard(set(a), set(b))


def auc(labels: Any, scores: Any) -> float:
    """ROC-AUC (:func:`quality.roc_auc`) over the scores that are not NaN."""
    y = np.asarray(labels, bool)
    s = np.asarray(scores, float)
    ok = ~np.isnan(s)
    return roc_auc(y[ok], s[ok])


def matches_decoy(members: Iterable[str], decoy: Iterable[str]) -> bool:
    """A reported group matches a decoy group: Jaccard ≥ 0.5, or at least two and 75 % of its members
    come from it."""
    fm, g = set(members), set(decoy)
    return jaccard(fm, g) >= JACCARD or (len(fm & g) >= 2 and len(fm & g) / max(1, len(fm)) >= 0.75)


@dataclass
class Summary:
    """One seed's numbers for the summary line."""

    seed: int
    ring_recall: tuple[int, int]
    ring_precision: tuple[int, int]
    decoys: list[str]
    pair_recall: tuple[int, int]
    decoy_pairs: int
    auc_risk: float
    auc_cv: float
    auc_risk3: float  # on the tenders with 3 or more valid bids
    auc_cv3: float
    linked: tuple[int, int]  # findings, inside a planted ring

    def line(self) -> str:
        return (f"seed {self.seed}: rings recall {self.ring_recall[0]}/{self.ring_recall[1]} "
                f"prec@n {self.ring_precision[0]}/{self.ring_precision[1]} decoys {self.decoys or '-'} | "
                f"pairs recall {self.pair_recall[0]}/{self.pair_recall[1]} decoy-pairs {self.decoy_pairs} | "
                f"AUC risk {self.auc_risk:.3f} vs -CV {self.auc_cv:.3f} "
                f"(3+ bids {self.auc_risk3:.3f} vs {self.auc_cv3:.3f}) | "
                f"linked {self.linked[1]}/{self.linked[0]} inside rings")


def _rounded(score: float | None) -> float | None:
    return None if score is None else round(float(score), 3)


def score_rings(truth: dict[str, Any], found: list[Finding]) -> tuple[int, int, list[str]]:
    """Print the rings' lines; (planted found in the top k, reported rings in the top n matching a planted
    one, decoys matched in the top n)."""
    planted = truth["rings"]
    npl = len(planted)
    k = npl + 4
    decoys = truth["decoys"]["rings"]
    hits = 0
    lines = []
    for pr in planted:
        best: tuple[float, int | None, float | None] = (0.0, None, None)
        for rank, f in enumerate(found, 1):
            j = jaccard(f.firms, pr["firms"])
            if j > best[0]:
                best = (j, rank, f.score)
        hit = any(jaccard(f.firms, pr["firms"]) >= JACCARD for f in found[:k])  # as quality.py counts it
        hits += hit
        weak = " (weak)" if pr["weak"] else ""
        lines.append(f"   {pr['ring']:6s} {pr['form']:17s}{weak:7s} n={len(pr['firms'])} "
                     f"rigged={len(pr['rigged_tenders']):3d} bestJ={best[0]:.2f} rank={best[1]} "
                     f"score={_rounded(best[2])} {'FOUND' if hit else 'missed'}")
    correct = sum(any(jaccard(f.firms, pr["firms"]) >= JACCARD for pr in planted) for f in found[:npl])
    in_n = sorted({name for f in found[:npl] for name, g in decoys.items() if matches_decoy(f.firms, g)})
    in_k = sorted({name for f in found[:k] for name, g in decoys.items() if matches_decoy(f.firms, g)})
    print(f" RINGS  recall@{k} = {hits}/{npl}   precision@{npl} = {correct}/{npl}   reported={len(found)}   "
          f"decoys in top{npl}: {in_n or '-'}  (in top{k}: {in_k or '-'})")
    for line in lines:
        print(line)
    # what the top k reported rings are made of
    for rank, f in enumerate(found[:k], 1):
        best_planted = max(((jaccard(f.firms, pr["firms"]), pr["ring"]) for pr in planted), default=(0, None))
        best_decoy = max(((jaccard(f.firms, g), n) for n, g in decoys.items()), default=(0, None))
        print(f"     #{rank} score={float(f.score):.3f} n={len(f.firms)} best planted {best_planted[1]} "
              f"J={best_planted[0]:.2f}; best decoy {best_decoy[1]} J={best_decoy[0]:.2f}")
    return hits, correct, in_n


def score_pairs(truth: dict[str, Any], pairs: list[Finding]) -> tuple[int, int]:
    """Print the pairs' lines; (planted pairs in the top m, decoy pairs there)."""
    planted = truth["pairs"]
    m = len(planted) + 7
    keyed = [(f.official_id, f.firm_id) for f in pairs]
    pos: dict[tuple[str | None, str | None], int] = {}
    for i, key in enumerate(keyed, 1):
        pos.setdefault(key, i)
    hits = [p for p in planted if pos.get((p["official_id"], p["firm_id"]), 10**9) <= m]
    print(f" PAIRS  recall@{m} = {len(hits)}/{len(planted)}   reported={len(pairs)}")
    for p in planted:
        key = (p["official_id"], p["firm_id"])
        rank = pos.get(key)
        score = pairs[rank - 1].score if rank else None
        print(f"   {key[0]}-{key[1]} {'+'.join(p['mechanisms']):55s} {p['strength']:5s} "
              f"rank={rank if rank else 'not reported'} score={_rounded(score)} "
              f"{'found' if rank and rank <= m else 'MISSED'}")
    decoys = {name: {tuple(x) for x in v} for name, v in truth["decoys"]["pairs"].items()}
    top_decoys = [(i, key, name) for i, key in enumerate(keyed[:m], 1) for name, s in decoys.items() if key in s]
    print(f"   decoy pairs in top{m}: {[(i, f'{a}-{b}', n) for i, (a, b), n in top_decoys] or '-'}")
    planted_keys = {(p["official_id"], p["firm_id"]) for p in planted}
    other = [(i, key) for i, key in enumerate(keyed[:m], 1)
             if key not in planted_keys and not any(key in s for s in decoys.values())]
    ring_firms = {x for pr in truth["rings"] for x in pr["firms"]}
    of_rings = [(i, f"{a}-{b}") for i, (a, b) in other if b in ring_firms]
    print(f"   other (unplanted, non-decoy) pairs in top{m}: {len(other)}, "
          f"of which firm is a planted ring member: {of_rings or '-'}")
    return len(hits), len(top_decoys)


def score_tenders(truth: dict[str, Any], risk: pd.DataFrame, folder: Path) -> tuple[float, float, float, float]:
    """Print the tender AUC lines; (AUC of risk, of −CV) on the ring-rigged tenders among those with at
    least 2 valid bids (not disqualified), where both are defined, a tender risk does not score
    (fewer than 3 bids) ranking lowest; then the two on those with at least 3, which risk scores."""
    t = pd.read_csv(folder / "tenders.csv", dtype=str)
    b = pd.read_csv(folder / "bids.csv", dtype={"tender_id": str, "disqualified": str})
    b = b[~b["disqualified"].fillna("false").str.lower().isin(["true", "1", "yes"])]
    rigged = set(truth["rigged_tenders"])
    steered = set(truth["steered_tenders"])
    r = risk[["tender_id", "score"]].copy()
    r["score"] = pd.to_numeric(r["score"], errors="coerce")
    df = t[["tender_id"]].merge(r, on="tender_id", how="left")
    missing = int(df.score.isna().sum())
    cv = b.groupby("tender_id").amount.agg(lambda a: a.std(ddof=0) / a.mean() if len(a) >= 2 else np.nan)
    df["negcv"] = -df.tender_id.map(cv)
    df["nb"] = df.tender_id.map(b.groupby("tender_id").size()).fillna(0)
    y_r = df.tender_id.isin(rigged).values
    y_a = df.tender_id.isin(rigged | steered).values
    m2 = (df.nb >= 2).values
    score = df.score.fillna(df.score.min()).values
    negcv = df.negcv.values
    auc_risk, auc_cv = auc(y_r[m2], score[m2]), auc(y_r[m2], negcv[m2])
    print(f" TENDERS  on tenders with >= 2 valid bids: AUC risk {auc_risk:.3f}  -CV {auc_cv:.3f}  "
          f"(rigged and steered: risk {auc(y_a[m2], score[m2]):.3f})  "
          f"[rigged={y_r.sum()} steered={len(steered)} tenders={len(df)} with >= 2 valid bids={int(m2.sum())} "
          f"not scored by tender risk={missing}]")
    m3 = (df.nb >= 3).values  # where tender risk scores: the two compared on the same tenders
    auc_risk3, auc_cv3 = auc(y_r[m3], score[m3]), auc(y_r[m3], negcv[m3])
    print(f"   on tenders with >= 3 valid bids: AUC risk {auc_risk3:.3f}  -CV {auc_cv3:.3f}  "
          f"[rigged={int(y_r[m3].sum())} of {int(m3.sum())}]")
    per = []
    for pr in truth["rings"]:
        yy = df.tender_id.isin(set(pr["rigged_tenders"])).values
        if yy[m2].sum():
            per.append(f"{pr['ring']}:{auc(yy[m2], score[m2]):.2f}/{auc(yy[m2], negcv[m2]):.2f}")
    print(f"   per ring AUC risk/-CV: {' '.join(per)}")
    return auc_risk, auc_cv, auc_risk3, auc_cv3


def score_linked(truth: dict[str, Any], linked: list[Finding]) -> int:
    """Print the linked-bidder lines; how many findings lie inside a planted ring."""
    rings_firms = [set(pr["firms"]) for pr in truth["rings"]]
    inside = sum(bool(f.firms) and any(set(f.firms) <= g for g in rings_firms) for f in linked)
    print(f" LINKED  findings={len(linked)}  inside a planted ring={inside}")
    for f in linked[:8]:
        print(f"   {sorted(set(f.firms))} score={f.score} :: {f.explanation[:160]}")
    return inside


def score_seed(seed: int, root: Path) -> Summary:
    """Generate the city of ``seed`` into root/seed<N>, run the detectors, print the seed's lines."""
    folder = root / f"seed{seed}"
    t0 = time.perf_counter()
    truth = generate(seed, folder)
    t1 = time.perf_counter()
    found = detect(folder)
    t2 = time.perf_counter()
    print(f"\n=== seed {seed}: sizes {truth['sizes']}  gen {t1 - t0:.1f}s detect {t2 - t1:.1f}s")
    ring_hits, ring_correct, decoys = score_rings(truth, found.rings)
    pair_hits, decoy_pairs = score_pairs(truth, found.pairs)
    auc_risk, auc_cv, auc_risk3, auc_cv3 = score_tenders(truth, found.risk, folder)
    inside = score_linked(truth, found.linked)
    sys.stdout.flush()
    n_rings = len(truth["rings"])
    return Summary(seed=seed, ring_recall=(ring_hits, n_rings), ring_precision=(ring_correct, n_rings),
                   decoys=decoys, pair_recall=(pair_hits, len(truth["pairs"])), decoy_pairs=decoy_pairs,
                   auc_risk=auc_risk, auc_cv=auc_cv, auc_risk3=auc_risk3, auc_cv3=auc_cv3, linked=(len(found.linked), inside))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6])
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="write the bundles (and truth.json) to DIR/seed<N> and keep them; "
                             "a temporary folder otherwise")
    args = parser.parse_args(argv)
    summaries: list[Summary] = []
    crashed = []
    with tempfile.TemporaryDirectory(prefix="blind_markets_") as scratch:
        root = args.keep if args.keep is not None else Path(scratch)
        for seed in args.seeds:
            try:
                summaries.append(score_seed(seed, root))
            except Exception:
                print(f"seed {seed} CRASHED")
                traceback.print_exc()
                crashed.append(seed)
    print("\n=== SUMMARY")
    for summary in summaries:
        print(summary.line())
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
