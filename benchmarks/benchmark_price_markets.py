"""Rings and tender risk on a market where most tenders are not won by the lowest bid.

The price screens of the cover-bid literature assume that the lowest bid wins. Chinese works
tendering often awards by a benchmark price (基准价法 / 合理低价法: the bid nearest below K × the
mean of the valid bids wins), Italian works by average-bid auctions (Conley & Decarolis 2016), and
many buyers by a price-and-quality score; there the lowest bid loses about half the time. This
benchmark draws such a city and scores the detectors on it.

**The generator** (``Gen``) was written by a helper who had not read the detectors, from the
literature and the PRC Bidding Law regulation (art. 40: bids prepared by one hand, regular
differences between bids, abnormally identical documents), and is kept as written but for the
file it no longer writes (a per-tender award detail). A Lanzhou-style city, 2021–2023: about 520
firms with phones, e-mails and Chinese addresses, 2,210 tenders in eight categories — five works
categories awarded by the benchmark rule (B = K × trimmed mean, K drawn at opening from
0.950–0.990; score 100 − 1 point per % below B, − 2 per % above; the lowest valid bid wins 30–47 %
of their tenders), three goods and services categories by lowest price. Eight planted rings:
R1 a fixed leader with covers in equal money steps and shared document files, R2 a rotating
winner with shared IPs and a phone, R3 ten firms entering en masse without traces, R4 and R7 classic
lowest-price cover bidding, R5 a weak three-firm ring, R6 "sandwich" covers with shared files and
IPs, R8 a net of bids in equal steps with a shared phone. Decoys: national firms bidding
everywhere, honest regional clusters, an honest affiliated pair, a business-centre address held by
30 firms, and a public terminal IP of the trading-centre hall.

Each seed's market is written as a CSV bundle (``docs/csv_bundle.md``) with ``ground_truth.json``
to a temporary folder (or ``--keep DIR``/seed<N>) and read in memory as
``benchmarks/blind_markets.py`` reads its own (no Neo4j: this measures the method). Printed per
seed: each planted ring's best Jaccard, rank and score and whether its regular differences counted;
rings found (Jaccard ≥ 0.5 in the top planted + 4), precision and decoys in the top planted; the
tender ROC-AUC of tender risk against the rigged tenders (every tender with ≥ 3 valid bids, as
``quality.py``), overall and by award rule, next to the plain −CV's; the tender findings and how
many are rigged; linked bidders inside a ring::

    python benchmarks/benchmark_price_markets.py [--seeds 1 2] [--keep DIR] [--mixed SHARE] [--declared]

``--mixed SHARE`` awards that share of each benchmark-price category's tenders on the lowest price
instead (a works category mixing 经评审的最低投标价法 and 合理低价法 tenders), ``--declared`` writes
each tender's ``award_criteria`` (the two words); the AUC by award rule is then by tender.

Measured (seeds 1, 2), before → after the award-rule guard and regular differences
(``detectors/screens.py`` ``award_rules``, ``detectors/bid_steps.py``): tender ROC-AUC 0.579 /
0.539 → 0.891 / 0.871 (benchmark-price categories 0.524 / 0.481 → 0.948 / 0.948; the plain −CV
0.304 / 0.319); tender findings 70 (45 rigged) / 49 (26 rigged) → 143 (140) / 140 (138); the two
stepped rings 40.7 and 33.7 → 75.7 and 68.7 (seed 1); rings found 8/8 on both seeds before and
after, one decoy (the affiliated pair) in the top 8 on seed 1. With ``--mixed 0.5``, undeclared →
``--declared`` (award rules read by category and declared criteria, ``detectors.screens.award_groups``):
tender ROC-AUC 0.706 / 0.692 → 0.814 / 0.812, on the benchmark-price tenders 0.648 / 0.603 → 0.968 /
0.952; tender findings 133 (109 rigged) / 168 (141) → 127 (115) / 171 (153); the rings' ranks and
scores the same.

References
----------
Conley, T. G., & Decarolis, F. (2016). Detecting bidders groups in collusive auctions. AEJ:
Microeconomics 8(2), 1–38. OECD (2009, rev. 2025). Guidelines for Fighting Bid Rigging in Public
Procurement. 中华人民共和国招标投标法实施条例 (2011), 第四十条.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.blind_markets import auc, bundle_market  # noqa: E402
from benchmarks.quality import jaccard  # noqa: E402
from detectors import linked_bidders, rings, tender_risk  # noqa: E402
from detectors.finding import Finding  # noqa: E402
from detectors.screens import valid_bids  # noqa: E402

TZ = timezone(timedelta(hours=8))
START = datetime(2021, 1, 1, tzinfo=TZ)
DAYS = 3 * 365

REGIONS = ["城关区", "七里河区", "西固区", "安宁区", "红古区", "永登县", "皋兰县", "榆中县"]
REGION_W = np.array([0.24, 0.18, 0.13, 0.12, 0.07, 0.09, 0.07, 0.10])
NEIGHBOURS = {
    "城关区": {"七里河区", "安宁区", "榆中县", "皋兰县"},
    "七里河区": {"城关区", "西固区", "安宁区"},
    "西固区": {"七里河区", "安宁区", "红古区"},
    "安宁区": {"城关区", "七里河区", "西固区", "皋兰县"},
    "红古区": {"西固区", "永登县"},
    "永登县": {"红古区", "皋兰县"},
    "皋兰县": {"永登县", "安宁区", "城关区", "榆中县"},
    "榆中县": {"城关区", "皋兰县"},
}
STREETS = ["东岗西路", "庆阳路", "张掖路", "南滨河路", "北滨河路", "西津西路", "敦煌路", "建宁路",
           "福利路", "银滩路", "安宁西路", "人民路", "新华路", "城关大道", "兴隆大道", "解放路",
           "金城路", "和平路", "友谊路", "滨河东路", "育才路", "民主路", "文化路", "建设路"]

# category -> (award rule, n_tenders, median budget yuan, log-sd, dept weights, honest price level, n firms)
CATS = {
    "房屋建筑工程": ("benchmark", 460, 8.0e6, 0.8, {"D01": 0.75, "D06": 0.15, "D04": 0.10}, 0.915, 120),
    "市政道路工程": ("benchmark", 380, 6.0e6, 0.8, {"D02": 0.85, "D01": 0.15}, 0.905, 90),
    "水利工程": ("benchmark", 300, 4.0e6, 0.7, {"D03": 1.0}, 0.91, 70),
    "园林绿化工程": ("benchmark", 300, 1.5e6, 0.7, {"D04": 0.8, "D02": 0.2}, 0.90, 70),
    "装饰装修工程": ("benchmark", 260, 1.2e6, 0.7, {"D01": 0.4, "D06": 0.35, "D05": 0.25}, 0.92, 70),
    "办公设备采购": ("lowest", 200, 4.0e5, 0.8, {"D05": 0.7, "D06": 0.3}, 0.87, 50),
    "物业管理服务": ("lowest", 150, 8.0e5, 0.6, {"D05": 0.8, "D06": 0.2}, 0.88, 40),
    "医疗设备采购": ("lowest", 160, 1.0e6, 0.9, {"D06": 1.0}, 0.86, 40),
}
INDUSTRY = {
    "房屋建筑工程": ["建筑工程", "建设工程", "建工集团", "建筑安装工程"],
    "市政道路工程": ["市政工程", "路桥工程", "道路工程", "交通建设"],
    "水利工程": ["水利水电工程", "水务工程", "水利建设"],
    "园林绿化工程": ["园林绿化工程", "园林景观", "绿化工程"],
    "装饰装修工程": ["装饰工程", "装饰设计工程", "建筑装饰"],
    "办公设备采购": ["办公设备", "科技", "信息技术", "商贸"],
    "物业管理服务": ["物业管理", "物业服务", "后勤服务"],
    "医疗设备采购": ["医疗器械", "医疗科技", "医药设备"],
}
TITLE_OBJ = {
    "房屋建筑工程": ["综合楼新建工程", "教学楼建设工程", "保障性住房项目", "社区服务中心建设工程", "卫生院业务用房工程"],
    "市政道路工程": ["道路改造工程", "背街小巷提升改造工程", "桥梁维修加固工程", "人行道改造工程", "排水管网工程"],
    "水利工程": ["灌区节水改造工程", "河道治理工程", "人饮安全巩固提升工程", "水库除险加固工程", "供水管网改造工程"],
    "园林绿化工程": ["绿化提升工程", "公园改造工程", "道路绿化工程", "生态修复工程", "游园建设工程"],
    "装饰装修工程": ["办公楼装修改造工程", "门诊楼装饰工程", "学校维修改造工程", "室内装修工程"],
    "办公设备采购": ["办公设备采购项目", "计算机及打印设备采购", "信息化设备采购项目"],
    "物业管理服务": ["物业管理服务采购", "保洁及安保服务项目", "后勤物业服务"],
    "医疗设备采购": ["医疗设备采购项目", "影像设备采购", "检验设备采购项目"],
}
DEPTS = {"D01": "兰州市住房和城乡建设局", "D02": "兰州市交通运输局", "D03": "兰州市水务局",
         "D04": "兰州市园林局", "D05": "兰州市机关事务管理局", "D06": "兰州市卫生健康委员会"}
K_CHOICES = np.round(np.arange(0.95, 0.9901, 0.005), 3)  # drawn at bid opening
BUSINESS_CENTRE = "甘肃省兰州市城关区雁滩路3186号创业大厦"
TERMINAL_IP = "61.178.32.18"  # self-service bidding terminals in the trading centre hall
PREFIX = list("鑫恒泰宏华兴盛达瑞丰源通远博润金祥嘉誉晟汇坤宇聚信德正弘昌隆安邦顺和立新天鼎")


#: the award criteria a tender declares with --declared, as a Chinese record words its 评标办法
CRITERIA = {"benchmark": "合理低价法", "lowest": "经评审的最低投标价法"}


class Gen:
    def __init__(self, seed, mixed=0.0, declared=False):
        self.rng = np.random.default_rng(seed)
        self.seed = seed
        self.mixed = mixed        # share of a benchmark category's tenders awarded on the lowest price
        self.declared = declared  # tenders.csv gives each tender's award_criteria
        self.names = set()
        self.phones = set()
        self.firms = []          # dicts
        self.fidx = {}
        self.bids = []
        self.tenders = []
        self.rigged = set()
        self.ring_of_tender = {}

    # ---------------- helpers
    def phone(self):
        while True:
            p = "1" + str(self.rng.choice([3, 5, 7, 8, 9])) + "".join(map(str, self.rng.integers(0, 10, 9)))
            if p not in self.phones:
                self.phones.add(p)
                return p

    def ip(self):
        r = self.rng
        return f"{r.choice([36, 42, 60, 61, 106, 117, 118, 123, 180, 183, 221, 222])}.{r.integers(1, 255)}.{r.integers(0, 256)}.{r.integers(1, 255)}"

    def hash(self):
        return hashlib.sha256(self.rng.bytes(16)).hexdigest()

    def name(self, cat, region):
        r = self.rng
        city = "兰州" if r.random() < 0.6 else "甘肃"
        if region.endswith("县") and r.random() < 0.5:
            city = region[:-1]
        for _ in range(1000):
            n = f"{city}{''.join(r.choice(PREFIX, 2))}{r.choice(INDUSTRY[cat])}有限公司"
            if n not in self.names:
                self.names.add(n)
                return n
        raise RuntimeError

    def address(self, region):
        r = self.rng
        return f"甘肃省兰州市{region}{r.choice(STREETS)}{r.integers(1, 900)}号"

    def add_firm(self, cats, region, size, tag=None, address=None, activity=None):
        r = self.rng
        fid = f"F{len(self.firms) + 1:04d}"
        f = dict(firm_id=fid, name=self.name(cats[0], region),
                 reg_no="91620" + "".join(r.choice(list("0123456789ABCDEFGHJKLMNPQRTUWXY"), 13)),
                 phone=self.phone(), email=None, address=address or self.address(region), locality=region,
                 cats=list(cats), home=region, size=size, tag=tag,
                 cost=float(r.normal(1.0, 0.02)),
                 activity=float(activity if activity is not None else r.lognormal(0, 0.5)),
                 static_ip=self.ip() if r.random() < 0.7 else None)
        dom = r.choice(["163.com", "126.com", "qq.com", "sina.com"])
        f["email"] = f"{f['phone'] if dom == 'qq.com' else 'gs' + fid.lower() + str(r.integers(10, 99))}@{dom}"
        self.firms.append(f)
        self.fidx[fid] = f
        return fid

    # ---------------- firms
    def make_firms(self):
        r = self.rng
        self.decoys = []
        # big firms bidding everywhere (construction)
        big = []
        for i, cats in enumerate([["房屋建筑工程", "市政道路工程"], ["房屋建筑工程", "水利工程"],
                                  ["市政道路工程", "水利工程", "园林绿化工程"], ["房屋建筑工程", "装饰装修工程"]]):
            big.append(self.add_firm(cats, "城关区" if i % 2 == 0 else "七里河区", "XL", tag="big", activity=3.0))
        self.decoys.append(dict(kind="big_firms", firms=big,
                                why="large firms qualified across categories that bid in most construction tenders everywhere; independent prices"))
        # regional honest clusters
        yz = [self.add_firm(["园林绿化工程"], "榆中县", "S", tag="cluster_yz", activity=2.5) for _ in range(6)]
        yd = [self.add_firm(["市政道路工程"], "永登县", "S", tag="cluster_yd", activity=2.5) for _ in range(5)]
        hg = [self.add_firm(["水利工程"], "红古区", "S", tag="cluster_hg", activity=2.5) for _ in range(4)]
        self.decoys.append(dict(kind="regional_cluster", firms=yz,
                                why="honest local landscaping firms of 榆中县: few firms serve the county, so they meet in most of its tenders; independent prices"))
        self.decoys.append(dict(kind="regional_cluster", firms=yd,
                                why="honest local road contractors of 永登县 co-bidding in most county road tenders; independent prices"))
        self.decoys.append(dict(kind="regional_cluster", firms=hg,
                                why="honest local water contractors of 红古区; independent prices"))
        # joint-venture-like pair (water): co-bid very often, independent prices
        jv = [self.add_firm(["水利工程"], "西固区", "M", tag="jv", activity=2.0),
              self.add_firm(["水利工程"], "西固区", "M", tag="jv", activity=2.0)]
        self.jv = jv
        self.decoys.append(dict(kind="jv_pair", firms=jv,
                                why="honest affiliated pair (group company and its subsidiary, separate qualifications) that bid together in ~80% of each other's tenders; independent prices, own IPs, own documents"))
        # business centre: 30 unrelated firms share one registered address
        bc = []
        cat_list = list(CATS)
        for i in range(30):
            cat = cat_list[i % len(cat_list)]
            bc.append(self.add_firm([cat], "城关区", r.choice(["S", "M"]), tag="bc",
                                    address=BUSINESS_CENTRE))
        self.decoys.append(dict(kind="shared_address", firms=bc,
                                why="business-centre registration address shared by 30 unrelated firms of different trades; nothing else shared"))
        # ordinary firms
        for cat, spec in CATS.items():
            n = spec[6]
            have = sum(1 for f in self.firms if cat in f["cats"])
            for _ in range(max(0, n - have)):
                reg = REGIONS[r.choice(len(REGIONS), p=REGION_W)]
                size = r.choice(["S", "M", "L"], p=[0.5, 0.38, 0.12])
                cats = [cat]
                if r.random() < 0.12:
                    other = r.choice([c for c in CATS if CATS[c][0] == CATS[cat][0] and c != cat])
                    cats.append(str(other))
                self.add_firm(cats, reg, size)

    # ---------------- rings
    def make_rings(self):
        """Pick ring members among ordinary firms (not decoys) and attach mechanisms."""
        r = self.rng

        def pick(cat, regions, n):
            pool = [f["firm_id"] for f in self.firms if f["tag"] is None and f["cats"][0] == cat
                    and f["home"] in regions and not f.get("ring")]
            if len(pool) < n:
                pool += [f["firm_id"] for f in self.firms if f["tag"] is None and f["cats"][0] == cat
                         and not f.get("ring") and f["firm_id"] not in pool]
            chosen = list(r.choice(pool, n, replace=False))
            for c in chosen:
                self.fidx[c]["ring"] = True
            return [str(c) for c in chosen]

        rings = []
        # R1 fixed leader + covers raising the benchmark, covers in equal yuan steps, shared doc hash
        m = pick("房屋建筑工程", {"城关区", "七里河区"}, 7)
        rings.append(dict(id="R1", cat="房屋建筑工程", regions={"城关区", "七里河区", "安宁区"}, p=0.25,
                          firms=m, leaders=m[:1], n_enter=(4, 7), style="leader_covers_high",
                          step=True, hash_share=0.35, ip_share=0.0,
                          mechanism="benchmark manipulation: fixed leader; 3-6 cover firms bid high in equal yuan steps above the leader to lift the trimmed mean so the benchmark (mean x K) lands just above the leader's bid",
                          traces=["regular_difference", "shared_document_hash"]))
        # R2 rotating leader + covers high, shared IP + one shared phone
        m = pick("市政道路工程", {"城关区", "安宁区", "皋兰县"}, 6)
        rings.append(dict(id="R2", cat="市政道路工程", regions={"城关区", "安宁区", "皋兰县", "七里河区"}, p=0.3,
                          firms=m, leaders=m, n_enter=(4, 6), style="leader_covers_high", near=2,
                          step=False, hash_share=0.0, ip_share=0.30,
                          mechanism="benchmark manipulation with rotation: designated winner rotates among all members; the others enter as covers bidding near the control price to lift the benchmark",
                          traces=["shared_ip", "shared_phone"]))
        self.fidx[m[1]]["phone"] = self.fidx[m[4]]["phone"]
        # R3 big ring, net of core members across the K band + many covers, no traces
        m = pick("水利工程", {"榆中县", "皋兰县", "城关区", "永登县"}, 10)
        rings.append(dict(id="R3", cat="水利工程", regions={"榆中县", "皋兰县", "城关区", "永登县", "安宁区"}, p=0.4,
                          firms=m, leaders=m[:3], n_enter=(6, 10), style="net_plus_covers",
                          step=False, hash_share=0.0, ip_share=0.0,
                          mechanism="benchmark manipulation en masse (Conley-Decarolis style): 6-10 members enter; 2-3 core members spread bids across the K band (net) while the rest bid high to move the trimmed mean; no identifier traces, randomised amounts",
                          traces=[]))
        # R4 lowest-price classic cover bidding, rotation, shared email
        m = pick("办公设备采购", {"城关区", "七里河区", "西固区"}, 4)
        rings.append(dict(id="R4", cat="办公设备采购", regions=set(REGIONS), p=0.35,
                          firms=m, leaders=m, n_enter=(3, 4), style="lowest_cover",
                          step=False, hash_share=0.0, ip_share=0.0,
                          mechanism="classic cover bidding in a lowest-price category: designated winner rotates and bids ~5% above competitive level; covers bid 2-9% above the designated winner",
                          traces=["shared_email"]))
        self.fidx[m[2]]["email"] = self.fidx[m[0]]["email"]
        # R5 weak small ring, leader + 2 covers, loses often, no traces
        m = pick("园林绿化工程", {"西固区", "红古区"}, 3)
        rings.append(dict(id="R5", cat="园林绿化工程", regions={"西固区", "红古区", "七里河区"}, p=0.3,
                          firms=m, leaders=m[:1], n_enter=(3, 3), style="leader_covers_high",
                          step=False, hash_share=0.0, ip_share=0.0,
                          mechanism="weak benchmark ring: fixed leader + 2 covers bidding high; too few bids to control the mean, loses often",
                          traces=[]))
        # R6 sandwich covers around designated winner, shared documents and IP (one hand)
        m = pick("装饰装修工程", {"城关区", "安宁区"}, 5)
        rings.append(dict(id="R6", cat="装饰装修工程", regions={"城关区", "安宁区", "七里河区"}, p=0.35,
                          firms=m, leaders=m, n_enter=(3, 5), style="sandwich",
                          step=False, hash_share=0.5, ip_share=0.5,
                          mechanism="benchmark ring with rotation: covers bid both below and above the designated winner (sandwich) so the trimmed mean centres on winner/K; bids often prepared by one hand",
                          traces=["shared_document_hash", "shared_ip"]))
        # R7 lowest-price property services, rotation, no traces
        m = pick("物业管理服务", {"城关区", "七里河区", "安宁区", "西固区"}, 5)
        rings.append(dict(id="R7", cat="物业管理服务", regions=set(REGIONS), p=0.4,
                          firms=m, leaders=m, n_enter=(3, 5), style="lowest_cover",
                          step=False, hash_share=0.0, ip_share=0.0,
                          mechanism="classic cover bidding in a lowest-price category with rotation; no identifier traces",
                          traces=[]))
        # R8 pure net across K band with regular ratio steps, shared agent phone
        m = pick("房屋建筑工程", {"永登县", "皋兰县", "榆中县", "红古区"}, 6)
        rings.append(dict(id="R8", cat="房屋建筑工程", regions={"永登县", "皋兰县", "榆中县", "红古区"}, p=0.35,
                          firms=m, leaders=m, n_enter=(5, 6), style="net_regular",
                          step=True, hash_share=0.0, ip_share=0.0,
                          mechanism="benchmark 'net' (撒网): members bid at a predicted trimmed mean times 0.95, 0.96, ... in equal steps so whichever K is drawn a member sits just under the benchmark",
                          traces=["regular_difference", "shared_phone"]))
        ph = self.fidx[m[0]]["phone"]
        for x in m[1:3]:
            self.fidx[x]["phone"] = ph
        for rg in rings:
            rg["n_won"] = 0
            rg["tenders"] = []
            for fid in rg["firms"]:
                self.fidx[fid]["ring"] = rg["id"]
        self.rings = rings
        self.ring_by_id = {rg["id"]: rg for rg in rings}

    # ---------------- tenders
    def honest_entrants(self, cat, region, n, exclude=()):
        r = self.rng
        elig = [f for f in self.firms if cat in f["cats"] and f["firm_id"] not in exclude]
        w = []
        for f in elig:
            if f["size"] == "XL":
                g = 1.0
            elif f["home"] == region:
                g = 1.0
            elif region in NEIGHBOURS[f["home"]]:
                g = 0.30
            else:
                g = 0.10 if f["size"] != "S" else 0.04
            sw = {"S": 0.7, "M": 1.0, "L": 1.6, "XL": 1.0}[f["size"]]
            w.append(f["activity"] * sw * g)
        w = np.array(w)
        n = min(n, len(elig))
        idx = r.choice(len(elig), n, replace=False, p=w / w.sum())
        chosen = [elig[i]["firm_id"] for i in idx]
        # jv pair: partner follows with prob 0.8
        for a, b in (self.jv, self.jv[::-1]):
            if a in chosen and b not in chosen and cat in self.fidx[b]["cats"] and r.random() < 0.8:
                chosen.append(b)
        # at most one member of any ring in an honest (non-targeted) entry
        seen, out = set(), []
        for c in chosen:
            rg = self.fidx[c].get("ring")
            if rg:
                if rg in seen:
                    continue
                seen.add(rg)
            out.append(c)
        return out

    def honest_amount(self, cat, budget, level, fid, rule):
        r = self.rng
        f = self.fidx[fid]
        if rule == "benchmark":
            x = level * f["cost"] * r.normal(1.0, 0.025)
        else:
            x = level * f["cost"] * r.normal(1.0, 0.035)
        return x * budget

    @staticmethod
    def trimmed_mean(vals):
        v = sorted(vals)
        n = len(v)
        if n >= 7:
            k = math.ceil(0.1 * n)
            v = v[k:n - k]
        elif n >= 5:
            v = v[1:-1]
        return sum(v) / len(v)

    def ring_plan(self, rg, budget, level_hat, n_honest_hat, members):
        """Return {firm: amount} for a targeted benchmark/lowest tender."""
        r = self.rng
        style = rg["style"]
        lead_pool = [m for m in members if m in rg["leaders"]] or members[:1]
        leader = str(r.choice(lead_pool))
        covers = [m for m in members if m != leader]
        out = {}
        if style == "lowest_cover":
            w = budget * level_hat * r.uniform(1.00, 1.035)
            w = min(w, budget * 0.985)
            out[leader] = w
            for c in covers:
                out[c] = min(w * r.uniform(1.02, 1.09), budget * 0.999)
            return out, leader
        honest_guess = [budget * level_hat] * n_honest_hat
        if style == "leader_covers_high":
            if rg["step"]:
                step = round(budget * r.uniform(0.006, 0.009), -3)
                # leader bid solved below; covers = leader + i*step
                lead = budget * level_hat * 0.97
                for _ in range(8):
                    cov = [lead + (i + 1) * step for i in range(len(covers))]
                    mu = self.trimmed_mean(honest_guess + cov + [lead])
                    lead = round(mu * 0.968, -2)
                cov = [lead + (i + 1) * step for i in range(len(covers))]
                if max(cov) > budget * 0.999:
                    cov = [budget * 0.999 - (len(covers) - 1 - i) * step for i in range(len(covers))]
                out[leader] = lead
                for c, a in zip(covers, cov, strict=False):
                    out[c] = a
            else:
                near = rg.get("near", 1)
                backups = covers[:near - 1]
                covers = covers[near - 1:]
                ks = [0.968] if near == 1 else list(np.linspace(0.958, 0.978, near))
                cov = [budget * r.uniform(0.955, 0.995) for _ in covers]
                nb = [budget * level_hat * k for k in ks]
                for _ in range(8):
                    mu = self.trimmed_mean(honest_guess + cov + nb)
                    nb = [mu * k * r.uniform(0.998, 1.002) for k in ks]
                for c, a in zip([leader] + backups, nb, strict=False):
                    out[c] = a
                for c, a in zip(covers, cov, strict=False):
                    out[c] = a
            return out, leader
        if style == "net_plus_covers":
            core = [m for m in members if m in rg["leaders"]]
            rest = [m for m in members if m not in rg["leaders"]]
            cov = [budget * r.uniform(0.95, 0.995) for _ in rest]
            ks = np.linspace(0.955, 0.985, len(core)) if len(core) > 1 else [0.97]
            net = [budget * level_hat * k for k in ks]
            for _ in range(8):
                mu = self.trimmed_mean(honest_guess + cov + net)
                net = [mu * k * r.uniform(0.997, 1.0) for k in ks]
            for c, a in zip(core, net, strict=False):
                out[c] = a
            for c, a in zip(rest, cov, strict=False):
                out[c] = a
            return out, str(core[int(np.argmin(np.abs(np.array(ks) - 0.97)))])
        if style == "net_regular":
            order = list(members)
            r.shuffle(order)
            ks = [0.945 + 0.01 * i for i in range(len(order))]
            mu = budget * level_hat
            for _ in range(8):
                net = [round(mu * k, -2) for k in ks]
                mu = self.trimmed_mean(honest_guess + net)
            base = round(mu * ks[0], -2)
            step = round(mu * 0.01, -2)
            for i, c in enumerate(order):
                out[c] = base + i * step
            return out, order[int(np.argmin(np.abs(np.array(ks) - 0.97)))]
        if style == "sandwich":
            rel = []
            for i, _ in enumerate(covers):
                if i % 2 == 0:
                    rel.append(r.uniform(0.96, 0.99))            # below the designated winner
                else:
                    rel.append(r.uniform(1.01, 1.04) / 0.97)     # above the benchmark
            lead = budget * level_hat * 0.99
            for _ in range(8):
                bidsx = [lead] + [lead * x for x in rel]
                mu = self.trimmed_mean(honest_guess + bidsx)
                lead = mu * 0.968
            out[leader] = lead
            for c, x in zip(covers, rel, strict=False):
                out[c] = min(lead * x, budget * 0.998)
            return out, leader
        raise ValueError(style)

    def award(self, rule, budget, bids):
        """bids: list of dicts with amount, disq. Returns (winner index or None, info)."""
        valid = [i for i, b in enumerate(bids) if not b["disq"]]
        if len(valid) < 3:
            return None, {"failed": True}
        if rule == "lowest":
            i = min(valid, key=lambda i: (bids[i]["amount"], bids[i]["ts"]))
            return i, {}
        K = float(self.rng.choice(K_CHOICES))
        mu = self.trimmed_mean([bids[i]["amount"] for i in valid])
        B = mu * K

        def score(a):
            d = (a - B) / B * 100
            return 100 - (abs(d) * 1.0 if d <= 0 else d * 2.0)
        i = max(valid, key=lambda i: (score(bids[i]["amount"]), -bids[i]["ts"].timestamp()))
        return i, {"K": K, "benchmark": B}

    def make_tenders(self):
        r = self.rng
        tid = 0
        for cat, (cat_rule, n_t, med, sd, deptw, level, _) in CATS.items():
            for _ in range(n_t):
                rule = cat_rule
                tid += 1
                t_id = f"T{tid:05d}"
                region = REGIONS[r.choice(len(REGIONS), p=REGION_W)]
                budget = round(float(med * r.lognormal(0, sd)), -2)
                pub = START + timedelta(days=int(r.integers(0, DAYS - 40)), hours=int(r.integers(9, 17)))
                deadline = (pub + timedelta(days=int(r.integers(20, 31)))).replace(hour=9, minute=30, second=0)
                dept = list(deptw)[r.choice(len(deptw), p=list(deptw.values()))]
                title = f"{region}{r.choice(['', '', '某镇', '某街道', '新区'])}{r.choice(TITLE_OBJ[cat])}"
                lvl = float(r.normal(level, 0.012))
                if self.mixed and rule == "benchmark" and r.random() < self.mixed:
                    rule = "lowest"
                if rule == "benchmark":
                    lam = max(2.0, 6 + 2.0 * math.log(budget / med))
                    n_h = 3 + int(r.poisson(lam))
                else:
                    n_h = 2 + int(r.poisson(3.0))
                n_h = min(n_h, 22)
                # targeted by a ring?
                ring = None
                for rg in self.rings:
                    if rg["cat"] == cat and region in rg["regions"] and r.random() < rg["p"]:
                        ring = rg
                        break
                lead = None
                if ring:
                    lo, hi = ring["n_enter"]
                    k = int(r.integers(lo, hi + 1))
                    k = min(k, len(ring["firms"]))
                    must = list(ring["leaders"]) if ring["style"] == "net_plus_covers" else [str(r.choice(ring["leaders"]))]
                    rest = [x for x in ring["firms"] if x not in must]
                    members = must + [str(x) for x in r.choice(rest, max(0, k - len(must)), replace=False)]
                    if ring["style"] in ("lowest_cover",):
                        n_h = int(r.choice([0, 0, 1, 1, 2]))  # outsiders deterred (pre-arranged market)
                    else:
                        n_h = max(2, n_h - int(r.integers(1, 5)))
                    lvl_hat = level + float(r.normal(0, 0.005))
                    plan, lead = self.ring_plan(ring, budget, lvl_hat, n_h, members)
                    excl = set(ring["firms"])
                    honest = self.honest_entrants(cat, region, n_h, exclude=excl)
                else:
                    plan = {}
                    honest = self.honest_entrants(cat, region, n_h)
                bids = []
                for fid in honest:
                    bids.append(dict(firm=fid, amount=self.honest_amount(cat, budget, lvl, fid, rule), ring=False))
                for fid, a in plan.items():
                    bids.append(dict(firm=fid, amount=a, ring=True))
                # timestamps, ip, hash, disqualification
                hand_ip = self.fidx[lead]["static_ip"] or self.ip() if ring else None
                share_ip = ring is not None and r.random() < ring["ip_share"]
                share_hash = ring is not None and r.random() < ring["hash_share"]
                hand_hash = self.hash()
                hand_time = deadline - timedelta(hours=float(r.uniform(2, 40)))
                sharers = set()
                if share_ip or share_hash:
                    ring_bids = [b["firm"] for b in bids if b["ring"]]
                    k = int(r.integers(2, min(4, len(ring_bids)) + 1))
                    sharers = set(str(x) for x in r.choice(ring_bids, k, replace=False))
                for b in bids:
                    f = self.fidx[b["firm"]]
                    if rule == "benchmark" or b["ring"]:
                        b["amount"] = round(b["amount"], 2) if not (ring and ring["step"] and b["ring"]) else round(b["amount"], 0)
                    else:
                        b["amount"] = round(b["amount"], 2)
                    b["ts"] = deadline - timedelta(hours=float(r.uniform(1, 120)))
                    if b["ts"].hour < 8:
                        b["ts"] = b["ts"].replace(hour=int(r.integers(8, 18)))
                    b["ip"] = f["static_ip"] or self.ip()
                    if f["size"] == "S" and r.random() < 0.04:
                        b["ip"] = TERMINAL_IP
                    b["hash"] = self.hash()
                    if b["firm"] in sharers:
                        if share_ip:
                            b["ip"] = hand_ip
                            b["ts"] = hand_time + timedelta(minutes=float(r.uniform(0, 25)))
                        if share_hash:
                            b["hash"] = hand_hash
                    b["disq"] = False
                    if b["amount"] > budget:
                        b["disq"] = True
                    elif rule == "lowest" and b["amount"] < 0.72 * budget:
                        b["disq"] = True
                    elif not b["ring"] and r.random() < 0.025:
                        b["disq"] = True
                    elif b["ring"] and b["firm"] != lead and r.random() < 0.03:
                        b["disq"] = True
                win, info = self.award(rule, budget, bids)
                winner = bids[win]["firm"] if win is not None else None
                amount = bids[win]["amount"] if win is not None else None
                if ring:
                    self.rigged.add(t_id)
                    ring["tenders"].append(t_id)
                    if winner in ring["firms"]:
                        ring["n_won"] += 1
                self.tenders.append(dict(tender_id=t_id, department_id=dept, title=title, category=cat,
                                         region=region, budget=f"{budget:.2f}", currency="CNY",
                                         published_at=pub.date().isoformat(),
                                         deadline_at=deadline.date().isoformat(), procedure="公开招标",
                                         **({"award_criteria": CRITERIA[rule]} if self.declared else {}),
                                         winner_firm_id=winner or "",
                                         award_amount=f"{amount:.2f}" if amount is not None else "",
                                         _rule=rule, _K=info.get("K"), _bench=info.get("benchmark"),
                                         _ring=ring["id"] if ring else None))
                for b in bids:
                    self.bids.append(dict(bid_id=f"B{len(self.bids) + 1:06d}", tender_id=t_id, firm_id=b["firm"],
                                          amount=f"{b['amount']:.2f}", submitted_at=b["ts"].isoformat(timespec="seconds"),
                                          ip=b["ip"], document_hash=b["hash"],
                                          disqualified="true" if b["disq"] else "false"))

    def write(self, out):
        os.makedirs(out, exist_ok=True)
        pd.DataFrame([dict(department_id=k, name=v) for k, v in DEPTS.items()]).to_csv(
            f"{out}/departments.csv", index=False)
        cols = ["firm_id", "name", "reg_no", "phone", "email", "address", "locality"]
        pd.DataFrame(self.firms)[cols].to_csv(f"{out}/firms.csv", index=False)
        td = pd.DataFrame(self.tenders)
        td[[c for c in td.columns if not c.startswith("_")]].to_csv(f"{out}/tenders.csv", index=False)
        pd.DataFrame(self.bids).to_csv(f"{out}/bids.csv", index=False)
        truth = dict(
            seed=self.seed,
            rings=[dict(id=rg["id"], firms=rg["firms"], category=rg["cat"], mechanism=rg["mechanism"],
                        traces=rg["traces"], style=rg["style"], n_tenders=len(rg["tenders"]),
                        n_won=rg["n_won"], tenders=rg["tenders"]) for rg in self.rings],
            decoys=self.decoys,
            decoy_ip=dict(ip=TERMINAL_IP, why="self-service terminal in the trading-centre hall used by ~4% of small firms' bids; unrelated firms can meet on it in one tender"),
            rigged_tenders=sorted(self.rigged),
            award_rule={c: v[0] for c, v in CATS.items()},
            tender_rule={t["tender_id"]: t["_rule"] for t in self.tenders},
            award_rule_text=dict(
                lowest="lowest valid bid wins (bids above the control price or below 72% of it are invalid)",
                benchmark="benchmark B = K x mean of valid bids (drop highest+lowest when 5-6 valid bids, ceil(10%) each side when >=7), K drawn at opening from 0.950..0.990 step 0.005; score = 100 - 1/% below B, 2/% above B; highest score wins; <3 valid bids: tender fails (no winner)"),
        )
        with open(f"{out}/ground_truth.json", "w") as fh:
            json.dump(truth, fh, ensure_ascii=False, indent=1)


# ---------------------------------------------------------------- scoring

def _decoy_of(members: set[str], truth: dict[str, Any], cartel: set[str]) -> str | None:
    """The decoy group holding most of a reported group's members, or "no cartel firm" (the
    generator's judge)."""
    for decoy in truth["decoys"]:
        if len(members & set(decoy["firms"])) > len(members) / 2:
            return str(decoy["kind"])
    return None if members & cartel else "no cartel firm"


def score_seed(seed: int, folder: Path, mixed: float = 0.0, declared: bool = False) -> dict[str, Any]:
    """Generate one seed's market into ``folder`` (``mixed``, ``declared``: :class:`Gen`), run rings,
    tender risk and linked bidders on it, print and return the figures."""
    gen = Gen(seed, mixed, declared)
    gen.make_firms()
    gen.make_rings()
    gen.make_tenders()
    gen.write(str(folder))
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    data = bundle_market(folder)
    found_rings = [f for f in rings.detect(data, seed=0) if f.kind == "ring"]
    risk = tender_risk.tender_risk_scores(data, rings=found_rings)
    flagged = tender_risk.detect(data, rings=found_rings)
    linked = linked_bidders.detect(data)
    planted, cartel = truth["rings"], {f for r in truth["rings"] for f in r["firms"]}
    n, k = len(planted), len(planted) + 4
    print(f"=== seed {seed}: {len(data.firms)} firms, {len(data.tenders)} tenders, {len(data.bids)} bids; "
          f"{len(found_rings)} rings reported")
    found = 0
    for ring in planted:
        best = max(range(len(found_rings)), key=lambda i: (jaccard(set(found_rings[i].firms), set(ring["firms"])), -i),
                   default=None)
        if best is None:
            print(f"  {ring['id']} {ring['style']:22} not found")
            continue
        f: Finding = found_rings[best]
        j = jaccard(set(f.firms), set(ring["firms"]))
        found += j >= 0.5 and best < k
        facts = f.evidence.get("components", {}).get("price", {}).get("facts", {})
        print(f"  {ring['id']} {ring['style']:22} {ring['category']:8} J {j:.2f} rank {best + 1:3d} score {f.score:5.1f}"
              f"  stepped {facts.get('stepped_tenders', 0)}/{facts.get('tenders_with_three_members', 0)}"
              f"{' (counted)' if facts.get('steps_value', 0) > 0 else ''}  not screened "
              f"{facts.get('tenders_not_read', 0)}")
    top = [set(f.firms) for f in found_rings[:n]]
    decoys = [d for d in (_decoy_of(m, truth, cartel) for m in top) if d]
    precise = sum(max((jaccard(m, set(r["firms"])) for r in planted), default=0) >= 0.5 for m in top)
    print(f"  rings found {found}/{n} (top {k}), precision {precise}/{n}, decoys in the top {n}: "
          f"{', '.join(decoys) or '-'}")
    rigged = set(truth["rigged_tenders"])
    valid = valid_bids(data.bids)
    cv = valid.groupby("tender_id")["amount"].agg(lambda a: a.std(ddof=1) / a.mean())
    scored = risk.assign(y=risk["tender_id"].isin(rigged), negcv=-risk["tender_id"].map(cv),
                         rule=risk["tender_id"].map(truth["tender_rule"]))
    parts = [f"all {auc(scored['y'], scored['score']):.3f} (−CV {auc(scored['y'], scored['negcv']):.3f})"]
    for name, g in scored.groupby("rule"):
        parts.append(f"{name} {auc(g['y'], g['score']):.3f} (−CV {auc(g['y'], g['negcv']):.3f})")
    hits = sum(f.tender_id in rigged for f in flagged)
    print(f"  tender ROC-AUC {'; '.join(parts)} over {len(scored)} tenders with ≥ 3 valid bids, "
          f"{int(scored['y'].sum())} rigged; tender findings {len(flagged)}, {hits} rigged")
    inside = sum(any(set(f.firms) <= set(r["firms"]) for r in planted) for f in linked)
    print(f"  linked bidders {len(linked)}, {inside} inside one planted ring")
    return {"found": found, "planted": n, "precise": precise, "decoys": len(decoys),
            "auc": auc(scored["y"], scored["score"]), "flagged": len(flagged), "flagged_rigged": hits}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write each seed's bundle to DIR/seed<N>")
    parser.add_argument("--mixed", type=float, default=0.0, metavar="SHARE",
                        help="award this share of each benchmark-price category's tenders on the lowest price")
    parser.add_argument("--declared", action="store_true",
                        help="tenders.csv gives each tender's award_criteria (合理低价法, 经评审的最低投标价法)")
    args = parser.parse_args(argv)
    for seed in args.seeds:
        if args.keep:
            folder = args.keep / f"seed{seed}"
            folder.mkdir(parents=True, exist_ok=True)
            score_seed(seed, folder, args.mixed, args.declared)
        else:
            with tempfile.TemporaryDirectory(prefix=f"ironcage-benchmark-price-{seed}-") as tmp:
                score_seed(seed, Path(tmp), args.mixed, args.declared)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
