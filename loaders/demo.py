"""Synthetic procurement market of a Chinese city with planted collusion (the demo data set).

``python -m loaders demo OUT_DIR [--seed N] [--scale F] [--dirty]`` writes the CSV bundle of
docs/csv_bundle.md (its files) plus ``ground_truth.json`` (what was planted, and the decoys an
honest detector must leave alone). Same seed and scale → byte-identical files; every random
step draws from one ``numpy.random.Generator(seed)``. Scale 1 ≈ 1,500 firms and 4,000 tenders
(~2 s); scale 10 takes ~10 s of CPU.

The model
---------
*City.* One of four cities (贵阳, 昆明, 南宁, 兰州), 8–12 of its districts (urban districts
weigh more; one rural county is kept *small*), a 4–5 year period starting 2020 or 2021.

*Departments and officials.* Ten bureaus (housing & construction, transport, water, education,
health, market supervision, ecology & environment, emergency management, urban management,
natural resources) plus the public-resource trading centre whose officials form the expert
pool of evaluation committees. Each bureau has 15–40 officials at scale 1 (directors,
inspectors, approvers, evaluators), each with a home district, a workload factor, a
strictness factor (inspections) and a speed factor (approvals). Every role does some of the
other kinds of work (directors a fair share of each).

*Firms and persons.* ~1,500 firms at scale 1 (linear in scale; at least 140, and at least 7
per category), each with a primary procurement category (sometimes a related secondary one),
home district, activity (lognormal), cost efficiency (±3.5 %), compliance propensity and a
habit of rounding its bids. Names are Chinese-style ("贵阳宏远建筑工程有限公司"), ~8 % registered
in English; ``reg_no`` is an 18-character unified social credit code with a valid GB 32100
check character. Phones, e-mails and addresses come in varied surface forms
(``+86 138 0000 0000``, ``0851-8555 1234``, ``(0851)85551234``, full-width digits, spaces
inside and after an address, mixed-case e-mails) so normalisation matters. Every firm has a
legal representative and 1–3 shareholders (Dirichlet shares summing to 1), sometimes a
director. About 4 % of firms belong to *holding groups* (2–4 firms with one controlling owner,
often a shared address or phone) that never bid in the same tender. ~30 % of officials declare
1–2 relatives (spouses share their home address); a few relatives hold shares in firms the
official never deals with.

*Tenders and bids.* ~4,000 tenders at scale 1: department → category → district, budget
lognormal by category (rounded to 1,000 CNY), procedure open (72 %) / invitational /
competitive negotiation, deadline 5–35 days after publication. The engineer's estimate is
``C = budget·exp(N(−0.14, 0.04))``. Bidders (3–12, procedure dependent) are a weighted sample
without replacement of the firms in the category, weighted by activity and by locality
(non-local firms bid less, category dependent). An honest bid is ``C·efficiency·exp(σ_t·z)``
with ``σ_t ~ U(0.04, 0.13)`` per tender (CV ≈ 5–15 %), rounded by the firm's habit; draws above
the budget (the published ceiling price) are mirrored below it, except 15 % of them which stay
above and are disqualified; ~1.5 % more are disqualified at random. The lowest valid bid wins
82 % of the time, otherwise the second or third (technical score). Bids are uploaded on the
deadline morning (45 %) or 1–4 days earlier in office hours or the evening; each firm submits
from its own static IP, ~12 % of bids from a shared pool of dynamic (mobile/CGNAT) addresses,
so unrelated firms sometimes share an IP by chance. Every bid document has its own hash. Evaluation committees have 3–5
members: department officials (evaluators and directors first) and the expert pool.

*Inspections and approvals.* Officials inspect firms of their department's domain in their own
home district (Poisson workload by role; the small county's officials work at a third of the
rate); kind-specific base rates (e.g. safety 70/18/12 % pass/warning/fail, licence 88/7/5 %)
shifted by the firm's compliance and the official's strictness; fails carry lognormal
penalties (a fifth none). Approvals: kind-specific statutory (calendar) days 15/20/30/45,
decision time ``statutory·exp(N(ln 0.5, 0.45))·speed``, so ~6 % are overdue; a few
*systematically slow* approvers (speed 1.7–2.4) are overdue far more often; ~9 % rejections;
applications still open at the end of the period have no decision yet.

Planted collusion
-----------------
*Bid-rigging rings* (6–10 at scale 1, 2 below scale 0.25; 3–7 members each). A ring lives in
one category, in one district or city-wide (one ring per market; busy categories are more
likely), during an active window of 1.5–4 years. Its members are ordinary firms of that market
(random ids, ordinary activity) who keep bidding honestly elsewhere and outside the window. In
a random 40–90 % share of the market's tenders in a stretch of the window (12–45 rigged tenders
at scale 1, plus every one where two members meet anyway) the ring picks a designated winner
and fixes prices. Each ring gets a mix of patterns: ``rotation`` (a shuffled turn order with
15 % deviations to whoever has won least; without it a dominant member wins 60–80 %),
``cover_bids`` (losing members bid a per-bid random 0.5–5 % above the winner: tight, low
dispersion; without it their losing bids are loose, |N(0, σ_t)| above), ``bid_suppression``
(only the winner and 1–3 covers bid; the rest stay out). The winner bids 2–8 % under the
estimate; outsiders in ring tenders are fewer (each honest bidder stays with probability
0.15–0.5, at most two) and weaker (a 6–15 % cost premium), so there is a gap, yet they still
win some; in 8 % of ring tenders the second-lowest bid wins on technical score. Shared
identifiers vary per ring and involve only 2–3 members: ``phone`` (one number written
differently), ``email``, ``address``, ``owner`` (one member's legal rep is shareholder or
director of another), ``ip`` (the organiser submits members' bids from its IP within minutes,
in 40–90 % of ring tenders), ``document`` (covers reuse the winner's file hash in 30–80 % of
ring tenders); about a third of the rings share nothing at all (price patterns only), and the
first two rings drawn are always one of each kind.

*Corrupt official–firm pairs* (6–10 at scale 1, 2 below scale 0.25). Each pair gets 2–3
mechanisms, and the official's role fits them (inspector, approver, evaluator, or a director
when they span kinds of work): ``frequent_inspections`` (7–14 extra inspections of the firm, at
least 2–3 times the official's average per firm and above its busiest other firm),
``leniency`` (the firm's compliance is poor and department peers fail it, but this official
passes it ~90 % with no penalty), ``fast_approvals`` (4–9 approvals decided in 4–20 % of the
statutory time, all approved), ``relative_shareholder`` (a declared relative of the official
holds 10–45 % of the firm, sometimes also as director), ``shared_contact`` (the firm's
registered phone is a declared relative's mobile) and ``committee_wins`` (the official sits on
6–14 committees of tenders the firm bids in, including every one they sat on anyway, and the
firm wins ~80 % of them at a price within a few per cent of the lowest). The first pair always
includes ``relative_shareholder``.

*Decoys* (must not be flagged): niche markets (a rare category in one district where the same
4–5 specialist firms meet in every tender but compete honestly: independent dispersion with
``σ_t ≥ 0.07``, the lowest price wins, no shared identifiers), the small county where the few
local officials see the same few firms over and over with ordinary outcomes, a business-centre
address where ~35 unrelated firms at scale 1 are registered (some bid against each other
normally), and the holding groups.

``ground_truth.json`` follows the shared contract (``seed``, ``scale``, ``rings``, ``pairs``,
``decoys``) and adds, per ring, ``sharing_firms`` (the members carrying the shared
identifiers), ``tenders`` (the rigged tender ids) and ``active`` (the dates bounding the
stretch of the market it rigged); at the top, ``city``, ``period`` and ``slow_officials``.

``--dirty`` adds loader-level blemishes to firms.csv and bids.csv (see :func:`_blemish`); off by
default because the demo must load cleanly.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from loaders import demo_names as vocab

# --------------------------------------------------------------------------------------------
# Market configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    budget_median: float  # CNY
    budget_sigma: float
    away: float  # bidding propensity of a non-local firm relative to a local one
    firm_share: float  # share of firms with this primary category
    related: tuple[str, ...]  # plausible secondary categories
    titles: tuple[str, ...]  # title templates; {place} is filled in


CATEGORIES: dict[str, Category] = {
    "construction": Category(8e6, 0.9, 0.15, 0.18, ("renovation", "road_works", "water_works"),
                             ("{place}综合楼新建工程施工", "{place}安置房建设项目施工总承包", "{place}业务用房建设工程")),
    "road_works": Category(6e6, 0.9, 0.2, 0.08, ("construction", "water_works"),
                           ("{road}提质改造工程", "{place}道路升级改造工程", "{road}人行道及排水改造工程")),
    "water_works": Category(4e6, 0.8, 0.3, 0.06, ("construction", "road_works"),
                            ("{place}供水管网改造工程", "{place}污水管网配套工程", "{place}河道综合治理工程")),
    "renovation": Category(1.2e6, 0.8, 0.2, 0.10, ("construction", "landscaping"),
                           ("{place}装修改造项目", "{place}维修改造工程", "{place}外立面改造工程")),
    "landscaping": Category(1.5e6, 0.8, 0.2, 0.07, ("renovation", "cleaning"),
                            ("{place}绿化提升工程", "{road}景观改造工程", "{place}公园建设工程")),
    "it_services": Category(8e5, 0.9, 0.8, 0.10, ("office_supplies",),
                            ("{place}信息化系统建设项目", "{place}网络安全设备采购", "{place}智慧平台运维服务")),
    "medical_supplies": Category(1.2e6, 0.8, 0.9, 0.07, ("medical_equipment",),
                                 ("{place}医用耗材采购项目", "{place}检验试剂采购项目", "{place}药品配送服务采购")),
    "medical_equipment": Category(2.5e6, 0.9, 0.9, 0.04, ("medical_supplies",),
                                  ("{place}彩色超声诊断仪采购", "{place}DR设备采购项目", "{place}医疗设备采购项目")),
    "school_meals": Category(1.5e6, 0.7, 0.3, 0.06, ("cleaning",),
                             ("{place}食堂食材配送服务采购", "{place}营养午餐配送服务", "{place}学生餐供应服务")),
    "cleaning": Category(6e5, 0.7, 0.3, 0.08, ("security_services", "landscaping"),
                         ("{place}物业保洁服务采购", "{place}环卫清扫保洁服务", "{place}物业管理服务项目")),
    "consulting": Category(4e5, 0.8, 0.7, 0.07, ("surveying",),
                           ("{place}全过程工程咨询服务", "{place}造价咨询服务", "{place}项目可行性研究编制")),
    "surveying": Category(5e5, 0.8, 0.6, 0.04, ("consulting",),
                          ("{place}地形图测绘项目", "{place}不动产权籍调查项目", "{place}岩土工程勘察")),
    "office_supplies": Category(3e5, 0.7, 0.7, 0.03, ("it_services",),
                                ("{place}办公设备采购", "{place}办公家具采购项目", "{place}复印纸及耗材采购")),
    "security_services": Category(8e5, 0.6, 0.4, 0.02, ("cleaning",),
                                  ("{place}安保服务采购", "{place}保安服务项目", "{place}安防监控运维服务")),
}
NICHE_CATEGORIES: dict[str, Category] = {
    "elevator_maintenance": Category(4e5, 0.5, 0.0, 0.0, (), ("{place}电梯维保服务采购", "{place}电梯更新改造项目")),
    "medical_gas": Category(1.5e6, 0.6, 0.0, 0.0, (), ("{place}医用气体工程", "{place}中心供氧系统改造")),
    "fire_protection": Category(1.2e6, 0.6, 0.0, 0.0, (), ("{place}消防设施维保项目", "{place}消防系统改造工程")),
}
ALL_CATEGORIES: dict[str, Category] = {**CATEGORIES, **NICHE_CATEGORIES}
NICHE_DEPARTMENTS = {"elevator_maintenance": "housing", "medical_gas": "health", "fire_protection": "emergency"}


@dataclass(frozen=True)
class Department:
    key: str
    name: str  # appended to the city name
    tender_share: float
    categories: dict[str, float]  # tender category mix
    domain: tuple[str, ...]  # firm categories it inspects / licenses
    inspections: dict[str, float]  # kind -> share
    approvals: dict[str, int]  # kind -> statutory days


DEPARTMENTS: tuple[Department, ...] = (
    Department("housing", "住房和城乡建设局", 0.18,
               {"construction": 0.5, "renovation": 0.25, "landscaping": 0.1, "consulting": 0.15},
               ("construction", "renovation", "landscaping", "consulting"),
               {"safety": 0.5, "quality": 0.5},
               {"construction_permit": 20, "qualification": 20, "completion_acceptance": 15}),
    Department("transport", "交通运输局", 0.12,
               {"road_works": 0.75, "consulting": 0.1, "surveying": 0.15},
               ("road_works", "surveying"), {"safety": 0.5, "quality": 0.5},
               {"road_occupation_permit": 20, "transport_licence": 20}),
    Department("water", "水务局", 0.08,
               {"water_works": 0.8, "surveying": 0.1, "consulting": 0.1},
               ("water_works",), {"quality": 0.5, "environmental": 0.5},
               {"water_abstraction_permit": 20, "drainage_permit": 15}),
    Department("education", "教育局", 0.14,
               {"school_meals": 0.35, "it_services": 0.2, "office_supplies": 0.15, "renovation": 0.15,
                "cleaning": 0.1, "security_services": 0.05},
               ("school_meals",), {"food_safety": 1.0}, {"school_catering_licence": 20}),
    Department("health", "卫生健康局", 0.14,
               {"medical_supplies": 0.45, "medical_equipment": 0.3, "cleaning": 0.15, "it_services": 0.1},
               ("medical_supplies", "medical_equipment"), {"hygiene": 1.0},
               {"medical_licence": 30, "health_permit": 20}),
    Department("market", "市场监督管理局", 0.05,
               {"it_services": 0.4, "office_supplies": 0.3, "consulting": 0.3},
               ("school_meals", "office_supplies", "medical_supplies", "it_services", "security_services"),
               {"licence": 0.4, "product_quality": 0.3, "food_safety": 0.3},
               {"business_licence": 15, "food_business_licence": 20}),
    Department("ecology", "生态环境局", 0.05,
               {"consulting": 0.5, "surveying": 0.2, "it_services": 0.3},
               ("construction", "road_works", "water_works", "cleaning"), {"environmental": 1.0},
               {"eia_approval": 30, "discharge_permit": 30}),
    Department("emergency", "应急管理局", 0.04,
               {"consulting": 0.4, "security_services": 0.3, "it_services": 0.3},
               ("construction", "road_works", "water_works", "security_services"), {"safety": 1.0},
               {"safety_production_licence": 45}),
    Department("urban", "城市管理局", 0.12,
               {"cleaning": 0.45, "landscaping": 0.35, "road_works": 0.2},
               ("cleaning", "landscaping"), {"environmental": 0.5, "licence": 0.5},
               {"outdoor_advertising_permit": 15, "road_excavation_permit": 15}),
    Department("resources", "自然资源和规划局", 0.08,
               {"surveying": 0.6, "consulting": 0.4},
               ("surveying", "consulting"), {"licence": 1.0},
               {"planning_permit": 20, "land_use_permit": 30}),
    Department("trading", "公共资源交易中心", 0.0, {}, (), {}, {}),  # the expert pool
)
DEPT_INDEX = {d.key: i for i, d in enumerate(DEPARTMENTS)}
EXPERT_POOL = DEPT_INDEX["trading"]

# kind -> (pass, warning, fail, median penalty CNY)
INSPECTION_RATES: dict[str, tuple[float, float, float, float]] = {
    "safety": (0.70, 0.18, 0.12, 20000.0),
    "quality": (0.75, 0.15, 0.10, 30000.0),
    "environmental": (0.65, 0.20, 0.15, 50000.0),
    "licence": (0.88, 0.07, 0.05, 5000.0),
    "food_safety": (0.72, 0.18, 0.10, 10000.0),
    "hygiene": (0.78, 0.14, 0.08, 8000.0),
    "product_quality": (0.80, 0.12, 0.08, 15000.0),
}
ROLES = ("director", "inspector", "approver", "evaluator")
# per role: inspections / year, approvals / year, committee weight
ROLE_WORK = {
    "director": (4.0, 4.0, 0.6),
    "inspector": (14.0, 1.0, 0.12),
    "approver": (1.2, 10.0, 0.12),
    "evaluator": (0.6, 0.5, 1.0),
}
PROCEDURES = ("open", "invitational", "competitive_negotiation")
MECHANISM_WORK = {"frequent_inspections": "inspector", "leniency": "inspector",
                  "fast_approvals": "approver", "committee_wins": "evaluator"}
PAIR_ARCHETYPES: tuple[tuple[str, ...], ...] = (
    ("frequent_inspections", "leniency", "relative_shareholder"),
    ("fast_approvals", "relative_shareholder"),
    ("committee_wins", "relative_shareholder"),
    ("frequent_inspections", "leniency"),
    ("fast_approvals", "shared_contact"),
    ("committee_wins", "fast_approvals"),
    ("leniency", "relative_shareholder"),
    ("frequent_inspections", "committee_wins"),
    ("fast_approvals", "leniency"),
    ("committee_wins", "shared_contact"),
)
RING_ARCHETYPES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("rotation", "cover_bids"), ("ip", "document")),
    (("rotation", "bid_suppression"), ("owner",)),
    (("cover_bids",), ()),
    (("rotation", "cover_bids", "bid_suppression"), ("phone", "address")),
    (("rotation",), ("email", "ip")),
    (("rotation", "cover_bids"), ()),
    (("cover_bids", "bid_suppression"), ("document",)),
    (("rotation", "cover_bids"), ("owner", "phone")),
    (("rotation", "bid_suppression"), ()),
    (("rotation", "cover_bids"), ("address",)),
)
SHARE_KINDS = ("phone", "email", "address", "owner", "ip", "document")
CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100 alphabet
CODE_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

COLUMNS: dict[str, list[str]] = {
    "departments": ["department_id", "name"],
    "officials": ["official_id", "name", "department_id", "role", "phone", "email", "address"],
    "firms": ["firm_id", "name", "reg_no", "phone", "email", "address"],
    "persons": ["person_id", "name", "phone", "email", "address"],
    "person_roles": ["person_id", "firm_id", "role", "share"],
    "relations": ["official_id", "person_id", "relation"],
    "tenders": ["tender_id", "department_id", "title", "category", "region", "budget", "currency",
                "published_at", "deadline_at", "procedure", "winner_firm_id", "award_amount"],
    "bids": ["bid_id", "tender_id", "firm_id", "amount", "submitted_at", "ip", "document_hash",
             "disqualified"],
    "evaluations": ["tender_id", "official_id"],
    "inspections": ["inspection_id", "official_id", "firm_id", "date", "kind", "result", "penalty"],
    "approvals": ["approval_id", "official_id", "firm_id", "applied_at", "decided_at", "kind", "decision",
                  "statutory_days"],
}


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _weekday(days: np.ndarray, start: np.datetime64) -> np.ndarray:
    """Day offsets moved off weekends (Saturday → Friday, Sunday → Monday)."""
    dates = start + days.astype("timedelta64[D]")
    dow = (dates.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    return days - (dow == 5) + (dow == 6)


def _sample_distinct(rng: np.random.Generator, weights: np.ndarray, rows: int, k: int) -> np.ndarray:
    """``rows`` weighted samples of up to ``k`` distinct indices without replacement, in draw order.

    Successive draws with replacement, skipping repeats, follow exactly the law of successive
    sampling without replacement; we draw ``3k + 8`` per row by inverse CDF and keep the first
    distinct ones. The rare rows that found fewer than ``k`` finish with ``Generator.choice``.
    """
    k = min(k, len(weights))
    draws = 3 * k + 8
    cdf = np.cumsum(weights / weights.sum())
    picks = np.minimum(np.searchsorted(cdf, rng.random((rows, draws)) * cdf[-1], side="right"), len(weights) - 1)
    order = np.argsort(picks, axis=1, kind="stable")
    ordered = np.take_along_axis(picks, order, axis=1)
    repeat_sorted = np.zeros_like(ordered, dtype=bool)
    repeat_sorted[:, 1:] = ordered[:, 1:] == ordered[:, :-1]
    repeat = np.zeros_like(repeat_sorted)
    np.put_along_axis(repeat, order, repeat_sorted, axis=1)
    first = np.argsort(repeat, axis=1, kind="stable")[:, :k]
    out = np.take_along_axis(picks, first, axis=1)
    out[np.take_along_axis(repeat, first, axis=1)] = -1
    # rare rows where one heavy weight hogged the draws: finish them without replacement
    for row in np.flatnonzero((out < 0).any(axis=1)):
        taken = out[row][out[row] >= 0]
        rest = np.setdiff1d(np.arange(len(weights)), taken)
        extra = rng.choice(rest, size=k - len(taken), replace=False, p=weights[rest] / weights[rest].sum())
        out[row] = np.concatenate([taken, extra])
    return out


def _minutes_before_deadline(rng: np.random.Generator, m: int) -> np.ndarray:
    """When bids are uploaded, in minutes before a 09:30 deadline: 45 % on the deadline
    morning (07:30–09:29), the rest 1–4 days earlier, in office hours or the evening."""
    days = np.minimum(rng.geometric(0.45, m) - 1, 4)
    office = rng.random(m) < 0.75
    clock = np.where(office, rng.integers(8 * 60 + 30, 18 * 60, m), rng.integers(18 * 60, 23 * 60 + 30, m))
    return np.where(days == 0, rng.integers(1, 121, m), days * 1440 + 570 - clock).astype(np.int64)


def _random_ids(rng: np.random.Generator, prefix: str, n: int, digits: int) -> np.ndarray:
    low = 10 ** (digits - 1)
    numbers = rng.choice(9 * low, size=n, replace=False) + low
    return np.array([f"{prefix}{x}" for x in numbers], dtype=object)


def _credit_codes(rng: np.random.Generator, admin_codes: np.ndarray) -> np.ndarray:
    """Unified social credit codes: 91 + admin code + 9-char organisation code + check char."""
    n = len(admin_codes)
    chars = np.empty((n, 17), dtype=np.int64)
    chars[:, 0] = 9
    chars[:, 1] = 1
    digits = np.array([[int(c) for c in code] for code in admin_codes], dtype=np.int64).reshape(n, 6)
    chars[:, 2:8] = digits
    chars[:, 8:17] = rng.integers(0, len(CODE_CHARS), size=(n, 9))
    chars[:, 8] = rng.integers(0, 10, size=n)  # organisation codes mostly start with a digit
    check = (31 - (chars * CODE_WEIGHTS).sum(axis=1) % 31) % 31
    alphabet = np.array(list(CODE_CHARS))
    full = np.concatenate([alphabet[chars], alphabet[check][:, None]], axis=1)
    return np.array(["".join(row) for row in full], dtype=object)


def _mobile(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = rng.choice(np.array(vocab.MOBILE_PREFIXES), size=n)
    rest = rng.integers(0, 10**8, size=n)
    return np.array([f"{p}{r:08d}" for p, r in zip(prefix, rest, strict=True)], dtype=object)


def _format_mobile(number: str, style: int) -> str:
    a, b, c = number[:3], number[3:7], number[7:]
    return (number, f"{a}-{b}-{c}", f"{a} {b} {c}", f"+86 {a} {b} {c}", f"+86-{number}",
            f"+86{number}", f"86-{a}{b}{c}")[style % 7]


def _format_landline(area: str, local: str, style: int) -> str:
    a, b = local[:4], local[4:]
    return (f"{area}-{local}", f"{area} {a} {b}", f"({area}){local}", f"+86 {area[1:]} {a} {b}",
            f"{area}{local}", f"{area}-{a}-{b}", f"{area}-{a} {b}")[style % 7]


def _format_phone(number: str, area: str, style: int) -> str:
    if number.startswith(area):
        return _format_landline(area, number[len(area):], style)
    return _format_mobile(number, style)


def _or_none(keep: np.ndarray, values: ArrayLike) -> np.ndarray:
    """``values`` where ``keep`` holds, None elsewhere: an object array, written as an empty CSV cell."""
    return np.where(keep, np.asarray(values, dtype=object), np.asarray(None, dtype=object))


def _unique(values: list[str]) -> list[str]:
    """Make accidental duplicates unique by a numeric suffix on the local part (e-mails)."""
    seen: set[str] = set()
    out = []
    for value in values:
        candidate, k = value, 1
        while candidate in seen:
            local, _, domain = value.partition("@")
            candidate, k = f"{local}{k}@{domain}", k + 1
        seen.add(candidate)
        out.append(candidate)
    return out


def _vary_address(address: str, style: int) -> str:
    """The same address as people type it: spaces, full-width digits, a trailing space."""
    if style % 4 == 1:
        return address.translate(FULLWIDTH)
    if style % 4 == 2:
        for mark in ("区", "号"):
            address = address.replace(mark, mark + " ", 1)
        return address
    if style % 4 == 3:
        return address + " "
    return address


def _vary_email(email: str, style: int) -> str:
    local, _, domain = email.partition("@")
    if style % 3 == 1:
        return f"{local.capitalize()}@{domain}"
    if style % 3 == 2:
        return f" {local.upper()}@{domain.upper()}"
    return email


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


class _Market:
    """Holds the arrays of one synthetic market while it is built step by step."""

    def __init__(self, seed: int, scale: float) -> None:
        self.seed = seed
        self.scale = scale
        self.rng = np.random.default_rng(seed)
        self.gt_rings: list[dict] = []
        self.gt_pairs: list[dict] = []
        self.decoy_rings: list[dict] = []
        self.decoy_pairs: list[dict] = []
        self.decoy_addresses: list[dict] = []
        self.extra_person_district: dict[int, int | None] = {}  # persons added after persons()
        self.person_surname: dict[int, int] = {}  # relatives who carry the official's surname
        self.contact_overrides: dict[int, int] = {}  # person -> firm whose phone is that person's mobile
        self.relatives: list[tuple[int, int, str]] = []  # (official, person, relation)
        self._by_tender: np.ndarray | None = None
        self.ring_markets: set[tuple[int, int | None]] = set()  # one ring per market

    # ---- geography -------------------------------------------------------------------------

    def city_and_time(self) -> None:
        rng = self.rng
        self.city = vocab.CITIES[int(rng.integers(len(vocab.CITIES)))]
        all_d = list(self.city.districts)
        n = int(rng.integers(8, min(12, len(all_d)) + 1))
        head, tail = all_d[:5], all_d[5:]
        picked = head + [tail[i] for i in sorted(rng.choice(len(tail), size=n - 5, replace=False))]
        counties = [i for i, (name, _) in enumerate(picked) if name.endswith("县")]
        if not counties:
            county = next(d for d in tail if d[0].endswith("县"))
            picked[-1] = county
            counties = [len(picked) - 1]
        self.districts = [name for name, _ in picked]
        self.admin_codes = [code for _, code in picked]
        self.small = counties[-1]
        nd = len(self.districts)
        w = np.exp(rng.normal(0, 0.35, nd))
        w[:5] *= 2.2
        w[self.small] = 0.0
        firm_w = w / w.sum() * (1 - 0.006)
        firm_w[self.small] = 0.006
        self.firm_district_w = firm_w
        tender_w = w / w.sum() * (1 - 0.01)
        tender_w[self.small] = 0.01
        self.tender_district_w = tender_w
        self.start = np.datetime64(f"{2020 + int(rng.integers(0, 2))}-01-01")
        self.days = int(rng.integers(4 * 365, 5 * 365))
        self.years = self.days / 365.25
        self.end = self.start + np.timedelta64(self.days, "D")

    # ---- firms and persons -----------------------------------------------------------------

    def firms(self) -> None:
        rng = self.rng
        cats = list(CATEGORIES)
        n = max(140, round(1500 * self.scale))
        share = np.array([CATEGORIES[c].firm_share for c in cats])
        primary = rng.choice(len(cats), size=n, p=share / share.sum())
        # every category keeps enough firms for competitive tenders, even in a tiny market
        for c in range(len(cats)):
            for _ in range(max(0, 7 - int((primary == c).sum()))):
                counts = np.bincount(primary, minlength=len(cats))
                donor = np.flatnonzero(primary == counts.argmax())
                primary[donor[int(rng.integers(len(donor)))]] = c
        secondary = np.full(n, -1)
        has2 = rng.random(n) < 0.3
        for i in np.flatnonzero(has2):
            related = CATEGORIES[cats[primary[i]]].related
            secondary[i] = cats.index(related[int(rng.integers(len(related)))])
        district = rng.choice(len(self.districts), size=n, p=self.firm_district_w)
        # the small county keeps a handful of local firms at any scale
        short = max(6, round(0.006 * n)) - int((district == self.small).sum())
        if short > 0:
            district[rng.choice(np.flatnonzero(district != self.small), size=short, replace=False)] = self.small
        # niche specialists (decoy markets): 4-5 firms per niche category, all in one district
        n_niche = max(1, min(3, round(rng.uniform(2, 3.6) * min(1.0, self.scale ** 0.5))))
        niche_cats = sorted(rng.choice(len(NICHE_CATEGORIES), size=n_niche, replace=False))
        self.niche: list[dict] = []
        niche_primary: list[int] = []
        niche_district: list[int] = []
        all_cats = cats + list(NICHE_CATEGORIES)
        for j in niche_cats:
            name = list(NICHE_CATEGORIES)[j]
            size = int(rng.integers(4, 6))
            d = int(rng.choice(len(self.districts), p=self.tender_district_w))
            if d == self.small:
                d = 0
            members = list(range(n + len(niche_primary), n + len(niche_primary) + size))
            niche_primary += [all_cats.index(name)] * size
            niche_district += [d] * size
            self.niche.append({"category": name, "district": d, "firms": members})
        total = n + len(niche_primary)
        self.cats = all_cats
        self.f_primary = np.concatenate([primary, niche_primary]).astype(np.int64)
        self.f_secondary = np.concatenate([secondary, np.full(len(niche_primary), -1)]).astype(np.int64)
        self.f_district = np.concatenate([district, niche_district]).astype(np.int64)
        self.f_activity = np.exp(rng.normal(0, 0.7, total))
        self.f_eff = np.exp(rng.normal(0, 0.035, total))
        niche_idx = [f for nm in self.niche for f in nm["firms"]]
        self.f_eff[niche_idx] = np.exp(rng.normal(0, 0.02, len(niche_idx)))
        self.f_compliance = rng.normal(0, 1, total)
        self.f_round = rng.choice(np.array([0.01, 1.0, 100.0, 1000.0]), size=total, p=[0.55, 0.25, 0.15, 0.05])
        self.f_group = np.full(total, -1)
        self.n_firms = total
        self.f_ids = _random_ids(rng, "F", total, 6)
        self.f_reserved = np.zeros(total, dtype=bool)  # rings, pairs, decoys, groups: one role each
        self.f_reserved[niche_idx] = True
        # holding groups: ~4 % of firms in groups of 2-4 with one controlling owner
        free = np.flatnonzero(~self.f_reserved & (self.f_district != self.small))
        n_grouped = int(0.04 * n)
        chosen = rng.choice(free, size=n_grouped, replace=False)
        self.groups: list[list[int]] = []
        pos = 0
        while pos + 2 <= len(chosen):
            size = int(rng.integers(2, 5))
            members = [int(x) for x in chosen[pos:pos + size]]
            if len(members) < 2:
                break
            self.groups.append(members)
            self.f_group[members] = len(self.groups) - 1
            self.f_reserved[members] = True
            pos += size

    def _names(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Chinese person names, their pinyin, and the surname index."""
        rng = self.rng
        sw = np.array([s[2] for s in vocab.SURNAMES])
        sur = rng.choice(len(vocab.SURNAMES), size=n, p=sw / sw.sum())
        two = rng.random(n) < 0.7
        g1 = rng.integers(0, len(vocab.GIVEN_CHARS), n)
        g2 = rng.integers(0, len(vocab.GIVEN_CHARS), n)
        names, pinyin = [], []
        for i in range(n):
            s, sp, _ = vocab.SURNAMES[sur[i]]
            a, ap = vocab.GIVEN_CHARS[g1[i]]
            if two[i]:
                b, bp = vocab.GIVEN_CHARS[g2[i]]
                names.append(s + a + b)
                pinyin.append(sp + ap + bp)
            else:
                names.append(s + a)
                pinyin.append(sp + ap)
        return np.array(names, dtype=object), np.array(pinyin, dtype=object), sur

    def _home_addresses(self, n: int, districts: np.ndarray) -> np.ndarray:
        rng = self.rng
        comp = rng.integers(0, len(vocab.COMPOUNDS), n)
        bld = rng.integers(1, 30, n)
        unit = rng.integers(1, 5, n)
        floor = rng.integers(1, 33, n)
        room = rng.integers(1, 5, n)
        prov = rng.random(n) < 0.3
        out = []
        for i in range(n):
            head = (self.city.province if prov[i] else "") + self.city.name + "市" + self.districts[districts[i]]
            out.append(f"{head}{vocab.COMPOUNDS[comp[i]]}{bld[i]}栋{unit[i]}单元{floor[i]}{room[i]:02d}室")
        return np.array(out, dtype=object)

    def _office_addresses(self, n: int, districts: np.ndarray) -> np.ndarray:
        rng = self.rng
        road = rng.integers(0, len(vocab.ROADS), n)
        num = rng.integers(1, 900, n)
        kind = rng.random(n)
        bld = rng.integers(0, len(vocab.BUILDINGS), n)
        floor = rng.integers(1, 40, n)
        room = rng.integers(1, 30, n)
        prov = rng.random(n) < 0.35
        out, seen = [], set()
        for i in range(n):
            head = (self.city.province if prov[i] else "") + self.city.name + "市" + self.districts[districts[i]]
            if kind[i] < 0.45:
                tail = f"{vocab.ROADS[road[i]]}{num[i]}号{vocab.BUILDINGS[bld[i]]}{floor[i]}{room[i]:02d}室"
            elif kind[i] < 0.8:
                tail = f"{vocab.ROADS[road[i]]}{num[i]}号"
            else:
                tail = f"{vocab.ROADS[road[i]]}{num[i]}号{floor[i] % 6 + 1}栋{room[i]}号"
            address = head + tail
            while address in seen:
                address = address.replace("号", f"-{int(rng.integers(1, 9))}号", 1)
            seen.add(address)
            out.append(address)
        return np.array(out, dtype=object)

    def firm_identity(self) -> None:
        """Names, registration numbers and contact details (before planted sharing)."""
        rng = self.rng
        n = self.n_firms
        province_short = self.city.province.replace("壮族自治区", "").replace("省", "")
        t1 = rng.integers(0, len(vocab.TRADE_CHARS), n)
        t2 = rng.integers(0, len(vocab.TRADE_CHARS), n)
        prefix_kind = rng.random(n)
        latin = rng.random(n) < 0.08
        word_pick = rng.integers(0, 3, n)
        suffix_pick = rng.random(n)
        names, trades, seen = [], [], set()
        for i in range(n):
            words = vocab.INDUSTRY_WORDS[self.cats[self.f_primary[i]]]
            zh_word, en_word = words[word_pick[i] % len(words)]
            chars = [vocab.TRADE_CHARS[t1[i]], vocab.TRADE_CHARS[t2[i]]]
            while True:
                trade = "".join(c for c, _ in chars)
                trade_py = "".join(p for _, p in chars)
                if latin[i]:
                    name = f"{self.city.pinyin.capitalize()} {trade_py.capitalize()} {en_word} Co., Ltd."
                else:
                    if prefix_kind[i] < 0.6:
                        prefix = self.city.name
                    elif prefix_kind[i] < 0.8:
                        prefix = province_short
                    else:
                        prefix = self.districts[self.f_district[i]].rstrip("区县市")
                    suffix = ("有限公司" if suffix_pick[i] < 0.8 else "有限责任公司" if suffix_pick[i] < 0.93
                              else "股份有限公司")
                    name = f"{prefix}{trade}{zh_word}{suffix}"
                if name not in seen:
                    break
                chars.append(vocab.TRADE_CHARS[int(rng.integers(len(vocab.TRADE_CHARS)))])
            seen.add(name)
            names.append(name)
            trades.append(trade_py)
        self.f_name = np.array(names, dtype=object)
        admin = np.array([self.admin_codes[d] for d in self.f_district], dtype=object)
        self.f_reg = _credit_codes(rng, admin)
        # phones: 60 % landline (area code + 8 digits), 40 % mobile; stored unformatted
        area = self.city.area_code
        landline = rng.random(n) < 0.6
        local = rng.choice(8 * 10**7, size=n, replace=False) + 10**7
        mobiles = _mobile(rng, n)
        self.f_phone = np.array([f"{area}{8 if local[i] % 3 else 6}{local[i] % 10**7:07d}" if landline[i]
                                 else mobiles[i] for i in range(n)], dtype=object)
        self.f_phone_style = rng.integers(0, 7, n)
        # e-mails
        domains = np.array(vocab.EMAIL_DOMAINS)
        kind = rng.random(n)
        dom = rng.choice(domains, size=n)
        num = rng.integers(100, 9999, n)
        qq = rng.integers(10**7, 3 * 10**9, n)
        emails, seen_e = [], set()
        for i in range(n):
            if kind[i] < 0.35:
                e = f"{trades[i]}{num[i]}@{dom[i]}"
            elif kind[i] < 0.55:
                e = f"{qq[i]}@qq.com"
            elif kind[i] < 0.9:
                e = f"{['info', 'admin', 'office', 'hr', 'service'][num[i] % 5]}@{trades[i]}{num[i] % 100}.com.cn"
            else:
                e = f"{trades[i]}_{self.cats[self.f_primary[i]][:3]}@{dom[i]}"
            while e in seen_e:
                e = f"{num[i]}{e}"
            seen_e.add(e)
            emails.append(e)
        self.f_email = np.array(emails, dtype=object)
        self.f_email_style = np.where(rng.random(n) < 0.12, rng.integers(1, 3, n), 0)
        self.f_address = self._office_addresses(n, self.f_district)
        self.f_address_style = np.where(rng.random(n) < 0.25, rng.integers(1, 4, n), 0)
        # static IPs: unique per firm, from the city's ISP blocks
        prefixes = np.array(self.city.isp_prefixes)
        codes = rng.choice(len(prefixes) * 65025, size=n, replace=False)
        self.f_ip = np.array([f"{prefixes[c // 65025]}.{(c % 65025) // 255}.{c % 255 + 1}" for c in codes],
                             dtype=object)
        dyn = rng.choice(len(prefixes) * 65025, size=max(60, n // 5), replace=False)
        self.dynamic_ips = np.array([f"{prefixes[c // 65025]}.{(c % 65025) // 255 + 1}.{c % 254 + 1}"
                                     for c in dyn], dtype=object)

    def persons(self) -> None:
        """Legal reps, shareholders and directors of every firm; holding-group owners."""
        rng = self.rng
        n = self.n_firms
        n_sh = rng.choice([1, 2, 3], size=n, p=[0.35, 0.4, 0.25])
        rep_is_holder = rng.random(n) < 0.75
        has_director = rng.random(n) < 0.35
        # persons per firm: legal rep + (shareholders not the rep) + director
        extra_holders = n_sh - rep_is_holder.astype(int)
        per_firm = 1 + extra_holders + has_director.astype(int)
        total = int(per_firm.sum())
        self.p_firm_origin = np.repeat(np.arange(n), per_firm)
        roles: list[list] = []  # [person, firm, role, share]
        shares = rng.gamma(1.5, size=int(n_sh.sum()))
        share_firm = np.repeat(np.arange(n), n_sh)
        sums = np.bincount(share_firm, weights=shares, minlength=n)
        shares = shares / sums[share_firm]
        offsets = np.concatenate([[0], np.cumsum(per_firm)[:-1]])
        share_off = np.concatenate([[0], np.cumsum(n_sh)[:-1]])
        for f in range(n):
            p0 = int(offsets[f])
            roles.append([p0, f, "legal_rep", np.nan])
            holders = ([p0] if rep_is_holder[f] else []) + list(range(p0 + 1, p0 + 1 + int(extra_holders[f])))
            for j, p in enumerate(holders):
                roles.append([p, f, "shareholder", round(float(shares[share_off[f] + j]), 4)])
            if has_director[f]:
                roles.append([p0 + 1 + int(extra_holders[f]), f, "director", np.nan])
        self.n_persons = total
        self.roles = roles
        self.holders: dict[int, list[int]] = {}
        for i, (_, f, role, _) in enumerate(roles):
            if role == "shareholder":
                self.holders.setdefault(f, []).append(i)
        # holding groups: one owner controls every member (majority shareholder, rep of one)
        for members in self.groups:
            owner = self._new_persons(1, district=int(self.f_district[members[0]]))[0]
            for k, f in enumerate(members):
                self._add_shareholder(owner, f, round(float(rng.uniform(0.51, 0.9)), 4))
                if k == 0:
                    self.roles.append([owner, f, "director", np.nan])
            if rng.random() < 0.6:
                for k, f in enumerate(members[1:]):
                    self.f_address[f] = self.f_address[members[0]]
                    self.f_address_style[f] = (k + 1) % 4
            if rng.random() < 0.35:
                for k, f in enumerate(members[1:]):
                    self.f_phone[f] = self.f_phone[members[0]]
                    self.f_phone_style[f] = (self.f_phone_style[members[0]] + k + 1) % 7

    def _new_persons(self, count: int, district: int | None = None) -> list[int]:
        first = self.n_persons
        self.n_persons += count
        for p in range(first, first + count):
            self.extra_person_district[p] = district
        return list(range(first, first + count))

    def _add_shareholder(self, person: int, firm: int, share: float) -> None:
        """Add a shareholder with ``share``, diluting the existing holders of ``firm``."""
        held = self.holders.setdefault(firm, [])
        for i in held:
            self.roles[i][3] = round(self.roles[i][3] * (1 - share), 4)
        held.append(len(self.roles))
        self.roles.append([person, firm, "shareholder", share])

    # ---- tenders and bids ------------------------------------------------------------------

    def tenders(self) -> None:
        rng = self.rng
        n = max(80, round(4000 * self.scale))
        dept_w = np.array([d.tender_share for d in DEPARTMENTS])
        dept = rng.choice(len(DEPARTMENTS), size=n, p=dept_w / dept_w.sum())
        cat = np.zeros(n, dtype=np.int64)
        for d, spec in enumerate(DEPARTMENTS):
            rows = np.flatnonzero(dept == d)
            if len(rows) and spec.categories:
                names = list(spec.categories)
                p = np.array(list(spec.categories.values()))
                cat[rows] = [self.cats.index(names[k]) for k in rng.choice(len(names), size=len(rows), p=p / p.sum())]
        region = rng.choice(len(self.districts), size=n, p=self.tender_district_w)
        niche = np.zeros(n, dtype=bool)
        # niche decoy tenders: 15-35 per niche market at scale 1, all in the niche district
        extra_dept, extra_cat, extra_region = [], [], []
        for m in self.niche:
            count = max(15, round(rng.uniform(15, 35) * self.scale))
            extra_dept += [DEPT_INDEX[NICHE_DEPARTMENTS[m["category"]]]] * count
            extra_cat += [self.cats.index(m["category"])] * count
            extra_region += [m["district"]] * count
        dept = np.concatenate([dept, extra_dept]).astype(np.int64)
        cat = np.concatenate([cat, extra_cat]).astype(np.int64)
        region = np.concatenate([region, extra_region]).astype(np.int64)
        niche = np.concatenate([niche, np.ones(len(extra_dept), dtype=bool)])
        n = len(dept)
        median = np.array([ALL_CATEGORIES[c].budget_median for c in self.cats])[cat]
        sigma = np.array([ALL_CATEGORIES[c].budget_sigma for c in self.cats])[cat]
        budget = np.round(np.exp(np.log(median) + sigma * rng.normal(size=n)) / 1000) * 1000
        budget = np.maximum(budget, 50000.0)
        procedure = rng.choice(3, size=n, p=[0.72, 0.13, 0.15])
        published = _weekday(rng.integers(0, self.days - 40, n), self.start)
        window = np.select([procedure == 0, procedure == 1], [rng.integers(20, 36, n), rng.integers(15, 26, n)],
                           rng.integers(5, 16, n))
        deadline = _weekday(published + window, self.start)
        order = np.lexsort((rng.random(n), published))
        self.t_dept, self.t_cat, self.t_region = dept[order], cat[order], region[order]
        self.t_niche, self.t_budget, self.t_proc = niche[order], budget[order], procedure[order]
        self.t_pub, self.t_deadline = published[order], deadline[order]
        self.n_tenders = n
        self.t_cost = self.t_budget * np.exp(rng.normal(-0.14, 0.04, n))
        self.t_sigma = rng.uniform(0.04, 0.13, n)
        # niche specialists compete hard on price: their tenders are never unusually tight
        self.t_sigma[self.t_niche] = rng.uniform(0.07, 0.13, int(self.t_niche.sum()))
        self.t_claimed = np.zeros(n, dtype=bool)  # planted (ring / pair) tenders
        self.t_ring = np.full(n, -1)

    def bidders(self) -> None:
        """Honest bidder sets: weighted sampling without replacement within (category, district)."""
        rng = self.rng
        n = self.n_tenders
        k = np.select([self.t_proc == 0, self.t_proc == 1],
                      [3 + np.minimum(9, rng.negative_binomial(3, 0.45, n)), rng.integers(3, 7, n)],
                      rng.integers(3, 5, n))
        t_rows, f_rows = [], []
        for c in range(len(self.cats)):
            name = self.cats[c]
            in_cat = np.flatnonzero(self.t_cat == c)
            if not len(in_cat):
                continue
            if name in NICHE_CATEGORIES:
                members = next(m["firms"] for m in self.niche if m["category"] == name)
                for t in in_cat:  # every specialist bids in nearly every tender
                    here = [f for f in members if rng.random() < 0.92]
                    if len(here) < 3:
                        here = list(members)
                    t_rows += [t] * len(here)
                    f_rows += here
                continue
            weight_c = np.where(self.f_primary == c, 1.0, np.where(self.f_secondary == c, 0.35, 0.0))
            pool = np.flatnonzero(weight_c > 0)
            for d in range(len(self.districts)):
                rows = in_cat[self.t_region[in_cat] == d]
                if not len(rows):
                    continue
                local = np.where(self.f_district[pool] == d, 1.0, CATEGORIES[name].away)
                w = weight_c[pool] * self.f_activity[pool] * local
                picked = _sample_distinct(rng, w, len(rows), 15)
                cand = pool[np.maximum(picked, 0)]
                group = self.f_group[cand]
                dup = picked < 0
                for j in range(1, cand.shape[1]):
                    dup[:, j] |= ((group[:, :j] == group[:, j:j + 1]) & (group[:, j:j + 1] >= 0)).any(axis=1)
                keep = ~dup & (np.cumsum(~dup, axis=1) <= k[rows][:, None])
                rr, cc = np.nonzero(keep)
                t_rows += list(rows[rr])
                f_rows += list(cand[rr, cc])
        self.b_t = np.array(t_rows, dtype=np.int64)
        self.b_f = np.array(f_rows, dtype=np.int64)

    def honest_amounts(self) -> None:
        rng = self.rng
        m = len(self.b_t)
        self.b_amount = self.t_cost[self.b_t] * self.f_eff[self.b_f] * np.exp(
            self.t_sigma[self.b_t] * rng.normal(size=m))
        over = self.b_amount > self.t_budget[self.b_t]
        mistaken = over & (rng.random(m) < 0.15)  # a few really bid above the ceiling (and are rejected)
        mirror = over & ~mistaken
        self.b_amount[mirror] = self.t_budget[self.b_t[mirror]] ** 2 / self.b_amount[mirror]
        self.b_disq = rng.random(m) < 0.015
        self.b_ip_firm = self.b_f.copy()
        dynamic = rng.random(m) < 0.12
        niche_firm = self.f_reserved[self.b_f] & (self.f_group[self.b_f] < 0)
        dynamic &= ~niche_firm
        self.b_dyn = np.where(dynamic, rng.integers(0, len(self.dynamic_ips), m), -1)
        self.b_doc = np.arange(m)
        self.b_before = _minutes_before_deadline(rng, m)
        self.b_planted = np.zeros(m, dtype=bool)

    # ---- planted rings ---------------------------------------------------------------------

    def rings(self) -> None:
        rng = self.rng
        n_rings = max(2, round(rng.uniform(6, 10) * self.scale)) if self.scale >= 0.25 else 2
        # shuffled, but the first two are a price-only cover-bid ring and an identifier-sharing
        # ring, so even a small market has both kinds
        archetypes = [RING_ARCHETYPES[i] for i in rng.permutation(len(RING_ARCHETYPES))]
        first = next(a for a in archetypes if "cover_bids" in a[0] and not a[1])
        archetypes.remove(first)
        second = next(a for a in archetypes if a[1])
        archetypes.remove(second)
        archetypes = [first, second, *archetypes]
        by_tender = np.argsort(self.b_t, kind="stable")
        starts = np.searchsorted(self.b_t[by_tender], np.arange(self.n_tenders + 1))

        def bidders_of(t: int) -> list[int]:
            return [int(f) for f in self.b_f[by_tender[starts[t]:starts[t + 1]]]]
        new_t: list[int] = []
        new_f: list[int] = []
        new_amount: list[float] = []
        new_ip: list[int] = []
        new_doc: list[int | None] = []  # None: the bid's own document
        new_before: list[int | None] = []  # None: an honest submission time
        ringable = [c for c in CATEGORIES if c not in ("office_supplies",)]
        for r in range(n_rings):
            patterns, shared = archetypes[r % len(archetypes)]
            patterns, shared = list(patterns), list(shared)
            if r >= len(archetypes) and shared and rng.random() < 0.5:
                shared = [s for s in SHARE_KINDS if s not in shared][: int(rng.integers(1, 3))]
            plan = self._ring_market(ringable)
            if plan is None:
                continue
            c, region, window, members = plan
            rid = f"RING-{len(self.gt_rings) + 1}"
            self.f_reserved[members] = True
            in_market = (self.t_cat == c) & ~self.t_claimed & ~self.t_niche
            if region is not None:
                in_market &= self.t_region == region
            in_window = in_market & (self.t_pub >= window[0]) & (self.t_pub <= window[1])
            cand = np.flatnonzero(in_window)
            share = rng.uniform(0.4, 0.9)
            wanted = max(6, round(rng.uniform(12, 45) * min(1.0, self.scale)))
            stretch = min(len(cand), int(np.ceil(wanted / share)))
            offset = int(rng.integers(0, len(cand) - stretch + 1))
            cand = cand[offset:offset + stretch]
            window = (int(self.t_pub[cand[0]]), int(self.t_pub[cand[-1]]))
            share = max(share, min(0.95, 10 / len(cand)))
            n_target = min(len(cand), max(3, round(share * len(cand))))
            target = set(int(t) for t in rng.choice(cand, size=n_target, replace=False))
            member_set = set(members)
            for t in map(int, cand):  # every tender where two members meet anyway is rigged too
                if sum(f in member_set for f in bidders_of(t)) >= 2:
                    target.add(t)
            ring_tenders = sorted(target)
            cover_lo, cover_hi = rng.uniform(0.005, 0.015), rng.uniform(0.025, 0.05)
            keep_outsider = rng.uniform(0.15, 0.5)
            outsider_premium = rng.uniform(0.06, 0.15)
            winner_shift = rng.uniform(-0.08, -0.02)
            turn = [members[i] for i in rng.permutation(len(members))]
            leader = turn[0]
            wins = dict.fromkeys(members, 0)
            p_ip, p_doc = rng.uniform(0.4, 0.9), rng.uniform(0.3, 0.8)
            organiser = members[int(rng.integers(len(members)))]
            for step, t in enumerate(ring_tenders):
                if "rotation" in patterns:
                    winner = turn[step % len(turn)]
                    if rng.random() < 0.15:
                        winner = min(members, key=lambda f: (wins[f], rng.random()))
                else:
                    others = [f for f in members if f != leader]
                    winner = leader if rng.random() < rng.uniform(0.6, 0.8) else others[int(rng.integers(len(others)))]
                wins[winner] += 1
                others = [f for f in members if f != winner]
                if "bid_suppression" in patterns:
                    n_cov = int(rng.integers(1, min(3, len(others)) + 1))
                    covers = [others[i] for i in sorted(rng.choice(len(others), size=n_cov, replace=False))]
                else:
                    covers = [f for f in others if rng.random() < 0.85] or [others[0]]
                outsiders = [f for f in bidders_of(t) if f not in member_set]
                kept = [f for f in outsiders if rng.random() < keep_outsider][:2]
                while 1 + len(covers) + len(kept) < 3 and len(kept) < len(outsiders):
                    kept.append(next(f for f in outsiders if f not in kept))
                while 1 + len(covers) + len(kept) < 3 and len(covers) < len(others):
                    covers.append(next(f for f in others if f not in covers))
                cost, budget, sigma = self.t_cost[t], self.t_budget[t], self.t_sigma[t]
                win_amount = min(cost * np.exp(winner_shift + rng.normal(0, 0.025)), budget * 0.97 / (1 + cover_hi))
                if "cover_bids" in patterns:
                    cover_amounts = win_amount * (1 + rng.uniform(cover_lo, cover_hi, len(covers)))
                else:
                    cover_amounts = win_amount * (1.005 + np.abs(rng.normal(0, sigma, len(covers))))
                    cover_amounts = np.minimum(cover_amounts, budget * rng.uniform(0.97, 1.0, len(covers)))
                out_amounts = cost * self.f_eff[kept] * np.exp(outsider_premium + sigma * rng.normal(size=len(kept)))
                firms = [winner] + covers + kept
                amounts = [win_amount, *cover_amounts, *out_amounts]
                use_ip = "ip" in shared and rng.random() < p_ip
                use_doc = "document" in shared and rng.random() < p_doc
                base_before = int(_minutes_before_deadline(rng, 1)[0]) + 45
                doc_id = -(len(new_doc) + 1)  # negative: a document id not used by honest bids
                for j, (f, a) in enumerate(zip(firms, amounts, strict=True)):
                    is_member = j <= len(covers)
                    new_t.append(t)
                    new_f.append(f)
                    new_amount.append(a)
                    new_ip.append(organiser if (use_ip and is_member) else f)
                    if use_doc and is_member and (j == 0 or rng.random() < 0.7):
                        new_doc.append(doc_id)
                    else:
                        new_doc.append(None)
                    if use_ip and is_member:
                        new_before.append(base_before + int(rng.integers(-40, 41)) * (j > 0))
                    else:
                        new_before.append(None)
                self.t_claimed[t] = True
                self.t_ring[t] = len(self.gt_rings)
            self.gt_rings.append({
                "id": rid, "firms": members, "category": self.cats[c],
                "region": None if region is None else self.districts[region],
                "pattern": patterns, "shared": shared, "tenders": ring_tenders,
                "active": [str(window[0]), str(window[1])], "_organiser": organiser,
            })
        drop = np.isin(self.b_t, np.flatnonzero(self.t_ring >= 0))
        self._append_bids(drop, new_t, new_f, new_amount, new_ip, new_doc, new_before)

    def _append_bids(self, drop: np.ndarray, t: list, f: list, amount: list, ip: list, doc: list,
                     before: list) -> None:
        rng = self.rng
        keep = ~drop
        m = len(t)
        first_doc = len(self.b_t) + 10
        docs = np.array([first_doc + i if d is None else d for i, d in enumerate(doc)], dtype=np.int64)
        # a shared document id maps to the id of the first bid that used it
        shared = docs < 0
        if shared.any():
            for value in np.unique(docs[shared]):
                idx = np.flatnonzero(docs == value)
                docs[idx] = first_doc + idx[0]
        default_before = _minutes_before_deadline(rng, m)
        befores = np.array([default_before[i] if b is None else b for i, b in enumerate(before)], dtype=np.int64)
        self.b_t = np.concatenate([self.b_t[keep], np.array(t, dtype=np.int64)])
        self.b_f = np.concatenate([self.b_f[keep], np.array(f, dtype=np.int64)])
        self.b_amount = np.concatenate([self.b_amount[keep], np.array(amount, dtype=float)])
        # planted rows look like honest ones: the same random disqualifications (never the
        # designated winner) and the same share of dynamic IPs (unless the organiser submits)
        ip_firm = np.array(ip, dtype=np.int64)
        own_ip = ip_firm == np.array(f, dtype=np.int64)
        tenders = np.array(t, dtype=np.int64)
        leads = np.ones(m, dtype=bool)  # each ring tender's first row is its designated winner
        leads[1:] = tenders[1:] != tenders[:-1]
        disq = (rng.random(m) < 0.015) & ~leads
        dyn = np.where(own_ip & (rng.random(m) < 0.12), rng.integers(0, len(self.dynamic_ips), m), -1)
        self.b_disq = np.concatenate([self.b_disq[keep], disq])
        self.b_ip_firm = np.concatenate([self.b_ip_firm[keep], ip_firm])
        self.b_dyn = np.concatenate([self.b_dyn[keep], dyn])
        self.b_doc = np.concatenate([self.b_doc[keep], docs])
        self.b_before = np.concatenate([self.b_before[keep], np.maximum(befores, 3)])
        self.b_planted = np.concatenate([self.b_planted[keep], np.ones(m, dtype=bool)])

    def _ring_market(self, ringable: list[str]) -> tuple[int, int | None, tuple, list[int]] | None:
        """Pick a market (category, district or city-wide), an active window and the members."""
        rng = self.rng
        # rings form where there is business: categories weighted by their number of tenders
        ringable_idx = [self.cats.index(c) for c in ringable]
        volume = np.array([(self.t_cat == c).sum() for c in ringable_idx], dtype=float) + 1.0
        volume /= volume.sum()
        for attempt in range(160):
            relaxed = attempt >= 100  # a tiny market: city-wide, over the whole period
            c = ringable_idx[int(rng.choice(len(ringable_idx), p=volume))]
            citywide = relaxed or rng.random() < 0.3
            region = None if citywide else int(rng.choice(len(self.districts), p=self.tender_district_w))
            if region == self.small or (not relaxed and (c, region) in self.ring_markets):
                continue
            mask = (self.t_cat == c) & ~self.t_claimed & ~self.t_niche
            if region is not None:
                mask &= self.t_region == region
            span = self.days if relaxed else int(rng.uniform(1.5, 4.0) * 365)
            begin = int(rng.integers(0, max(1, self.days - span)))
            window = (begin, begin + span)
            pub = self.t_pub[mask]
            count = int(((pub >= window[0]) & (pub <= window[1])).sum())
            if count < max(8, 14 * min(1.0, self.scale)):
                continue
            size = int(rng.integers(3, 8))
            eligible = (self.f_primary == c) & ~self.f_reserved & (self.f_district != self.small)
            if region is not None:
                eligible &= self.f_district == region
            pool = np.flatnonzero(eligible)
            if relaxed or len(pool) < 3 * size:  # a ring stays a minority of its market
                size = min(size, len(pool) // 3)
            if size < 3 or len(pool) < size + 3:
                continue
            w = self.f_activity[pool]
            picked = _sample_distinct(rng, w, 1, size)[0]
            members = [int(pool[x]) for x in picked if x >= 0]
            if len(members) < 3:
                continue
            self.ring_markets.add((c, region))
            return c, region, window, members
        return None

    # ---- winners ---------------------------------------------------------------------------

    def winners(self) -> None:
        rng = self.rng
        amounts = np.round(self.b_amount / self.f_round[self.b_f]) * self.f_round[self.b_f]
        self.b_amount = np.round(np.maximum(amounts, 1000.0), 2)
        self.b_disq |= self.b_amount > self.t_budget[self.b_t]
        frame = pd.DataFrame({"t": self.b_t, "amount": self.b_amount, "valid": ~self.b_disq,
                              "row": np.arange(len(self.b_t))})
        frame = frame[frame["valid"]].sort_values(["t", "amount", "row"], kind="stable")
        frame["rank"] = frame.groupby("t").cumcount()
        n_valid = frame.groupby("t").size().reindex(range(self.n_tenders), fill_value=0).to_numpy()
        pick = rng.choice(3, size=self.n_tenders, p=[0.82, 0.13, 0.05])
        pick = np.where(self.t_ring >= 0, (rng.random(self.n_tenders) < 0.08).astype(np.int64), pick)
        pick = np.where(self.t_niche, np.where(rng.random(self.n_tenders) < 0.9, 0, 1), pick)
        pick = np.minimum(pick, np.maximum(n_valid - 1, 0))
        chosen = frame[frame["rank"].to_numpy() == pick[frame["t"].to_numpy()]]
        self.t_winner_row = np.full(self.n_tenders, -1)
        self.t_winner_row[chosen["t"].to_numpy()] = chosen["row"].to_numpy()

    # ---- officials and their work ----------------------------------------------------------

    def officials(self) -> None:
        rng = self.rng
        dept, role, district = [], [], []
        for d in range(len(DEPARTMENTS)):
            if d == EXPERT_POOL:
                count = max(6, round(rng.uniform(25, 45) * self.scale))
                roles = ["evaluator"] * count
            else:
                count = max(6, round(rng.uniform(15, 40) * self.scale))
                n_dir = max(1, round(count * 0.06))
                rest = rng.choice(["inspector", "approver", "evaluator"], size=count - n_dir, p=[0.42, 0.28, 0.30])
                roles = ["director"] * n_dir + [str(x) for x in rest]
            dw = np.sqrt(self.firm_district_w)
            dw[self.small] = 0.0
            dists = rng.choice(len(self.districts), size=count, p=dw / dw.sum())
            dept += [d] * count
            role += roles
            district += list(dists)
        self.o_dept = np.array(dept, dtype=np.int64)
        self.o_role = np.array(role, dtype=object)
        self.o_district = np.array(district, dtype=np.int64)
        # the small county: one inspector of each of 2-3 departments lives there
        with_local_firms = [d for d, spec in enumerate(DEPARTMENTS) if spec.inspections and np.isin(
            self.f_primary[self.f_district == self.small], [self.cats.index(c) for c in spec.domain]).sum() >= 2]
        small_depts = [with_local_firms[i] for i in sorted(rng.choice(
            len(with_local_firms), size=min(3, len(with_local_firms)), replace=False))] if with_local_firms else []
        for d in small_depts:
            inspectors = np.flatnonzero((self.o_dept == d) & (self.o_role == "inspector"))
            if len(inspectors):
                self.o_district[inspectors[int(rng.integers(len(inspectors)))]] = self.small
        self.small_depts = small_depts
        n = len(self.o_dept)
        self.n_officials = n
        self.o_workload = np.exp(rng.normal(0, 0.3, n))
        self.o_workload[self.o_district == self.small] *= 0.35  # a small county has less to inspect
        self.o_strict = np.exp(rng.normal(0, 0.15, n))
        self.o_speed = np.exp(rng.normal(0, 0.12, n))
        approvers = np.flatnonzero(self.o_role == "approver")
        n_slow = min(len(approvers), max(1, round(rng.uniform(2, 4) * self.scale)))
        self.slow = sorted(int(x) for x in rng.choice(approvers, size=n_slow, replace=False))
        self.o_speed[self.slow] = rng.uniform(1.7, 2.4, n_slow)
        self.o_ids = _random_ids(rng, "O", n, 5)
        self.o_name, self.o_pinyin, self.o_surname = self._names(n)

    def evaluations(self) -> None:
        rng = self.rng
        size = np.where(self.t_budget > 5e6, rng.integers(4, 6, self.n_tenders), rng.integers(3, 6, self.n_tenders))
        from_dept = np.maximum(1, size // 2 - (rng.random(self.n_tenders) < 0.3))
        e_t, e_o = [], []
        pool = np.flatnonzero(self.o_dept == EXPERT_POOL)
        role_w = {r: ROLE_WORK[r][2] for r in ROLES}
        for d in range(len(DEPARTMENTS)):
            rows = np.flatnonzero(self.t_dept == d)
            if not len(rows):
                continue
            staff = np.flatnonzero(self.o_dept == d)
            w = np.array([role_w[r] for r in self.o_role[staff]]) * self.o_workload[staff]
            picks = _sample_distinct(rng, w, len(rows), 3)
            experts = _sample_distinct(rng, self.o_workload[pool], len(rows), 5)
            for i, t in enumerate(rows):
                k_d = int(from_dept[t])
                members = ([int(staff[x]) for x in picks[i, :k_d] if x >= 0]
                           + [int(pool[x]) for x in experts[i, : int(size[t]) - k_d] if x >= 0])
                e_t += [t] * len(members)
                e_o += members
        self.e_t = np.array(e_t, dtype=np.int64)
        self.e_o = np.array(e_o, dtype=np.int64)

    def _domain_mask(self, d: int) -> np.ndarray:
        domain = [self.cats.index(c) for c in DEPARTMENTS[d].domain]
        return np.isin(self.f_primary, domain)

    def inspections(self) -> None:
        rng = self.rng
        i_o, i_f = [], []
        for d, spec in enumerate(DEPARTMENTS):
            if not spec.inspections:
                continue
            staff = np.flatnonzero(self.o_dept == d)
            rate = np.array([ROLE_WORK[r][0] for r in self.o_role[staff]]) * self.years * self.o_workload[staff]
            counts = rng.poisson(rate)
            domain = self._domain_mask(d)
            for dist in range(len(self.districts)):
                who = staff[self.o_district[staff] == dist]
                if not len(who):
                    continue
                n_here = counts[np.isin(staff, who)]
                pool = np.flatnonzero(domain & (self.f_district == dist))
                if not len(pool):
                    pool = np.flatnonzero(domain)
                w = np.sqrt(self.f_activity[pool])
                firms = rng.choice(pool, size=int(n_here.sum()), p=w / w.sum())
                i_o += list(np.repeat(who, n_here))
                i_f += list(firms)
        self.i_o = np.array(i_o, dtype=np.int64)
        self.i_f = np.array(i_f, dtype=np.int64)
        m = len(self.i_o)
        self.i_day = _weekday(rng.integers(0, self.days, m), self.start)
        self.i_kind = np.empty(m, dtype=object)
        for d, spec in enumerate(DEPARTMENTS):
            rows = np.flatnonzero(self.o_dept[self.i_o] == d)
            if len(rows):
                kinds = list(spec.inspections)
                p = np.array(list(spec.inspections.values()))
                self.i_kind[rows] = np.array(kinds, dtype=object)[rng.choice(len(kinds), size=len(rows), p=p)]
        self.i_result, self.i_penalty = self._inspection_outcomes(
            self.i_kind, self.f_compliance[self.i_f], self.o_strict[self.i_o])
        self.i_planted = np.zeros(m, dtype=bool)

    def _inspection_outcomes(self, kinds: np.ndarray, compliance: np.ndarray,
                             strict: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rng = self.rng
        m = len(kinds)
        base = np.array([INSPECTION_RATES[k] for k in kinds]).reshape(m, 4)
        fail = np.clip(base[:, 2] * np.exp(0.5 * compliance) * strict, 0, 0.6)
        warn = np.clip(base[:, 1] * np.exp(0.25 * compliance), 0, 0.35)
        u = rng.random(m)
        result = np.where(u < fail, "fail", np.where(u < fail + warn, "warning", "pass")).astype(object)
        penalty = np.round(np.exp(np.log(base[:, 3]) + 0.7 * rng.normal(size=m)) / 500) * 500
        penalty = np.where((result == "fail") & (rng.random(m) > 0.2), penalty, 0.0)
        return result, penalty

    def approvals(self) -> None:
        rng = self.rng
        a_o, a_f = [], []
        for d, spec in enumerate(DEPARTMENTS):
            if not spec.approvals:
                continue
            staff = np.flatnonzero(self.o_dept == d)
            rate = np.array([ROLE_WORK[r][1] for r in self.o_role[staff]]) * self.years * self.o_workload[staff]
            counts = rng.poisson(rate)
            pool = np.flatnonzero(self._domain_mask(d))
            for dist in range(len(self.districts)):
                sel = self.o_district[staff] == dist
                who, n_here = staff[sel], counts[sel]
                if not len(who) or not n_here.sum():
                    continue
                w = self.f_activity[pool] * np.where(self.f_district[pool] == dist, 6.0, 1.0)
                a_o += list(np.repeat(who, n_here))
                a_f += list(rng.choice(pool, size=int(n_here.sum()), p=w / w.sum()))
        self.a_o = np.array(a_o, dtype=np.int64)
        self.a_f = np.array(a_f, dtype=np.int64)
        m = len(self.a_o)
        self.a_kind = np.empty(m, dtype=object)
        self.a_stat = np.zeros(m, dtype=np.int64)
        for d, spec in enumerate(DEPARTMENTS):
            rows = np.flatnonzero(self.o_dept[self.a_o] == d)
            if len(rows):
                kinds = list(spec.approvals)
                pick = rng.integers(0, len(kinds), len(rows))
                self.a_kind[rows] = np.array(kinds, dtype=object)[pick]
                self.a_stat[rows] = np.array([spec.approvals[k] for k in kinds])[pick]
        self.a_applied = _weekday(rng.integers(0, self.days, m), self.start)
        took = self.a_stat * np.exp(np.log(0.5) + 0.45 * rng.normal(size=m)) * self.o_speed[self.a_o]
        self.a_took = np.maximum(1, np.ceil(took)).astype(np.int64)
        reject = rng.random(m) < 0.09 * np.exp(0.4 * self.f_compliance[self.a_f])
        self.a_decision = np.where(reject, "reject", "approve").astype(object)
        self.a_planted = np.zeros(m, dtype=bool)

    # ---- planted official-firm pairs -------------------------------------------------------

    def pairs(self) -> None:
        rng = self.rng
        n_pairs = max(2, round(rng.uniform(6, 10) * self.scale)) if self.scale >= 0.25 else 2
        archetypes = [PAIR_ARCHETYPES[i] for i in rng.permutation(len(PAIR_ARCHETYPES))]
        # the first pair always hides a relative among the shareholders (small markets too)
        first = next(a for a in archetypes if "relative_shareholder" in a)
        archetypes = [first, *(a for a in archetypes if a is not first)]
        used_officials: set[int] = set()
        for k in range(n_pairs):
            mechanisms = list(archetypes[k % len(archetypes)])
            work = sorted({MECHANISM_WORK[m] for m in mechanisms if m in MECHANISM_WORK})
            role = work[0] if len(work) == 1 else "director"
            pick = self._pair_official_and_firm(mechanisms, role, used_officials)
            if pick is None:
                continue
            o, f = pick
            used_officials.add(o)
            self.f_reserved[f] = True
            d = int(self.o_dept[o])
            for mechanism in mechanisms:
                getattr(self, f"_plant_{mechanism}")(o, f, d)
            self.gt_pairs.append({"official_id": o, "firm_id": f, "mechanisms": mechanisms})

    def _pair_official_and_firm(self, mechanisms: list[str], role: str,
                                used: set[int]) -> tuple[int, int] | None:
        rng = self.rng
        needs_tenders = "committee_wins" in mechanisms
        needs_insp = any(m in mechanisms for m in ("frequent_inspections", "leniency"))
        needs_appr = "fast_approvals" in mechanisms
        for attempt in range(90):
            anywhere = attempt >= 60  # a tiny market: the firm may be based in another district
            d = int(rng.integers(len(DEPARTMENTS)))
            spec = DEPARTMENTS[d]
            if d == EXPERT_POOL or (needs_insp and not spec.inspections) or (needs_appr and not spec.approvals):
                continue
            staff = np.flatnonzero((self.o_dept == d) & (self.o_role == role) & (self.o_district != self.small))
            staff = np.array([o for o in staff if int(o) not in used and int(o) not in self.slow])
            if not len(staff):
                continue
            o = int(staff[int(rng.integers(len(staff)))])
            cats_ok = [self.cats.index(c) for c in spec.domain]
            if needs_tenders:  # enough open tenders of the department in the firm's category
                open_cats = self.t_cat[(self.t_dept == d) & ~self.t_claimed]
                cats_ok = [c for c in cats_ok if int((open_cats == c).sum()) >= 8]
            firms = np.flatnonzero(np.isin(self.f_primary, cats_ok) & ~self.f_reserved
                                   & ((self.f_district == self.o_district[o]) | anywhere)
                                   & (self.f_district != self.small))
            if len(firms) < (1 if anywhere else 3):
                continue
            w = self.f_activity[firms]
            return o, int(firms[max(0, int(_sample_distinct(rng, w, 1, 1)[0, 0]))])
        return None

    def _add_inspections(self, o: int, f: int, count: int, result_p: tuple[float, float, float],
                         penalty_factor: float, planted: bool) -> None:
        rng = self.rng
        kinds = list(DEPARTMENTS[self.o_dept[o]].inspections)
        kind = np.array(kinds, dtype=object)[rng.integers(0, len(kinds), count)]
        days = _weekday(rng.integers(0, self.days, count), self.start)
        result = np.array(["pass", "warning", "fail"], dtype=object)[rng.choice(3, size=count, p=result_p)]
        base = np.array([INSPECTION_RATES[k][3] for k in kind])
        penalty = np.round(base * penalty_factor * np.exp(0.7 * rng.normal(size=count)) / 500) * 500
        penalty = np.where(result == "fail", penalty, 0.0)
        self.i_o = np.concatenate([self.i_o, np.full(count, o)])
        self.i_f = np.concatenate([self.i_f, np.full(count, f)])
        self.i_day = np.concatenate([self.i_day, days])
        self.i_kind = np.concatenate([self.i_kind, kind])
        self.i_result = np.concatenate([self.i_result, result])
        self.i_penalty = np.concatenate([self.i_penalty, penalty])
        self.i_planted = np.concatenate([self.i_planted, np.full(count, planted)])

    def _plant_frequent_inspections(self, o: int, f: int, d: int) -> None:
        rng = self.rng
        # 7-14 extra visits, and at least twice what this official gives an ordinary firm
        counts = np.unique(self.i_f[(self.i_o == o) & (self.i_f != f)], return_counts=True)[1]
        mean, top = (counts.mean(), counts.max()) if len(counts) else (0.0, 0)
        count = max(int(rng.integers(7, 15)), round(mean * rng.uniform(2.0, 3.0)), round(top * rng.uniform(1.2, 1.6)))
        kinds = np.array(list(DEPARTMENTS[d].inspections), dtype=object)[
            rng.integers(0, len(DEPARTMENTS[d].inspections), count)]
        result, penalty = self._inspection_outcomes(kinds, np.full(count, self.f_compliance[f]),
                                                    np.full(count, self.o_strict[o]))
        p = ((result == "pass").mean(), (result == "warning").mean(), (result == "fail").mean())
        self._add_inspections(o, f, count, p, 1.0, planted=True)

    def _plant_leniency(self, o: int, f: int, d: int) -> None:
        rng = self.rng
        self.f_compliance[f] = max(self.f_compliance[f], 0) + 1.5
        # everybody else sees the firm as it is: redraw their outcomes with its poor compliance
        others = np.flatnonzero((self.i_f == f) & (self.i_o != o))
        if len(others):
            self.i_result[others], self.i_penalty[others] = self._inspection_outcomes(
                self.i_kind[others], self.f_compliance[self.i_f[others]], self.o_strict[self.i_o[others]])
        # the official's own inspections of the firm pass (a few warnings), with no penalty
        lenient = (self.i_o == o) & (self.i_f == f)
        n_own = int(lenient.sum())
        if n_own:
            self.i_result[lenient] = np.array(["pass", "warning"], dtype=object)[(rng.random(n_own) < 0.1).astype(int)]
            self.i_penalty[lenient] = 0.0
        self._add_inspections(o, f, max(0, int(rng.integers(3, 6)) - n_own), (0.9, 0.1, 0.0), 0.0, True)
        # and department peers inspect it often enough to show the contrast
        peers = np.flatnonzero((self.o_dept == d) & (self.o_role != "evaluator") & (np.arange(self.n_officials) != o))
        if not len(peers):
            return
        near = peers[self.o_district[peers] == self.o_district[o]]
        peers = near if len(near) else peers
        seen = int(((self.i_f == f) & (self.o_dept[self.i_o] == d) & (self.i_o != o)).sum())
        for _ in range(max(0, int(rng.integers(4, 9)) - seen)):
            self._add_inspections(int(peers[int(rng.integers(len(peers)))]), f, 1, (0.4, 0.25, 0.35), 1.0, True)
        by_peers = np.flatnonzero((self.i_f == f) & (self.o_dept[self.i_o] == d) & (self.i_o != o))
        if not (self.i_result[by_peers] == "fail").any():
            row = by_peers[int(rng.integers(len(by_peers)))]
            self.i_result[row] = "fail"
            self.i_penalty[row] = round(INSPECTION_RATES[self.i_kind[row]][3] / 500) * 500

    def _plant_fast_approvals(self, o: int, f: int, d: int) -> None:
        rng = self.rng
        count = int(rng.integers(4, 10))
        kinds = list(DEPARTMENTS[d].approvals)
        pick = rng.integers(0, len(kinds), count)
        stat = np.array([DEPARTMENTS[d].approvals[k] for k in kinds])[pick]
        self.a_o = np.concatenate([self.a_o, np.full(count, o)])
        self.a_f = np.concatenate([self.a_f, np.full(count, f)])
        self.a_kind = np.concatenate([self.a_kind, np.array(kinds, dtype=object)[pick]])
        self.a_stat = np.concatenate([self.a_stat, stat])
        self.a_applied = np.concatenate([self.a_applied, _weekday(rng.integers(0, self.days - 60, count), self.start)])
        self.a_took = np.concatenate([self.a_took, np.maximum(1, np.round(stat * rng.uniform(0.04, 0.2, count)))
                                      .astype(np.int64)])
        self.a_decision = np.concatenate([self.a_decision, np.full(count, "approve", dtype=object)])
        self.a_planted = np.concatenate([self.a_planted, np.ones(count, dtype=bool)])
        own = (self.a_o == o) & (self.a_f == f) & ~self.a_planted
        self.a_took[own] = np.maximum(1, np.round(self.a_stat[own] * rng.uniform(0.04, 0.2, int(own.sum()))))
        self.a_decision[own] = "approve"

    def _relative(self, o: int, same_surname: bool | None = None) -> int:
        rng = self.rng
        relation = vocab.RELATIONS[int(rng.integers(len(vocab.RELATIONS)))]
        if same_surname is not None:
            pool = [r for r in vocab.RELATIONS if (r in vocab.SAME_SURNAME_RELATIONS) == same_surname]
            relation = pool[int(rng.integers(len(pool)))]
        person = self._new_persons(1, district=int(self.o_district[o]))[0]
        self.person_surname[person] = int(self.o_surname[o]) if relation in vocab.SAME_SURNAME_RELATIONS else -1
        self.relatives.append((o, person, relation))
        return person

    def _plant_relative_shareholder(self, o: int, f: int, d: int) -> None:
        rng = self.rng
        person = self._relative(o)
        self._add_shareholder(person, f, round(float(rng.uniform(0.1, 0.45)), 4))
        if rng.random() < 0.3:
            self.roles.append([person, f, "director", np.nan])

    def _plant_shared_contact(self, o: int, f: int, d: int) -> None:
        person = self._relative(o)
        self.contact_overrides[person] = f  # the person's mobile becomes the firm's phone later

    def _bid_rows(self, t: int) -> np.ndarray:
        if self._by_tender is None or len(self._by_tender) != len(self.b_t):
            self._by_tender = np.argsort(self.b_t, kind="stable")
            self._tender_starts = np.searchsorted(self.b_t[self._by_tender], np.arange(self.n_tenders + 1))
        return self._by_tender[self._tender_starts[t]:self._tender_starts[t + 1]]

    def _plant_committee_wins(self, o: int, f: int, d: int) -> None:
        rng = self.rng
        cats = {int(self.f_primary[f])} | ({int(self.f_secondary[f])} if self.f_secondary[f] >= 0 else set())
        cand = np.flatnonzero((self.t_dept == d) & np.isin(self.t_cat, sorted(cats)) & ~self.t_claimed)
        if not len(cand):
            return
        # the official steers every tender of the firm they already sit on, and gets on more
        sits = np.intersect1d(self.e_t[self.e_o == o], self.b_t[self.b_f == f])
        sits = sits[~self.t_claimed[sits] & (self.t_dept[sits] == d)]
        cand = np.setdiff1d(cand, sits)
        count = min(len(cand), max(0, int(rng.integers(6, 15)) - len(sits)))
        chosen = sits
        if count:
            w = np.where(self.t_region[cand] == self.f_district[f], 4.0, 1.0)
            picked = _sample_distinct(rng, w, 1, count)[0]
            chosen = np.sort(np.concatenate([sits, cand[picked[picked >= 0]]]))
        for t in chosen:
            self.t_claimed[t] = True
            rows = self._bid_rows(int(t))
            mine = rows[self.b_f[rows] == f]
            if len(mine):
                row = int(mine[0])
            else:  # the firm takes the place of a losing bidder, so the bidder count stays ordinary
                losers = rows[rows != self.t_winner_row[t]]
                row = int(losers[int(rng.integers(len(losers)))])
                self.b_f[row], self.b_ip_firm[row], self.b_dyn[row] = f, f, -1
            self.b_disq[row] = False
            others = rows[(rows != row) & ~self.b_disq[rows]]
            lowest = self.b_amount[others].min() if len(others) else self.t_cost[t]
            if rng.random() < 0.8:
                amount = min(lowest * rng.uniform(0.975, 1.03), self.t_budget[t])
                self.t_winner_row[t] = row
            else:
                amount = min(lowest * rng.uniform(1.01, 1.1), self.t_budget[t])
                if self.t_winner_row[t] == row or self.t_winner_row[t] < 0:
                    self.t_winner_row[t] = int(others[np.argmin(self.b_amount[others])]) if len(others) else row
            self.b_amount[row] = round(float(np.round(amount / self.f_round[f]) * self.f_round[f]), 2)
            committee = np.flatnonzero(self.e_t == t)
            if not (self.e_o[committee] == o).any():
                self.e_o[committee[int(rng.integers(len(committee)))]] = o

    # ---- decoys ----------------------------------------------------------------------------

    def decoys(self) -> None:
        rng = self.rng
        for i, m in enumerate(self.niche):
            self.decoy_rings.append({
                "id": f"DECOY-R{i + 1}", "firms": m["firms"], "category": m["category"],
                "region": self.districts[m["district"]],
                "why": "niche market: the same few specialist firms always meet but compete (independent "
                       "prices, lowest bid wins, no shared identifiers)"})
        for j, members in enumerate(self.groups):
            self.decoy_rings.append({
                "id": f"DECOY-H{j + 1}", "firms": members,
                "why": "holding group: common owner, never bid in the same tender"})
        # business centre: ~35 unrelated firms registered at one address (scaled, at least 8)
        free = np.flatnonzero(~self.f_reserved & (self.f_district != self.small))
        count = min(len(free), max(8, round(rng.uniform(32, 42) * self.scale)))
        bc = sorted(int(x) for x in rng.choice(free, size=count, replace=False))
        d = int(rng.integers(0, 5))
        road = vocab.ROADS[int(rng.integers(len(vocab.ROADS)))]
        address = f"{self.city.name}市{self.districts[d]}{road}{int(rng.integers(1, 200))}号创业服务中心3楼"
        for k, f in enumerate(bc):
            self.f_address[f] = address
            self.f_address_style[f] = k % 4
            self.f_reserved[f] = True
        self.decoy_addresses.append({"address": address, "firms": bc,
                                     "why": "business centre: registered address of many unrelated small firms"})
        # small county: its officials see the same few local firms; outcomes are ordinary
        local = np.flatnonzero(self.o_district[self.i_o] == self.small)
        if len(local):
            pairs = pd.Series(1, index=pd.MultiIndex.from_arrays([self.i_o[local], self.i_f[local]])).groupby(
                level=[0, 1]).sum()
            pairs = pairs[pairs >= 3].sort_values(ascending=False, kind="stable").head(8)
            for (o, f), _count in pairs.items():
                self.decoy_pairs.append({"official_id": int(o), "firm_id": int(f),
                                         "why": "small district: few local firms, so the same official meets the "
                                                "same firm often; ordinary pass rates and approval times"})

    # ---- declared relatives and person details ---------------------------------------------

    def declared_relatives(self) -> None:
        """~30 % of officials declare 1-2 relatives; a few hold shares in firms far from their work."""
        rng = self.rng
        declaring = np.flatnonzero(rng.random(self.n_officials) < 0.3)
        for o in declaring:
            for _ in range(int(rng.integers(1, 3))):
                person = self._relative(int(o))
                if rng.random() < 0.08 and self.o_dept[o] != EXPERT_POOL:
                    d = int(self.o_dept[o])
                    near = set(DEPARTMENTS[d].domain) | set(DEPARTMENTS[d].categories)
                    far = [self.cats.index(c) for c in CATEGORIES if c not in near]
                    firms = np.flatnonzero(np.isin(self.f_primary, far) & ~self.f_reserved)
                    if len(firms):
                        f = int(firms[int(rng.integers(len(firms)))])
                        self._add_shareholder(person, f, round(float(rng.uniform(0.05, 0.4)), 4))

    # ---- output ----------------------------------------------------------------------------

    def frames(self) -> dict[str, pd.DataFrame]:
        rng = self.rng
        city = self.city
        fmt_date = lambda days: np.datetime_as_string(self.start + np.asarray(days).astype("timedelta64[D]"),  # noqa: E731
                                                      unit="D")
        # departments and officials
        dept_ids = [f"D{i + 1:02d}" for i in range(len(DEPARTMENTS))]
        departments = pd.DataFrame({"department_id": dept_ids,
                                    "name": [f"{city.name}市{d.name}" for d in DEPARTMENTS]})
        o_mobile = _mobile(rng, self.n_officials)
        o_style = rng.integers(0, 7, self.n_officials)
        o_num = rng.integers(1, 99, self.n_officials)
        officials = pd.DataFrame({
            "official_id": self.o_ids, "name": self.o_name,
            "department_id": np.array(dept_ids, dtype=object)[self.o_dept], "role": self.o_role,
            "phone": [_format_mobile(m, s) for m, s in zip(o_mobile, o_style, strict=True)],
            "email": _unique([f"{p}{n:02d}@{city.pinyin}.gov.cn" for p, n in zip(self.o_pinyin, o_num, strict=True)]),
            "address": self._home_addresses(self.n_officials, self.o_district),
        })
        # persons
        n_p = self.n_persons
        p_names, p_pinyin, _ = self._names(n_p)
        surname_override = self.person_surname
        p_names = p_names.copy()
        for p, s in surname_override.items():
            if s >= 0:
                p_names[p] = vocab.SURNAMES[s][0] + p_names[p][1:]
        p_district = np.concatenate([self.f_district[self.p_firm_origin],
                                     rng.integers(0, len(self.districts), n_p - len(self.p_firm_origin))])
        for p, dist in self.extra_person_district.items():
            if dist is not None:
                p_district[p] = dist
        p_mobile = _mobile(rng, n_p)
        p_style = rng.integers(0, 7, n_p)
        has_phone = rng.random(n_p) < 0.55
        has_email = rng.random(n_p) < 0.3
        has_addr = rng.random(n_p) < 0.5
        p_num = rng.integers(10, 999, n_p)
        contact = self.contact_overrides
        for p in contact:
            has_phone[p] = True
        # spouses live with the official
        p_address = self._home_addresses(n_p, p_district)
        o_address = officials["address"].to_numpy()
        for o, p, relation in self.relatives:
            if relation == "spouse":
                p_address[p] = o_address[o]
                has_addr[p] = True
        self.p_ids = _random_ids(rng, "P", n_p, 6)
        persons = pd.DataFrame({
            "person_id": self.p_ids, "name": p_names,
            "phone": _or_none(has_phone, [_format_mobile(m, s) for m, s in zip(p_mobile, p_style, strict=True)]),
            "email": _or_none(has_email, _unique([f"{py}{k}@{vocab.EMAIL_DOMAINS[k % 6]}"
                                                  for py, k in zip(p_pinyin, p_num, strict=True)])),
            "address": _or_none(has_addr, p_address),
        })
        # planted phone sharing: firm's contact phone is a relative's mobile; ring phones
        for p, f in contact.items():
            self.f_phone[f] = p_mobile[p]
            self.f_phone_style[f] = (p_style[p] + 3) % 7
        self._ring_identifiers()
        firms = pd.DataFrame({
            "firm_id": self.f_ids, "name": self.f_name, "reg_no": self.f_reg,
            "phone": [_format_phone(p, city.area_code, s) for p, s in zip(self.f_phone, self.f_phone_style, strict=True)],
            "email": [_vary_email(e, s) for e, s in zip(self.f_email, self.f_email_style, strict=True)],
            "address": [_vary_address(a, s) for a, s in zip(self.f_address, self.f_address_style, strict=True)],
        })
        roles = pd.DataFrame(self.roles, columns=["p", "f", "role", "share"])
        roles = roles.drop_duplicates(["p", "f", "role"])
        person_roles = pd.DataFrame({"person_id": self.p_ids[roles["p"].to_numpy()],
                                     "firm_id": self.f_ids[roles["f"].to_numpy()],
                                     "role": roles["role"].to_numpy(),
                                     "share": roles["share"].map(lambda s: "" if pd.isna(s) else f"{s:.4f}")})
        relations = pd.DataFrame({"official_id": [self.o_ids[o] for o, _, _ in self.relatives],
                                  "person_id": [self.p_ids[p] for _, p, _ in self.relatives],
                                  "relation": [r for _, _, r in self.relatives]})
        # tenders
        t_ids: list[str] = []
        seq: dict[str, int] = {}  # tenders numbered per publication year
        years = np.datetime_as_string(self.start + self.t_pub.astype("timedelta64[D]"), unit="Y")
        for y in years:
            seq[y] = seq.get(y, 0) + 1
            t_ids.append(f"{city.abbrev}{y}-{seq[y]:05d}")
        self.t_ids = np.array(t_ids, dtype=object)
        places = rng.integers(0, len(vocab.TITLE_PLACES), self.n_tenders)
        roads = rng.integers(0, len(vocab.ROADS), self.n_tenders)
        tmpl = rng.integers(0, 3, self.n_tenders)
        titles = []
        for t in range(self.n_tenders):
            spec = ALL_CATEGORIES[self.cats[self.t_cat[t]]]
            district = self.districts[self.t_region[t]]
            place = district + (vocab.TITLE_PLACES[places[t]] if tmpl[t] != 1 else "")
            titles.append(spec.titles[tmpl[t] % len(spec.titles)].format(
                place=place, road=district + vocab.ROADS[roads[t]]))
        win = self.t_winner_row
        has_win = win >= 0
        tenders = pd.DataFrame({
            "tender_id": self.t_ids, "department_id": np.array(dept_ids, dtype=object)[self.t_dept],
            "title": titles, "category": np.array(self.cats, dtype=object)[self.t_cat],
            "region": np.array(self.districts, dtype=object)[self.t_region],
            "budget": [f"{b:.2f}" for b in self.t_budget], "currency": "CNY",
            "published_at": fmt_date(self.t_pub), "deadline_at": fmt_date(self.t_deadline),
            "procedure": np.array(PROCEDURES, dtype=object)[self.t_proc],
            "winner_firm_id": _or_none(has_win, self.f_ids[self.b_f[np.maximum(win, 0)]]),
            "award_amount": _or_none(has_win, [f"{a:.2f}" for a in self.b_amount[np.maximum(win, 0)]]),
        })
        # bids: ordered by tender then submission time; ids follow that order
        deadline_min = (self.t_deadline[self.b_t].astype(np.int64) * 24 * 60) + 9 * 60 + 30
        submitted = deadline_min - self.b_before
        order = np.lexsort((self.b_f, submitted, self.b_t))
        stamps = (self.start.astype("datetime64[m]") + submitted.astype("timedelta64[m]")
                  + rng.integers(0, 60, len(submitted)).astype("timedelta64[s]"))
        ips = np.where(self.b_dyn >= 0, self.dynamic_ips[np.maximum(self.b_dyn, 0)], self.f_ip[self.b_ip_firm])
        raw = rng.bytes(32 * (int(self.b_doc.max()) + 1)).hex()
        hashes = np.array([raw[64 * d: 64 * d + 64] for d in self.b_doc], dtype=object)
        bids = pd.DataFrame({
            "bid_id": [f"B{i + 1:07d}" for i in range(len(order))],
            "tender_id": self.t_ids[self.b_t[order]], "firm_id": self.f_ids[self.b_f[order]],
            "amount": [f"{a:.2f}" for a in self.b_amount[order]],
            "submitted_at": np.datetime_as_string(stamps[order], unit="s"),
            "ip": ips[order], "document_hash": hashes[order],
            "disqualified": np.where(self.b_disq[order], "true", "false"),
        })
        e_order = np.lexsort((self.o_ids[self.e_o], self.e_t))
        evaluations = pd.DataFrame({"tender_id": self.t_ids[self.e_t[e_order]],
                                    "official_id": self.o_ids[self.e_o[e_order]]}).drop_duplicates()
        i_order = np.lexsort((rng.random(len(self.i_o)), self.i_day))
        inspections = pd.DataFrame({
            "inspection_id": [f"INS{i + 1:06d}" for i in range(len(i_order))],
            "official_id": self.o_ids[self.i_o[i_order]], "firm_id": self.f_ids[self.i_f[i_order]],
            "date": fmt_date(self.i_day[i_order]), "kind": self.i_kind[i_order], "result": self.i_result[i_order],
            "penalty": [f"{p:.2f}" for p in self.i_penalty[i_order]],
        })
        a_order = np.lexsort((rng.random(len(self.a_o)), self.a_applied))
        decided = self.a_applied + self.a_took
        pending = decided > self.days
        approvals = pd.DataFrame({
            "approval_id": [f"APP{i + 1:06d}" for i in range(len(a_order))],
            "official_id": self.o_ids[self.a_o[a_order]], "firm_id": self.f_ids[self.a_f[a_order]],
            "applied_at": fmt_date(self.a_applied[a_order]),
            "decided_at": _or_none(~pending[a_order], fmt_date(decided[a_order])),
            "kind": self.a_kind[a_order],
            "decision": _or_none(~pending[a_order], self.a_decision[a_order]),
            "statutory_days": self.a_stat[a_order],
        })
        out = {"departments": departments, "officials": officials.sort_values("official_id"),
               "firms": firms.sort_values("firm_id"), "persons": persons.sort_values("person_id"),
               "person_roles": person_roles.sort_values(["firm_id", "role", "person_id"]),
               "relations": relations.sort_values(["official_id", "person_id"]),
               "tenders": tenders, "bids": bids, "evaluations": evaluations,
               "inspections": inspections, "approvals": approvals}
        return {name: frame[COLUMNS[name]].reset_index(drop=True) for name, frame in out.items()}

    def _ring_identifiers(self) -> None:
        """Planted identifier sharing among 2-3 members of each ring (phone/email/address/owner)."""
        rng = self.rng
        for ring in self.gt_rings:
            members = ring["firms"]
            size = min(len(members), int(rng.integers(2, 4)))
            sharers = [members[i] for i in sorted(rng.choice(len(members), size=size, replace=False))]
            head = sharers[0]
            for k, f in enumerate(sharers[1:], start=1):
                if "phone" in ring["shared"]:
                    self.f_phone[f] = self.f_phone[head]
                    self.f_phone_style[f] = (self.f_phone_style[head] + k * 2 + 1) % 7
                if "email" in ring["shared"]:
                    self.f_email[f] = self.f_email[head]
                    self.f_email_style[f] = (self.f_email_style[head] + k) % 3
                if "address" in ring["shared"]:
                    self.f_address[f] = self.f_address[head]
                    self.f_address_style[f] = (self.f_address_style[head] + k) % 4
            if "owner" in ring["shared"]:
                rep = next(p for p, f, role, _ in self.roles if f == head and role == "legal_rep")
                for f in sharers[1:]:
                    if rng.random() < 0.5:
                        self._add_shareholder(rep, f, round(float(rng.uniform(0.2, 0.6)), 4))
                    else:
                        self.roles.append([rep, f, "director", np.nan])
            ring["_sharers"] = sharers

    def ground_truth(self) -> dict:
        f_id = lambda fs: [str(self.f_ids[f]) for f in fs]  # noqa: E731
        rings = []
        for ring in self.gt_rings:
            rings.append({"id": ring["id"], "firms": sorted(f_id(ring["firms"])), "category": ring["category"],
                          "region": ring["region"], "pattern": ring["pattern"], "shared": ring["shared"],
                          "sharing_firms": sorted(f_id(ring["_sharers"])) if ring["shared"] else [],
                          "tenders": [str(self.t_ids[t]) for t in ring["tenders"]],
                          "active": [str(self.start + np.timedelta64(int(x), "D")) for x in ring["active"]]})
        pairs = [{"official_id": str(self.o_ids[p["official_id"]]), "firm_id": str(self.f_ids[p["firm_id"]]),
                  "mechanisms": p["mechanisms"]} for p in self.gt_pairs]
        return {
            "seed": self.seed, "scale": self.scale, "city": self.city.name,
            "period": [str(self.start), str(self.end)],
            "rings": rings, "pairs": pairs,
            "decoys": {
                "rings": [{**d, "firms": sorted(f_id(d["firms"]))} for d in self.decoy_rings],
                "pairs": [{"official_id": str(self.o_ids[d["official_id"]]), "firm_id": str(self.f_ids[d["firm_id"]]),
                           "why": d["why"]} for d in self.decoy_pairs],
                "shared_addresses": [{**d, "firms": sorted(f_id(d["firms"]))} for d in self.decoy_addresses],
            },
            "slow_officials": sorted(str(self.o_ids[o]) for o in self.slow),
        }


def generate(seed: int = 0, scale: float = 1.0) -> tuple[dict[str, pd.DataFrame], dict]:
    """Build one market: the eleven bundle frames (string-formatted, as written) and the ground truth."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    market = _Market(seed, scale)
    market.city_and_time()
    market.firms()
    market.firm_identity()
    market.persons()
    market.tenders()
    market.bidders()
    market.honest_amounts()
    market.rings()
    market.winners()
    market.officials()
    market.evaluations()
    market.inspections()
    market.approvals()
    market.pairs()
    market.decoys()
    market.declared_relatives()
    frames = market.frames()
    return frames, market.ground_truth()


def _blemish(frames: dict[str, pd.DataFrame], rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Loader-level dirt (``--dirty``): what real registry and e-bidding exports look like.

    firms.csv: a few missing or placeholder phones ("无", "-"), lower-case/spaced reg_no, trailing
    blanks in names, exact duplicate rows. bids.csv: thousands separators and a "元" suffix in
    amounts, slash dates, a bid of an unknown firm, duplicated bid rows, "是/否" booleans.
    """
    firms = frames["firms"].copy()
    n = len(firms)
    pick = lambda share: rng.random(n) < share  # noqa: E731
    firms.loc[pick(0.01), "phone"] = rng.choice(["无", "-", ""], size=1)[0]
    mask = pick(0.01)
    firms.loc[mask, "reg_no"] = firms.loc[mask, "reg_no"].map(lambda r: f"{r[:6].lower()} {r[6:]}")
    mask = pick(0.01)
    firms.loc[mask, "name"] = firms.loc[mask, "name"] + "  "
    firms = pd.concat([firms, firms[pick(0.005)]]).reset_index(drop=True)
    bids = frames["bids"].copy()
    m = len(bids)
    sel = rng.random(m)
    bids.loc[sel < 0.004, "amount"] = bids.loc[sel < 0.004, "amount"].map(lambda a: f"{float(a):,.2f}")
    bids.loc[(sel >= 0.004) & (sel < 0.006), "amount"] = bids.loc[(sel >= 0.004) & (sel < 0.006), "amount"] + "元"
    slash = (sel >= 0.006) & (sel < 0.008)
    bids.loc[slash, "submitted_at"] = bids.loc[slash, "submitted_at"].str.replace("-", "/").str.replace("T", " ")
    yesno = (sel >= 0.008) & (sel < 0.010)
    bids.loc[yesno, "disqualified"] = bids.loc[yesno, "disqualified"].map({"true": "是", "false": "否"})
    ghost = bids.iloc[[int(rng.integers(m))]].copy()
    ghost["bid_id"] = "B9999999"
    ghost["firm_id"] = "F000000"
    bids = pd.concat([bids, ghost, bids[sel > 0.998]]).reset_index(drop=True)
    return {**frames, "firms": firms, "bids": bids}


def write_bundle(out_dir: Path, frames: dict[str, pd.DataFrame], truth: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_csv(out_dir / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
    with open(out_dir / "ground_truth.json", "w", encoding="utf-8", newline="\n") as handle:
        json.dump(truth, handle, ensure_ascii=False, indent=2)
        handle.write("\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders demo",
                                     description="Write a synthetic city procurement market (CSV bundle + "
                                                 "ground_truth.json) with planted rings and official-firm pairs.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 ≈ 4,000 tenders, 1,500 firms")
    parser.add_argument("--dirty", action="store_true", help="add loader-level blemishes to firms.csv and bids.csv")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    frames, truth = generate(args.seed, args.scale)
    if args.dirty:
        frames = _blemish(frames, np.random.default_rng([args.seed, 1]))
    write_bundle(args.out_dir, frames, truth)
    print(f"demo market (seed {args.seed}, scale {args.scale:g}, {truth['city']}): "
          f"{len(frames['tenders'])} tenders, {len(frames['bids'])} bids, {len(frames['firms'])} firms, "
          f"{len(truth['rings'])} rings, {len(truth['pairs'])} pairs → {args.out_dir} "
          f"in {time.perf_counter() - began:.1f} s")
    return 0
