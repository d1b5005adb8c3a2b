"""The demo market generator: format, integrity, determinism and the planted signals.

Small markets (scale 0.2, ~800 tenders) keep this fast; one scale-1 market checks the
business-centre decoy at full size. The checks read the written CSV files back, as a loader
would, rather than the generator's internals.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loaders import demo

# The bundle's columns (docs/csv_bundle.md), written out here on purpose: the test fails if the generator drifts from them.
DESIGN_COLUMNS = {
    "departments": ["department_id", "name"],
    "officials": ["official_id", "name", "department_id", "role", "phone", "email", "address"],
    "firms": ["firm_id", "name", "reg_no", "phone", "email", "address"],
    "persons": ["person_id", "name", "phone", "email", "address"],
    "person_roles": ["person_id", "firm_id", "role", "share"],
    "relations": ["official_id", "person_id", "relation"],
    "tenders": ["tender_id", "department_id", "title", "category", "region", "budget", "currency",
                "published_at", "deadline_at", "procedure", "winner_firm_id", "award_amount"],
    "bids": ["bid_id", "tender_id", "firm_id", "amount", "submitted_at", "ip", "document_hash", "disqualified"],
    "evaluations": ["tender_id", "official_id"],
    "inspections": ["inspection_id", "official_id", "firm_id", "date", "kind", "result", "penalty"],
    "approvals": ["approval_id", "official_id", "firm_id", "applied_at", "decided_at", "kind", "decision",
                  "statutory_days"],
}
SCALE = 0.2
SEED = 7


def _generate(out: Path, *args: str) -> Path:
    assert demo.main([str(out), *args]) == 0
    return out


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("demo") / "a", "--seed", str(SEED), "--scale", str(SCALE))


@pytest.fixture(scope="module")
def tables(bundle: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(bundle / f"{name}.csv", dtype=str, keep_default_na=False)
            for name in DESIGN_COLUMNS}


@pytest.fixture(scope="module")
def truth(bundle: Path) -> dict:
    return json.loads((bundle / "ground_truth.json").read_text(encoding="utf-8"))


def _fold(address: str) -> str:
    """Address as a matcher should see it: NFKC, no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", address))


def _member_bids(tables: dict[str, pd.DataFrame], firms: list[str]) -> pd.DataFrame:
    bids = tables["bids"]
    out = bids[bids["firm_id"].isin(firms) & (bids["disqualified"] == "false")].copy()
    out["amount"] = out["amount"].astype(float)
    return out


# ------------------------------------------------------------------------------ determinism


def test_same_seed_gives_byte_identical_files(bundle: Path, tmp_path: Path) -> None:
    again = _generate(tmp_path / "b", "--seed", str(SEED), "--scale", str(SCALE))
    names = sorted(p.name for p in bundle.iterdir())
    assert names == sorted([f"{n}.csv" for n in DESIGN_COLUMNS] + ["ground_truth.json"])
    for name in names:
        assert (bundle / name).read_bytes() == (again / name).read_bytes(), name


def test_different_seed_gives_a_different_market(bundle: Path, truth: dict, tmp_path: Path) -> None:
    other = _generate(tmp_path / "c", "--seed", str(SEED + 1), "--scale", str(SCALE))
    assert (bundle / "firms.csv").read_bytes() != (other / "firms.csv").read_bytes()
    other_truth = json.loads((other / "ground_truth.json").read_text(encoding="utf-8"))
    ring_firms = {f for ring in truth["rings"] for f in ring["firms"]}
    other_ring_firms = {f for ring in other_truth["rings"] for f in ring["firms"]}
    assert ring_firms != other_ring_firms


# ------------------------------------------------------------------------------ format


def test_every_file_has_exactly_the_design_columns(bundle: Path) -> None:
    for name, columns in DESIGN_COLUMNS.items():
        with open(bundle / f"{name}.csv", encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == columns, name


def test_values_are_well_formed(tables: dict[str, pd.DataFrame]) -> None:
    tenders, bids = tables["tenders"], tables["bids"]
    published = pd.to_datetime(tenders["published_at"], format="%Y-%m-%d")
    deadline = pd.to_datetime(tenders["deadline_at"], format="%Y-%m-%d")
    assert (deadline > published).all()
    assert (tenders["currency"] == "CNY").all()
    assert set(tenders["procedure"]) <= {"open", "invitational", "competitive_negotiation"}
    assert (tenders["budget"].astype(float) > 0).all()
    submitted = pd.to_datetime(bids["submitted_at"], format="%Y-%m-%dT%H:%M:%S")
    window = tenders.set_index("tender_id")
    opened = pd.to_datetime(bids["tender_id"].map(window["published_at"]))
    closed = pd.to_datetime(bids["tender_id"].map(window["deadline_at"])) + pd.Timedelta(hours=9, minutes=30)
    assert ((submitted >= opened) & (submitted <= closed)).all()
    assert submitted.dt.hour.between(7, 23).mean() > 0.99  # people upload bids while awake
    assert set(bids["disqualified"]) == {"true", "false"}
    assert (bids["amount"].astype(float) > 0).all()
    per_tender = bids.groupby("tender_id").size()
    assert per_tender.min() >= 3 and per_tender.median() >= 4
    assert set(tables["inspections"]["result"]) == {"pass", "fail", "warning"}
    penalties = tables["inspections"]["penalty"].astype(float)
    assert (penalties[tables["inspections"]["result"] != "fail"] == 0).all()
    approvals = tables["approvals"]
    decided = approvals[approvals["decided_at"] != ""]
    assert (pd.to_datetime(decided["decided_at"]) >= pd.to_datetime(decided["applied_at"])).all()
    assert set(decided["decision"]) == {"approve", "reject"}
    assert set(tables["person_roles"]["role"]) == {"legal_rep", "shareholder", "director"}
    # unique keys
    for name, key in (("firms", "firm_id"), ("tenders", "tender_id"), ("bids", "bid_id"),
                      ("officials", "official_id"), ("persons", "person_id"),
                      ("inspections", "inspection_id"), ("approvals", "approval_id")):
        assert tables[name][key].is_unique, name


def test_registration_numbers_carry_a_valid_check_character(tables: dict[str, pd.DataFrame]) -> None:
    alphabet = demo.CODE_CHARS
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    for code in tables["firms"]["reg_no"]:
        assert len(code) == 18
        total = sum(alphabet.index(ch) * w for ch, w in zip(code[:17], weights, strict=True))
        assert alphabet[(31 - total % 31) % 31] == code[17]


def test_contact_details_come_in_varied_formats(tables: dict[str, pd.DataFrame]) -> None:
    phones = tables["firms"]["phone"]
    assert phones.str.startswith("+86").any() and phones.str.contains("-").any()
    assert phones.str.fullmatch(r"1\d{10}").any() and phones.str.contains(r"^\(0\d+\)").any()


# ------------------------------------------------------------------------------ integrity


def test_ids_refer_to_existing_rows_across_files(tables: dict[str, pd.DataFrame]) -> None:
    ids = {name: set(tables[name][key]) for name, key in (
        ("departments", "department_id"), ("officials", "official_id"), ("firms", "firm_id"),
        ("persons", "person_id"), ("tenders", "tender_id"))}
    refs = [("officials", "department_id", "departments"), ("tenders", "department_id", "departments"),
            ("bids", "tender_id", "tenders"), ("bids", "firm_id", "firms"),
            ("evaluations", "tender_id", "tenders"), ("evaluations", "official_id", "officials"),
            ("inspections", "official_id", "officials"), ("inspections", "firm_id", "firms"),
            ("approvals", "official_id", "officials"), ("approvals", "firm_id", "firms"),
            ("person_roles", "person_id", "persons"), ("person_roles", "firm_id", "firms"),
            ("relations", "official_id", "officials"), ("relations", "person_id", "persons")]
    for table, column, target in refs:
        missing = set(tables[table][column]) - ids[target]
        assert not missing, f"{table}.{column} → {target}: {sorted(missing)[:3]}"
    tenders = tables["tenders"]
    awarded = tenders[tenders["winner_firm_id"] != ""]
    assert len(awarded) >= 0.95 * len(tenders)
    # the winner bid in the tender with a valid bid of exactly the award amount
    bids = tables["bids"]
    valid = bids[bids["disqualified"] == "false"]
    merged = awarded.merge(valid, left_on=["tender_id", "winner_firm_id"], right_on=["tender_id", "firm_id"])
    assert len(merged) == len(awarded)
    assert (merged["award_amount"].astype(float) == merged["amount"].astype(float)).all()
    # a firm bids at most once per tender; committees have 3-5 members
    assert not bids.duplicated(["tender_id", "firm_id"]).any()
    committee = tables["evaluations"].groupby("tender_id").size()
    assert committee.between(3, 5).all() and len(committee) == len(tenders)


def test_ground_truth_refers_to_existing_ids(tables: dict[str, pd.DataFrame], truth: dict) -> None:
    firms, officials = set(tables["firms"]["firm_id"]), set(tables["officials"]["official_id"])
    tenders = set(tables["tenders"]["tender_id"])
    assert truth["seed"] == SEED and truth["scale"] == SCALE
    assert len(truth["rings"]) >= 2 and len(truth["pairs"]) >= 2
    for ring in truth["rings"]:
        assert 3 <= len(ring["firms"]) <= 7 and set(ring["firms"]) <= firms
        assert set(ring["tenders"]) <= tenders
        assert set(ring["pattern"]) <= {"rotation", "cover_bids", "bid_suppression"} and ring["pattern"]
        assert set(ring["shared"]) <= set(demo.SHARE_KINDS)
    for pair in truth["pairs"]:
        assert pair["official_id"] in officials and pair["firm_id"] in firms and pair["mechanisms"]
    decoys = truth["decoys"]
    for decoy in decoys["rings"] + decoys["shared_addresses"]:
        assert set(decoy["firms"]) <= firms
    for decoy in decoys["pairs"]:
        assert decoy["official_id"] in officials and decoy["firm_id"] in firms
    assert set(truth["slow_officials"]) <= officials
    # one role per firm: no ring firm is a decoy or a planted pair's firm
    ring_firms = [f for ring in truth["rings"] for f in ring["firms"]]
    assert len(ring_firms) == len(set(ring_firms))
    decoy_firms = {f for d in decoys["rings"] + decoys["shared_addresses"] for f in d["firms"]}
    assert not set(ring_firms) & (decoy_firms | {p["firm_id"] for p in truth["pairs"]})


def test_price_only_and_identifier_sharing_rings_both_exist(truth: dict) -> None:
    assert any(not ring["shared"] for ring in truth["rings"])
    assert any(ring["shared"] for ring in truth["rings"])


# ------------------------------------------------------------------------------ planted rings


def test_ring_firms_bid_together_and_also_elsewhere(tables: dict[str, pd.DataFrame], truth: dict) -> None:
    for ring in truth["rings"]:
        bids = _member_bids(tables, ring["firms"])
        together = (bids.groupby("tender_id")["firm_id"].nunique() >= 2).sum()
        assert together >= 6, ring["id"]
        # members are not isolated: they bid in tenders that are not the ring's
        assert (~bids["tender_id"].isin(ring["tenders"])).sum() >= 3, ring["id"]
        # and ring tenders are won by members most of the time
        tenders = tables["tenders"].set_index("tender_id").loc[ring["tenders"]]
        assert tenders["winner_firm_id"].isin(ring["firms"]).mean() >= 0.5, ring["id"]


def _member_cv(tables: dict[str, pd.DataFrame], firms: list[str], tender_ids: list[str]) -> pd.Series:
    bids = _member_bids(tables, firms)
    bids = bids[bids["tender_id"].isin(tender_ids)]
    grouped = bids.groupby("tender_id")["amount"]
    cv = grouped.std() / grouped.mean()
    return cv[grouped.size() >= 2]


def test_cover_bid_tenders_are_tight_but_niche_decoy_tenders_are_not(
        tables: dict[str, pd.DataFrame], truth: dict) -> None:
    cover_rings = [ring for ring in truth["rings"] if "cover_bids" in ring["pattern"]]
    assert cover_rings
    cover_cv = []
    for ring in cover_rings:
        cv = _member_cv(tables, ring["firms"], ring["tenders"])
        assert cv.median() < 0.03, ring["id"]
        cover_cv += list(cv)
        # the losing members sit a few per cent above the lowest member bid, never far
        bids = _member_bids(tables, ring["firms"])
        bids = bids[bids["tender_id"].isin(ring["tenders"])]
        spread = bids.groupby("tender_id")["amount"].agg(lambda a: a.max() / a.min() - 1)
        assert spread.quantile(0.9) < 0.07, ring["id"]
    niche = [d for d in truth["decoys"]["rings"] if d["id"].startswith("DECOY-R")]
    assert niche
    niche_cv = []
    for decoy in niche:
        tender_ids = list(tables["bids"].loc[tables["bids"]["firm_id"].isin(decoy["firms"]), "tender_id"].unique())
        assert len(tender_ids) >= 15
        niche_cv += list(_member_cv(tables, decoy["firms"], tender_ids))
        # the same few firms meet every time, and the lowest valid bid usually wins
        bids = _member_bids(tables, decoy["firms"])
        lowest = bids.loc[bids.groupby("tender_id")["amount"].idxmin()].set_index("tender_id")["firm_id"]
        winners = tables["tenders"].set_index("tender_id").loc[lowest.index, "winner_firm_id"]
        assert (winners == lowest).mean() >= 0.6
    assert np.median(niche_cv) > 0.035 and np.median(niche_cv) > 1.5 * np.median(cover_cv)


def test_honest_tenders_show_competitive_dispersion(tables: dict[str, pd.DataFrame], truth: dict) -> None:
    rigged = {t for ring in truth["rings"] for t in ring["tenders"]}
    bids = tables["bids"]
    bids = bids[(bids["disqualified"] == "false") & ~bids["tender_id"].isin(rigged)]
    grouped = bids.assign(amount=bids["amount"].astype(float)).groupby("tender_id")["amount"]
    cv = (grouped.std() / grouped.mean())[grouped.size() >= 3]
    assert 0.05 <= cv.median() <= 0.12


# ------------------------------------------------------------------------------ planted pairs


def test_relative_shareholder_tie_exists(tables: dict[str, pd.DataFrame], truth: dict) -> None:
    pairs = [p for p in truth["pairs"] if "relative_shareholder" in p["mechanisms"]]
    assert pairs
    relations, roles = tables["relations"], tables["person_roles"]
    for pair in pairs:
        relatives = set(relations.loc[relations["official_id"] == pair["official_id"], "person_id"])
        holders = roles[(roles["firm_id"] == pair["firm_id"]) & (roles["role"] == "shareholder")]
        tie = holders[holders["person_id"].isin(relatives)]
        assert len(tie) == 1 and 0.05 <= float(tie["share"].iloc[0]) <= 0.5


def test_shareholdings_add_up(tables: dict[str, pd.DataFrame]) -> None:
    roles = tables["person_roles"]
    shares = roles[roles["role"] == "shareholder"].assign(share=lambda f: f["share"].astype(float))
    total = shares.groupby("firm_id")["share"].sum()
    assert total.between(0.99, 1.01).mean() > 0.95 and (total <= 1.01).all()
    legal_reps = roles[roles["role"] == "legal_rep"].groupby("firm_id").size()
    assert len(legal_reps) == len(tables["firms"]) and (legal_reps == 1).all()


def test_planted_pair_mechanisms_show_in_the_data(tables: dict[str, pd.DataFrame], truth: dict) -> None:
    inspections, approvals = tables["inspections"], tables["approvals"].copy()
    approvals = approvals[approvals["decided_at"] != ""]
    approvals["took"] = ((pd.to_datetime(approvals["decided_at"]) - pd.to_datetime(approvals["applied_at"])).dt.days
                         / approvals["statutory_days"].astype(int))
    evaluated = tables["evaluations"].merge(tables["tenders"][["tender_id", "winner_firm_id"]], on="tender_id")
    officials = tables["officials"].set_index("official_id")
    for pair in truth["pairs"]:
        o, f, mechanisms = pair["official_id"], pair["firm_id"], pair["mechanisms"]
        mine = inspections[inspections["official_id"] == o]
        department = officials.loc[o, "department_id"]
        if "frequent_inspections" in mechanisms:
            per_firm = mine.groupby("firm_id").size()
            others = per_firm.drop(f)
            assert per_firm[f] >= 7 and (others.empty or per_firm[f] > max(others.max(), 2 * others.median()))
        if "leniency" in mechanisms:
            assert (mine.loc[mine["firm_id"] == f, "result"] != "fail").all()
            peers = inspections[(inspections["firm_id"] == f) & (inspections["official_id"] != o)]
            peers = peers[peers["official_id"].map(officials["department_id"]) == department]
            assert len(peers) >= 4 and (peers["result"] == "fail").any()
        if "fast_approvals" in mechanisms:
            own = approvals[approvals["official_id"] == o]
            assert own.loc[own["firm_id"] == f, "took"].median() < 0.6 * own.loc[own["firm_id"] != f, "took"].median()
        if "committee_wins" in mechanisms:
            bid_in = set(tables["bids"].loc[tables["bids"]["firm_id"] == f, "tender_id"])
            sat = evaluated[(evaluated["official_id"] == o) & evaluated["tender_id"].isin(bid_in)]
            with_official = (sat["winner_firm_id"] == f).mean()
            others = tables["tenders"][tables["tenders"]["tender_id"].isin(bid_in - set(sat["tender_id"]))]
            without = (others["winner_firm_id"] == f).mean() if len(others) else 0.0
            assert len(sat) >= 5 and with_official >= 0.35
            assert len(others) < 8 or with_official > without


def test_overdue_approvals_exist_and_slow_officials_are_slower(tables: dict[str, pd.DataFrame],
                                                              truth: dict) -> None:
    approvals = tables["approvals"]
    decided = approvals[approvals["decided_at"] != ""]
    took = (pd.to_datetime(decided["decided_at"]) - pd.to_datetime(decided["applied_at"])).dt.days
    overdue = took > decided["statutory_days"].astype(int)
    assert 0.02 < overdue.mean() < 0.25
    assert decided.loc[overdue, "official_id"].nunique() >= 5  # spread across officials
    slow = decided["official_id"].isin(truth["slow_officials"])
    assert overdue[slow].mean() > 2 * overdue[~slow].mean()


# ------------------------------------------------------------------------------ decoys


def test_business_centre_address_is_shared_by_many_unrelated_firms(tables: dict[str, pd.DataFrame],
                                                                   truth: dict) -> None:
    (centre,) = truth["decoys"]["shared_addresses"]
    firms = tables["firms"].set_index("firm_id")
    folded = firms["address"].map(_fold)
    assert (folded == _fold(centre["address"])).sum() == len(centre["firms"]) >= 8  # scaled count
    # unrelated: no common person among them
    roles = tables["person_roles"]
    persons = roles[roles["firm_id"].isin(centre["firms"])].groupby("person_id")["firm_id"].nunique()
    assert (persons == 1).all()


def test_business_centre_has_30_plus_firms_at_scale_one() -> None:
    frames, truth = demo.generate(seed=3, scale=1.0)
    (centre,) = truth["decoys"]["shared_addresses"]
    folded = frames["firms"]["address"].map(_fold)
    assert (folded == _fold(centre["address"])).sum() >= 30
    # some of them compete in the same tenders, normally
    bids = frames["bids"][frames["bids"]["firm_id"].isin(centre["firms"])]
    assert (bids.groupby("tender_id")["firm_id"].nunique() >= 2).sum() >= 3
    assert 1000 <= len(frames["firms"]) <= 2000 and 3500 <= len(frames["tenders"]) <= 4600
    assert 6 <= len(truth["rings"]) <= 10 and 6 <= len(truth["pairs"]) <= 10


def test_holding_groups_never_bid_in_the_same_tender(tables: dict[str, pd.DataFrame], truth: dict) -> None:
    groups = [d for d in truth["decoys"]["rings"] if d["id"].startswith("DECOY-H")]
    assert groups
    bids = tables["bids"]
    for group in groups:
        per_tender = bids[bids["firm_id"].isin(group["firms"])].groupby("tender_id")["firm_id"].nunique()
        assert (per_tender <= 1).all(), group["id"]


def test_small_district_decoy_pairs_see_few_firms_with_ordinary_outcomes(tables: dict[str, pd.DataFrame],
                                                                         truth: dict) -> None:
    inspections = tables["inspections"]
    decoys = truth["decoys"]["pairs"]
    assert decoys
    planted = {(p["official_id"], p["firm_id"]) for p in truth["pairs"]}
    for decoy in decoys:
        assert (decoy["official_id"], decoy["firm_id"]) not in planted
        mine = inspections[inspections["official_id"] == decoy["official_id"]]
        per_firm = mine.groupby("firm_id").size()
        assert per_firm[decoy["firm_id"]] >= 3
        assert len(per_firm) <= 12  # a small county: few firms to inspect
    # their outcomes are not all clean passes
    officials = {d["official_id"] for d in decoys}
    local = inspections[inspections["official_id"].isin(officials)]
    assert (local["result"] != "pass").mean() > 0.05


# ------------------------------------------------------------------------------ loading


def test_clean_bundle_loads_without_rejects_and_dirty_one_has_some(bundle: Path, tmp_path: Path) -> None:
    csv_bundle = pytest.importorskip("loaders.csv_bundle")
    _frames, rejects = csv_bundle.read_bundle(bundle)
    assert rejects == []
    dirty = _generate(tmp_path / "dirty", "--seed", str(SEED), "--scale", "0.1", "--dirty")
    _frames, rejects = csv_bundle.read_bundle(dirty)
    files = {r.file.removesuffix(".csv") for r in rejects}
    assert "bids" in files and files <= {"firms", "bids"}


def test_dirty_flag_only_touches_firms_and_bids(tmp_path: Path) -> None:
    clean = _generate(tmp_path / "clean", "--seed", "5", "--scale", "0.1")
    dirty = _generate(tmp_path / "dirty", "--seed", "5", "--scale", "0.1", "--dirty")
    changed = {p.name for p in clean.iterdir() if p.read_bytes() != (dirty / p.name).read_bytes()}
    assert changed == {"firms.csv", "bids.csv"}
    amounts = pd.read_csv(dirty / "bids.csv", dtype=str, keep_default_na=False)["amount"]
    assert amounts.str.contains(",|元").any()


def test_scale_ten_size_is_linear() -> None:
    # cheap proxy for the speed budget: the work grows linearly, so firms and tenders do
    small, large = (demo.generate(seed=11, scale=s)[0] for s in (0.1, 0.3))
    assert 2.5 < len(large["tenders"]) / len(small["tenders"]) < 3.5
    assert np.isclose(len(large["firms"]) / len(small["firms"]), 3, rtol=0.15)
