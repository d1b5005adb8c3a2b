"""Tender risk: a cover-bid tender stands out in its category; rings raise their tenders."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from detectors import tender_risk
from detectors.finding import Finding, ordinal
from detectors.market import MarketData, conform


def _market() -> MarketData:
    """30 competitive 'roads' tenders T01..T30 (4 bids, ~8 % dispersion), one cover-bid
    tender TX (100 then 102, 102.5, 103) and a two-bid tender T2B that cannot be scored."""
    rng = np.random.default_rng(5)
    rows = []
    for t in range(1, 31):
        cost = float(rng.lognormal(12, 0.4))
        rows += [(f"T{t:02d}", f"F{k}", cost * float(rng.lognormal(0, 0.08))) for k in range(1, 5)]
    rows += [("TX", "F5", 100.0), ("TX", "F6", 102.0), ("TX", "F7", 102.5), ("TX", "F8", 103.0)]
    rows += [("T2B", "F1", 100.0), ("T2B", "F2", 101.0)]
    bids = pd.DataFrame(rows, columns=["tender_id", "firm_id", "amount"])
    bids["bid_id"] = [f"B{i}" for i in range(len(bids))]
    tenders = pd.DataFrame({"tender_id": sorted(bids["tender_id"].unique()), "category": "roads"})
    return MarketData.build(tenders=tenders, bids=bids)


def test_scores_cover_every_tender_with_three_bids() -> None:
    scores = tender_risk.tender_risk_scores(_market())
    assert len(scores) == 31 and "T2B" not in set(scores["tender_id"])
    assert scores["score"].between(0, 100).all()
    top = scores.sort_values("score", ascending=False).iloc[0]
    assert top["tender_id"] == "TX"
    assert top["p_cv"] == pytest.approx(30.5 / 31) and top["p_spread"] == pytest.approx(30.5 / 31)


def test_only_the_cover_bid_tender_becomes_a_finding() -> None:
    findings = tender_risk.detect(_market(), tender_risk.Params(use_rings=False))
    assert [f.tender_id for f in findings] == ["TX"]
    found = findings[0]
    assert found.kind == "tender" and found.score >= 90
    assert found.explanation.startswith("4 valid bids: coefficient of variation 0.013 (median ")
    # the percentile quoted is the mean of the three screens' (31 tenders: TX's mean rank rounds to the 98th)
    mean = round(100 * found.evidence["screen_risk"])
    assert mean < 100 and (f", the medians of the category's tenders with 4 valid bids. On average over CV, spread "
                           f"and relative distance, it ranks at the {ordinal(mean)} percentile for looking like "
                           "cover bidding among them.") in found.explanation  # all 31 have 4: ranked in their band
    assert ("relative distance 4.00 (the lowest bid's lead over the next, in standard deviations of the bids "
            "above it; median ") in found.explanation
    assert found.evidence["award_rule"]["lowest_price"] is True  # no award recorded: read as lowest-price
    assert found.evidence["baseline_from_whole_market"] is False
    assert found.evidence["baseline_without_ring_tenders"] is False
    assert found.evidence["n_bids"] == 4 and found.evidence["band"] == 4


def test_identical_losing_bids_are_told_as_the_reason_for_an_infinite_relative_distance() -> None:
    data = _market()
    bids = data.bids.copy()
    bids.loc[bids["tender_id"] == "TX", "amount"] = [100.0, 102.0, 102.0, 102.0]
    findings = tender_risk.detect(MarketData.build(tenders=data.tenders, bids=bids), tender_risk.Params(use_rings=False))
    assert [f.tender_id for f in findings] == ["TX"]
    assert "identical bids above the lowest, so an infinite relative distance (median " in findings[0].explanation


def test_the_sentence_names_only_the_screens_a_tender_has() -> None:
    data = _market()
    bids = data.bids.copy()
    bids.loc[bids["tender_id"] == "TX", "amount"] = 100.0  # identical bids: RD undefined
    findings = tender_risk.detect(MarketData.build(tenders=data.tenders, bids=bids), tender_risk.Params(use_rings=False))
    (found,) = [f for f in findings if f.tender_id == "TX"]
    assert "On average over CV and spread, it ranks at the " in found.explanation


def test_a_market_without_categories_is_named_the_market_and_uncategorised_tenders_among_others_so() -> None:
    data = _market()
    bare = MarketData.build(tenders=data.tenders.assign(category=None), bids=data.bids)
    (found,) = tender_risk.detect(bare, tender_risk.Params(use_rings=False))
    assert "(median " in found.explanation and "category" not in found.explanation
    assert ", the medians of the market's tenders with 4 valid bids. " in found.explanation
    assert found.explanation.endswith(" percentile for looking like cover bidding among them.")
    assert found.evidence["baseline_from_whole_market"] is True
    # 31 tenders without a category beside 30 "bridges" ones: the uncategorised are their own baseline
    bridges = data.tenders.assign(tender_id="B" + data.tenders["tender_id"], category="bridges")
    both = MarketData.build(tenders=pd.concat([bare.tenders, bridges]),
                            bids=pd.concat([data.bids, data.bids.assign(tender_id="B" + data.bids["tender_id"],
                                                                        bid_id="B" + data.bids["bid_id"])]))
    mixed = {f.tender_id: f for f in tender_risk.detect(both, tender_risk.Params(use_rings=False))}
    assert ", the medians of the tenders without a category and with 4 valid bids. " in mixed["TX"].explanation
    assert ", the medians of the category's tenders with 4 valid bids. " in mixed["BTX"].explanation


def test_the_medians_quoted_are_those_of_the_tenders_the_percentiles_ranked_it_among() -> None:
    """A tender ranked within its bid-count band is told that band's medians, not the whole
    category's: 30 'roads' tenders with 4 bids (~8 % dispersion) beside 30 with 8 bids (~3 %,
    so the category's median CV is lower than the 4-bid one). Near miss: the category's only
    3-bid tender is ranked among the whole category and quotes the category's medians."""
    data = _market()
    rng = np.random.default_rng(8)
    rows = []
    for t in range(1, 31):
        cost = float(rng.lognormal(12, 0.4))
        rows += [(f"E{t:02d}", f"G{k}", cost * float(rng.lognormal(0, 0.03))) for k in range(1, 9)]
    rows += [("T3B", "F1", 100.0), ("T3B", "F2", 100.2), ("T3B", "F3", 100.3)]
    extra = pd.DataFrame(rows, columns=["tender_id", "firm_id", "amount"]).assign(
        bid_id=lambda f: [f"E{i}" for i in range(len(f))])
    bids = pd.concat([data.bids, extra], ignore_index=True)
    tenders = pd.DataFrame({"tender_id": sorted(bids["tender_id"].unique()), "category": "roads"})
    market, params = MarketData.build(tenders=tenders, bids=bids), tender_risk.Params(use_rings=False, min_score=0)
    found = {f.tender_id: f for f in tender_risk.detect(market, params)}
    scores = tender_risk.tender_risk_scores(market, params=params)  # every tender with 3 bids or more
    four, every = scores.loc[scores["n_bids"] == 4, "cv"].median(), scores["cv"].median()
    assert four > 1.5 * every  # the two medians differ: quoting the wrong one would show
    tx = found["TX"]
    assert tx.evidence["band"] == 4
    assert tx.evidence["band_median"]["cv"] == pytest.approx(four)
    assert tx.evidence["category_median"]["cv"] == pytest.approx(every)
    assert f"coefficient of variation 0.013 (median {four:.3f})" in tx.explanation
    assert ", the medians of the category's tenders with 4 valid bids. " in tx.explanation
    t3b = found["T3B"]  # the one 3-bid tender: ranked among the whole category
    assert t3b.evidence["band"] == 0 and t3b.evidence["band_median"] is None
    assert f"(category median {every:.3f})" in t3b.explanation and "the medians of" not in t3b.explanation
    assert t3b.explanation.endswith("percentile for looking like cover bidding among the category's tenders.")


def _budgeted_market(tx_budget: float | None) -> MarketData:
    """The market above with budgets: each competitive tender's budget is its lowest bid / U(0.75, 0.9)
    (the lowest bid at 75–90 % of it); TX gets ``tx_budget``."""
    data = _market()
    rng = np.random.default_rng(6)
    lowest = data.bids.groupby("tender_id")["amount"].min()
    budget = lowest / rng.uniform(0.75, 0.9, len(lowest))
    budget["TX"] = np.nan if tx_budget is None else tx_budget
    tenders = data.tenders.assign(budget=data.tenders["tender_id"].map(budget))
    return MarketData.build(tenders=tenders, bids=data.bids)


def test_a_lowest_bid_near_the_budget_adds_the_fourth_screen() -> None:
    """TX's lowest bid (100) at 99 % of its budget tops the category's price-to-budget ratios:
    percentile 30.5/31, and the screen risk is the mean of four percentiles."""
    scores = tender_risk.tender_risk_scores(_budgeted_market(101.0)).set_index("tender_id")
    tx = scores.loc["TX"]
    assert tx["budget_ratio"] == pytest.approx(100.0 / 101.0)
    assert tx["p_budget_ratio"] == pytest.approx(30.5 / 31)
    assert tx["screen_risk"] == pytest.approx(tx[["p_cv", "p_spread", "p_rd", "p_budget_ratio"]].mean())
    [found] = [f for f in tender_risk.detect(_budgeted_market(101.0), tender_risk.Params(use_rings=False))
               if f.tender_id == "TX"]
    assert found.evidence["screens"]["budget_ratio"] == pytest.approx(100.0 / 101.0)
    assert "and the lowest at 99.0 % of the budget (median " in found.explanation
    assert "On average over CV, spread, relative distance and price to budget" in found.explanation


def test_a_budget_far_above_the_bids_lowers_the_risk_and_no_budget_leaves_three_screens() -> None:
    """Near miss: the same cover bids with a budget twice the lowest bid rank lowest on price to
    budget and score below the three-screen reading; without a budget TX keeps three screens."""
    low = tender_risk.tender_risk_scores(_budgeted_market(200.0)).set_index("tender_id").loc["TX"]
    assert low["p_budget_ratio"] == pytest.approx(0.5 / 31)
    three = tender_risk.tender_risk_scores(_budgeted_market(None)).set_index("tender_id").loc["TX"]
    assert np.isnan(three["budget_ratio"]) and np.isnan(three["p_budget_ratio"])
    assert three["screen_risk"] == pytest.approx(three[["p_cv", "p_spread", "p_rd"]].mean())
    assert low["score"] < three["score"]
    [found] = [f for f in tender_risk.detect(_budgeted_market(None), tender_risk.Params(use_rings=False, min_score=0))
               if f.tender_id == "TX"]
    # written out (JSON, the store) as null, like every screen a tender does not have
    assert found.to_dict()["evidence"]["screens"]["budget_ratio"] is None and "budget" not in found.explanation


def test_a_ring_raises_its_tenders() -> None:
    data = _market()
    ring = Finding(detector="rings", kind="ring", score=90.0, explanation="A ring.",
                   firms=("F1", "F2"), tenders=("T05",))
    plain = tender_risk.tender_risk_scores(data).set_index("tender_id")
    raised = tender_risk.tender_risk_scores(data, [ring]).set_index("tender_id")
    assert raised.loc["T05", "score"] > plain.loc["T05", "score"]
    # noisy-or with ring weight 0.8: 1 − (1 − s)(1 − 0.72); the screens of T05 are ranked
    # against the category's tenders without the ring, so s is raised's own screen risk
    expected = 100 * (1 - (1 - raised.loc["T05", "screen_risk"]) * (1 - 0.8 * 0.9))
    assert raised.loc["T05", "score"] == pytest.approx(expected)
    assert raised.loc["T06", "score"] == pytest.approx(100 * raised.loc["T06", "screen_risk"])
    assert raised.loc["T06", "ring_score"] == 0.0
    findings = tender_risk.detect(data, rings=[ring])
    assert "T05" in {f.tender_id for f in findings}
    t05 = next(f for f in findings if f.tender_id == "T05")
    assert "2 members of a suspected ring (score 90) bid in it: F1, F2." in t05.explanation
    # the members as the records name them, where they do (an app review read only ids)
    named = dataclasses.replace(data, firms=conform("firms", pd.DataFrame({"firm_id": ["F1"], "name": ["Alpha Build"]})))
    t05_named = next(f for f in tender_risk.detect(named, rings=[ring]) if f.tender_id == "T05")
    assert "bid in it: Alpha Build (F1), F2." in t05_named.explanation
    assert "the medians of the category's tenders with 4 valid bids where no suspected ring bid. " in t05.explanation
    assert t05.evidence["baseline_without_ring_tenders"] is True
    assert t05.evidence["ring"]["members_bidding"] == ["F1", "F2"]


def test_a_ring_within_the_null_floor_raises_nothing() -> None:
    # near miss: a ring scoring below min_ring_score is what shuffled markets produce by chance
    data = _market()
    params = tender_risk.Params()
    weak = Finding(detector="rings", kind="ring", score=params.min_ring_score - 1, explanation="A ring.",
                   firms=("F1", "F2"), tenders=("T05",))
    plain = tender_risk.tender_risk_scores(data).set_index("tender_id")
    scored = tender_risk.tender_risk_scores(data, [weak]).set_index("tender_id")
    assert scored.loc["T05", "score"] == pytest.approx(plain.loc["T05", "score"])
    assert scored.loc["T05", "ring_score"] == 0.0
    at_floor = Finding(detector="rings", kind="ring", score=params.min_ring_score, explanation="A ring.",
                       firms=("F1", "F2"), tenders=("T05",))
    assert tender_risk.tender_risk_scores(data, [at_floor]).set_index("tender_id").loc["T05", "score"] > \
        plain.loc["T05", "score"]


def test_a_rings_tenders_are_ranked_against_the_category_without_them() -> None:
    # a strong ring bid in T01..T10: its tenders leave the baseline, so each tender's CV
    # percentile is its place among the 21 other tenders (T11..T30 and TX), not among all 31
    data = _market()
    ring_tenders = tuple(f"T{t:02d}" for t in range(1, 11))
    ring = Finding(detector="rings", kind="ring", score=60.0, explanation="A ring.", firms=("F1", "F2"),
                   tenders=ring_tenders)
    scored = tender_risk.tender_risk_scores(data, [ring]).set_index("tender_id")
    baseline = scored.loc[~scored.index.isin(ring_tenders), "cv"]
    for tender in ("T05", "T20"):
        cv = scored.loc[tender, "cv"]
        place = ((baseline > cv).sum() + 0.5 * (baseline == cv).sum()) / len(baseline)
        assert scored.loc[tender, "p_cv"] == pytest.approx(place)
    everyone = tender_risk.tender_risk_scores(data, [ring], tender_risk.Params(baseline_without_rings=False))
    assert not np.allclose(everyone.set_index("tender_id")["p_cv"], scored["p_cv"])


def test_a_ring_holding_every_tender_leaves_them_ranked_against_each_other() -> None:
    # near miss of the ring-free baseline: with no tender left outside the ring, every tender
    # is ranked against all of them (as without rings) and raised by the ring
    data = _market()
    every = tuple(sorted(set(data.bids["tender_id"]) - {"T2B"}))
    ring = Finding(detector="rings", kind="ring", score=60.0, explanation="A ring.", firms=("F1", "F2"),
                   tenders=every)
    plain = tender_risk.tender_risk_scores(data).set_index("tender_id")
    scored = tender_risk.tender_risk_scores(data, [ring]).set_index("tender_id")
    assert scored["score"].notna().all() and len(scored) == 31
    assert np.allclose(scored["screen_risk"], plain["screen_risk"])
    assert (scored["score"] > plain["score"]).all()
    assert tender_risk.detect(data, rings=[ring])


def _traced_market() -> MarketData:
    """300 honest tenders of 4 bids from 60 firms, each bid from its firm's own address; in
    T001–T005 two more firms, A and B, bid from one address (9.9.9.9: one hand); a carrier's
    pool address is on 20 bids of 20 firms and met itself once, in T100, by chance."""
    rng = np.random.default_rng(8)
    rows = []
    for t in range(1, 301):
        cost = float(rng.lognormal(12, 0.4))
        rows += [(f"T{t:03d}", f"F{k}", cost * float(rng.lognormal(0, 0.08)), f"10.0.{k}.1")
                 for k in rng.choice(60, 4, replace=False)]
        if t <= 5:
            rows += [(f"T{t:03d}", firm, cost * float(rng.lognormal(0, 0.08)), "9.9.9.9") for firm in ("A", "B")]
    bids = pd.DataFrame(rows, columns=["tender_id", "firm_id", "amount", "ip"])
    pool = bids.index[bids["tender_id"].isin([f"T{t:03d}" for t in range(100, 119)])][::4]
    bids.loc[pool, "ip"] = "7.7.7.7"
    bids.loc[bids.index[bids["tender_id"] == "T100"][1], "ip"] = "7.7.7.7"
    bids["bid_id"] = [f"B{i}" for i in range(len(bids))]
    tenders = pd.DataFrame({"tender_id": sorted(bids["tender_id"].unique()), "category": "roads"})
    return MarketData.build(tenders=tenders, bids=bids)


def test_one_hand_behind_competing_bids_raises_the_tender_and_a_chance_coincidence_does_not() -> None:
    data = _traced_market()
    scores = tender_risk.tender_risk_scores(data, params=tender_risk.Params(use_rings=False)).set_index("tender_id")
    assert set(scores.index[scores["traced"]]) == {f"T{t:03d}" for t in range(1, 6)}
    t1 = scores.loc["T001"]
    assert t1["score"] == pytest.approx(100 * (1 - (1 - t1["screen_risk"]) * (1 - 0.8)))
    assert not scores.loc["T100", "traced"]  # the pool address met itself once: chance
    assert scores.loc["T100", "score"] == pytest.approx(100 * scores.loc["T100", "screen_risk"])
    found = {f.tender_id: f for f in tender_risk.detect(data, tender_risk.Params(use_rings=False, min_score=0))}
    (trace,) = found["T001"].evidence["same_tender"]
    assert (trace["kind"], trace["value"], trace["firms"], trace["tenders"]) == ("ip", "9.9.9.9", ["A", "B"], 5)
    assert trace["qvalue"] <= 0.05
    assert found["T001"].evidence["components"]["same_tender_trace"]["contribution"] == pytest.approx(
        found["T001"].score - 100 * t1["screen_risk"], abs=0.02)
    assert "; the bids of A and B were sent from one IP address (9.9.9.9), which bids of two or more firms " \
           "shared in 5 tenders where chance alone would give " in found["T001"].explanation
    assert found["T100"].evidence["same_tender"] == [] and "IP" not in found["T100"].explanation


def test_a_consortium_bid_from_one_address_raises_nothing_and_is_one_bid() -> None:
    # A and B's rows in T001–T005 are one joint bid (one bid_id and amount, one row per partner)
    bids = _traced_market().bids.copy()
    joint = bids["firm_id"].isin(["A", "B"])
    bids.loc[joint, "bid_id"] = "J" + bids.loc[joint, "tender_id"]
    bids.loc[joint, "amount"] = bids.loc[joint].groupby("tender_id")["amount"].transform("first")
    data = MarketData.build(tenders=_traced_market().tenders, bids=bids)
    scores = tender_risk.tender_risk_scores(data, params=tender_risk.Params(use_rings=False)).set_index("tender_id")
    assert not scores["traced"].any()
    assert (scores.loc["T001", "n_bids"], scores.loc["T006", "n_bids"]) == (5, 4)
    assert scores.loc["T001", "score"] == pytest.approx(100 * scores.loc["T001", "screen_risk"])


def test_use_rings_false_ignores_the_rings_passed_in() -> None:
    data = _market()
    ring = Finding(detector="rings", kind="ring", score=90.0, explanation="A ring.",
                   firms=("F1", "F2"), tenders=("T05",))
    params = tender_risk.Params(use_rings=False, min_score=0)
    plain = tender_risk.tender_risk_scores(data).set_index("tender_id")
    off = tender_risk.tender_risk_scores(data, [ring], params).set_index("tender_id")
    assert off.loc["T05", "ring_score"] == 0.0 and off.loc["T05", "score"] == pytest.approx(plain.loc["T05", "score"])
    t05 = next(f for f in tender_risk.detect(data, params, rings=[ring]) if f.tender_id == "T05")
    assert t05.evidence["ring"]["score"] == 0.0 and "suspected ring" not in t05.explanation
    # near miss: the same rings with use_rings on raise T05 (test_a_ring_raises_its_tenders)
    on = tender_risk.tender_risk_scores(data, [ring], tender_risk.Params(min_score=0)).set_index("tender_id")
    assert on.loc["T05", "score"] > plain.loc["T05", "score"]


def test_one_ring_member_bidding_is_told_in_the_singular() -> None:
    data = _market()
    ring = Finding(detector="rings", kind="ring", score=60.0, explanation="A ring.",
                   firms=("F1", "F9"), tenders=("T05",))  # F9 did not bid in T05
    t05 = next(f for f in tender_risk.detect(data, tender_risk.Params(min_score=0), rings=[ring])
               if f.tender_id == "T05")
    assert "and 1 member of a suspected ring (score 60) bid in it: F1." in t05.explanation


def _awarded_market(lowest_wins: int) -> MarketData:
    """:func:`_budgeted_market` (budget of TX 101) with awards: the lowest bid wins ``lowest_wins`` of the
    31 three-or-more-bid tenders (TX not among them) and the second lowest the others, and of the
    two-bid T2B too (32 awarded tenders with two or more valid bids)."""
    data = _budgeted_market(101.0)
    bids = data.bids.copy()
    order = bids.groupby("tender_id")["amount"].rank(method="first")
    scored = sorted(set(bids["tender_id"]) - {"T2B"})
    lowest_won = set([t for t in scored if t != "TX"][:lowest_wins])
    bids["is_winner"] = np.where(bids["tender_id"].isin(lowest_won), order == 1, order == 2)
    return MarketData.build(tenders=data.tenders, bids=bids)


def test_a_category_whose_lowest_bid_rarely_wins_is_not_ranked_and_the_sentence_says_why() -> None:
    """The lowest bid won 20 of 32 roads tenders where a draw among the bidders gives it 8.25 (31 of
    4 bids, T2B of 2): (20 − 8.25) / (32 − 8.25) = 0.495 beyond the draw, under half, so no
    tender is ranked, each scores the neutral 50, and TX — the cover-bid tender — is no finding. Its
    sentence (asked for with min_score 0) gives what won and why its bids are not read."""
    data = _awarded_market(20)
    scores = tender_risk.tender_risk_scores(data).set_index("tender_id")
    assert not scores["lowest_price"].any()
    assert (scores["screen_risk"] == 0.5).all() and (scores["score"] == 50.0).all()
    assert scores[["p_cv", "p_spread", "p_rd", "p_budget_ratio"]].isna().all().all()
    assert tender_risk.detect(data, tender_risk.Params(use_rings=False)) == []
    [tx] = [f for f in tender_risk.detect(data, tender_risk.Params(use_rings=False, min_score=0))
            if f.tender_id == "TX"]
    rule = tx.evidence["award_rule"]
    assert rule["lowest_price"] is False and (rule["awarded"], rule["lowest_won"]) == (32, 20)
    assert rule["drawn"] == 8.25 and rule["category_beyond_draw"] == pytest.approx(11.75 / 23.75, abs=1e-4)
    assert rule["winner_rank"] == 2 and rule["winning_budget_ratio"] == pytest.approx(102.0 / 101.0, abs=1e-4)
    # 8.25 of 32 is 25.8 %, told floored
    assert tx.explanation == ("4 valid bids; the winning bid was the 2nd lowest, at 101.0 % of the budget. Its bids "
                              "are not ranked as cover bids, which presume that the lowest bid wins: the lowest valid "
                              "bid won 20 of its category's 32 awarded tenders (62 %), less than halfway between the "
                              "25 % a draw among each tender's bidders gives and the nearly 100 % of a lowest-price "
                              "award, so the tenders are not awarded on the lowest price (an average-bid or scored "
                              "award, or lowest bids set aside after the opening).")


def test_a_category_whose_lowest_bid_wins_half_its_tenders_is_ranked() -> None:
    """Near miss: the lowest won 21 of 32, (21 − 8.25) / 23.75 = 0.537 beyond a draw: ranked as
    before, TX the finding it was."""
    data = _awarded_market(21)
    scores = tender_risk.tender_risk_scores(data).set_index("tender_id")
    assert scores["lowest_price"].all()
    unawarded = tender_risk.tender_risk_scores(_budgeted_market(101.0)).set_index("tender_id")
    assert scores["score"].tolist() == pytest.approx(unawarded["score"].tolist())
    [tx] = tender_risk.detect(data, tender_risk.Params(use_rings=False))
    assert tx.tender_id == "TX" and tx.evidence["award_rule"]["category_share_lowest_won"] == pytest.approx(21 / 32,
                                                                                                           abs=1e-4)
    assert "winner_rank" not in tx.evidence["award_rule"]


def _declaring_market() -> tuple[MarketData, pd.Series]:
    """:func:`_awarded_market` (20) with the award criteria declared: the tenders the lowest bid won
    declare 经评审的最低投标价法, the others 综合评估法; and, by tender, whether the lowest won."""
    data = _awarded_market(20)
    won_low = data.bids.loc[data.bids["is_winner"]].groupby("tender_id")["amount"].min() == \
        data.bids.groupby("tender_id")["amount"].min()
    criteria = data.tenders["tender_id"].map(won_low).map({True: "经评审的最低投标价法", False: "综合评估法"})
    return MarketData.build(tenders=data.tenders.assign(award_criteria=criteria), bids=data.bids), won_low


def test_declared_award_criteria_split_a_category_and_the_sentence_names_them() -> None:
    """The market of the test above, where the lowest won 20 of 32, with the award criteria declared:
    the 20 tenders won by the lowest declare 经评审的最低投标价法 and are ranked (20 of 20); the 12 others
    (TX among them) declare 综合评估法, too few to read alone and too few in the market to read its
    criteria by, so they are read with the whole market (20 of 32, 0.495 beyond a draw): not
    lowest-price, and TX says on what it was read."""
    declared, won_low = _declaring_market()
    scores = tender_risk.tender_risk_scores(declared).set_index("tender_id")
    assert set(scores.index[scores["lowest_price"]]) == set(won_low.index[won_low])
    [tx] = [f for f in tender_risk.detect(declared, tender_risk.Params(use_rings=False, min_score=0))
            if f.tender_id == "TX"]
    rule = tx.evidence["award_rule"]
    assert rule["award_criteria"] == "综合评估法" and rule["with_market"] and not rule["market_of_same_criteria"]
    assert (rule["awarded"], rule["lowest_won"], rule["market_share_lowest_won"]) == (12, 0, 0.625)
    assert "the lowest valid bid won 0 of its category's 12 awarded tenders declaring the award criteria " \
           "“综合评估法” and 62 % of the market's, less than halfway between the 25 %" in tx.explanation
    # near miss: declared but read as a lowest-price group, a tender says nothing of its criteria
    low = next(f for f in tender_risk.detect(declared, tender_risk.Params(use_rings=False, min_score=0))
               if f.evidence["award_rule"]["lowest_price"])
    assert low.evidence["award_rule"]["award_criteria"] == "经评审的最低投标价法"
    assert "award criteria" not in low.explanation


def test_a_small_group_read_with_the_market_of_its_criteria_says_so() -> None:
    """The 11 综合评估法 tenders of the test above other than TX, copied into a category of their own:
    23 综合评估法 awards in the market, enough to read TX's small group by (the lowest won 0 of 23):
    "the market's with the same criteria"."""
    data, won_low = _declaring_market()
    lost = sorted(set(won_low.index[~won_low]) - {"TX"})[:12]
    more = data.tenders.loc[data.tenders["tender_id"].isin(lost)].assign(
        tender_id=lambda t: "Y" + t["tender_id"], category="bridges")
    bids = data.bids.loc[data.bids["tender_id"].isin(lost)].assign(tender_id=lambda b: "Y" + b["tender_id"])
    declared = MarketData.build(tenders=pd.concat([data.tenders, more]), bids=pd.concat([data.bids, bids]))
    [tx] = [f for f in tender_risk.detect(declared, tender_risk.Params(use_rings=False, min_score=0))
            if f.tender_id == "TX"]
    rule = tx.evidence["award_rule"]
    assert rule["with_market"] and rule["market_of_same_criteria"] and rule["market_share_lowest_won"] == 0.0
    assert "“综合评估法” and 0 % of the market's with the same criteria, less than halfway" in tx.explanation


def test_a_ring_still_raises_a_tender_its_category_does_not_rank() -> None:
    data = _awarded_market(15)
    ring = Finding(detector="rings", kind="ring", score=90.0, explanation="A ring.",
                   firms=("F5", "F6", "F7"), tenders=("TX",))
    [tx] = tender_risk.detect(data, tender_risk.Params(min_score=0), rings=[ring])[:1]
    assert tx.tender_id == "TX" and tx.score == pytest.approx(100 * (1 - 0.5 * (1 - 0.8 * 0.9)))
    assert tx.explanation.endswith("(an average-bid or scored award, or lowest bids set aside after the opening). "
                                   "3 members of a suspected ring (score 90) bid in it: F5, F6, F7.")


def _stepping_ring(pvalue: float) -> Finding:
    """A ring of score 30 over TX, one of 50 candidate rings, whose 12 stepped tenders have the
    Poisson tail ``pvalue``: proven (rings.steps_proven) where 50 · pvalue ≤ 0.01. In TX its
    members F6, F7, F8 bid 102, 102.5 and 103, 0.5 apart."""
    facts = {"steps_value": 0.5, "stepped_tenders": 12, "tenders_with_three_members": 14,
             "stepped_expected": 0.2, "stepped_poisson_pvalue": pvalue, "candidates_screened": 50,
             "stepped": [{"tender_id": "TX", "firms": ["F6", "F7", "F8"], "step": 0.5}]}
    return Finding(detector="rings", kind="ring", score=30.0, explanation="A ring.", firms=("F6", "F7", "F8"),
                   tenders=("TX",), evidence={"components": {"price": {"value": 1.0, "facts": facts}}})


def test_a_rings_bids_at_equal_steps_raise_the_tender_like_a_trace_and_are_told() -> None:
    data = _market()
    plain = tender_risk.tender_risk_scores(data, rings=[_stepping_ring(1e-3)]).set_index("tender_id").loc["TX"]
    scores = tender_risk.tender_risk_scores(data, rings=[_stepping_ring(1e-12)]).set_index("tender_id").loc["TX"]
    assert not plain["stepped"] and not plain["traced"]
    assert scores["stepped"] and scores["traced"]
    assert scores["ring_raised"] == pytest.approx(plain["score"])
    assert scores["score"] == pytest.approx(100 * (1 - (1 - plain["score"] / 100) * (1 - 0.8)))
    [tx] = [f for f in tender_risk.detect(data, rings=[_stepping_ring(1e-12)]) if f.tender_id == "TX"]
    assert tx.evidence["stepped_bids"]["step"] == 0.5 and tx.evidence["components"]["same_tender_trace"]["value"] == 1.0
    # the ring named just before ("3 members of a suspected ring (score 30) bid in it") is "that ring"
    assert tx.explanation.endswith("3 members of a suspected ring (score 30) bid in it: F6, F7, F8; the bids of F6, F7, "
                                   "F8 stood at equal steps (0.50 apart), as that ring's members' bids did in 12 of the "
                                   "14 tenders where three or more of them bid (chance alone would give 0.20).")
    # near miss: the same bids, the ring's steps significant but not proven (50 · 0.001 = 0.05 > 0.01):
    # a share of its price points, no trace here, not told
    [near] = [f for f in tender_risk.detect(data, rings=[_stepping_ring(1e-3)], params=tender_risk.Params(min_score=0))
              if f.tender_id == "TX"]
    assert near.evidence["stepped_bids"] is None and "equal steps" not in near.explanation


def test_the_winning_bid_is_set_against_a_budget_only_in_its_own_currency() -> None:
    data = _awarded_market(15)
    bids = data.bids.assign(currency="JPY")
    tenders = data.tenders.assign(currency=np.where(data.tenders["tender_id"] == "TX", "USD", "JPY"))
    found = {f.tender_id: f for f in tender_risk.detect(MarketData.build(tenders=tenders, bids=bids),
                                                         tender_risk.Params(use_rings=False, min_score=0))}
    assert found["TX"].evidence["award_rule"]["winning_budget_ratio"] is None
    assert found["TX"].explanation.startswith("4 valid bids; the winning bid was the 2nd lowest. Its bids")
    assert found["T01"].evidence["award_rule"]["winning_budget_ratio"] is not None  # near miss: the same currency


def test_of_two_rings_over_one_tender_the_stronger_raises_it() -> None:
    """Rings of score 30 (F3, F4) and 90 (F1, F2) both hold T05: T05 is raised by the 90 and names its firms."""
    data = _market()
    weak = Finding(detector="rings", kind="ring", score=30.0, explanation="A ring.", firms=("F3", "F4"), tenders=("T05",))
    strong = Finding(detector="rings", kind="ring", score=90.0, explanation="A ring.", firms=("F1", "F2"),
                     tenders=("T05",))
    for rings in ([weak, strong], [strong, weak]):
        t05 = tender_risk.tender_risk_scores(data, rings).set_index("tender_id").loc["T05"]
        assert (t05["ring_score"], t05["ring_firms"]) == (90.0, "F1,F2")
        assert t05["score"] == pytest.approx(100 * (1 - (1 - t05["screen_risk"]) * (1 - 0.8 * 0.9)))


def test_the_steps_told_are_the_strongest_rings_and_a_weak_ring_steps_nothing() -> None:
    """Two rings with proven steps in TX, of score 30 (12 stepped tenders) and 60 (7): TX tells the
    60's. Near miss: a ring of score 10, under min_ring_score 20, raises nothing by its steps."""
    data = _market()
    low = _stepping_ring(1e-12)
    facts = {**low.evidence["components"]["price"]["facts"], "stepped_tenders": 7}
    high = dataclasses.replace(low, score=60.0, evidence={"components": {"price": {"value": 1.0, "facts": facts}}})
    [tx] = [f for f in tender_risk.detect(data, rings=[low, high]) if f.tender_id == "TX"]
    assert (tx.evidence["stepped_bids"]["ring_score"], tx.evidence["stepped_bids"]["ring_stepped"]) == (60.0, 7)
    weak = dataclasses.replace(low, score=10.0)
    scores = tender_risk.tender_risk_scores(data, rings=[weak]).set_index("tender_id").loc["TX"]
    assert not scores["stepped"] and not scores["traced"]
    assert scores["score"] == pytest.approx(100 * scores["screen_risk"])


def test_the_ring_free_baseline_needs_min_category_tenders_left() -> None:
    """31 scored tenders, min_category_tenders 20: a ring over 11 of them leaves exactly 20, which
    are the baseline; a ring over 12 leaves 19, too few, and every tender is ranked together."""
    data = _market()
    scored = sorted(set(data.bids["tender_id"]) - {"T2B", "TX"})
    for n, without in ((11, True), (12, False)):
        ring = Finding(detector="rings", kind="ring", score=60.0, explanation="A ring.", firms=("F1", "F2"),
                       tenders=tuple(scored[:n]))
        [tx] = [f for f in tender_risk.detect(data, tender_risk.Params(min_score=0), rings=[ring]) if f.tender_id == "TX"]
        assert tx.evidence["baseline_without_ring_tenders"] is without


def test_a_tender_scoring_exactly_min_score_is_a_finding_and_max_findings_caps_them() -> None:
    """min_score is inclusive: at TX's own score TX is reported; max_findings = 1 keeps only the
    highest of all 31 scored tenders (TX)."""
    data = _market()
    params = tender_risk.Params(use_rings=False)
    tx_score = tender_risk.tender_risk_scores(data, params=params).set_index("tender_id").loc["TX", "score"]
    at = tender_risk.detect(data, dataclasses.replace(params, min_score=float(tx_score)))
    assert [f.tender_id for f in at] == ["TX"]
    capped = tender_risk.detect(data, dataclasses.replace(params, min_score=0, max_findings=1))
    assert [f.tender_id for f in capped] == ["TX"]


def test_a_tender_topping_a_large_band_is_told_at_the_99th_percentile_among_six_or_more_bids() -> None:
    """120 competitive 'roads' tenders of 7 bids (~8 % dispersion) and TX of 7: 100, then 103,
    103.05, …, 103.25 — the lowest CV, spread and the largest RD of all 121: each percentile
    120.5 / 121, mean 0.996, which would round to the 100th; a tender ranked among others never
    outranks all of them, so the sentence says the 99th, among the band of 6 or more bids."""
    rng = np.random.default_rng(3)
    rows = []
    for t in range(1, 121):
        cost = float(rng.lognormal(12, 0.4))
        rows += [(f"T{t:03d}", f"F{k}", cost * float(rng.lognormal(0, 0.08))) for k in range(1, 8)]
    rows += [("TX", f"G{k}", 100.0 if k == 0 else 103.0 + 0.05 * (k - 1)) for k in range(7)]
    bids = pd.DataFrame(rows, columns=["tender_id", "firm_id", "amount"]).assign(bid_id=lambda f: "B" + f.index.astype(str))
    data = MarketData.build(tenders=pd.DataFrame({"tender_id": sorted(bids["tender_id"].unique()), "category": "roads"}),
                            bids=bids)
    [tx] = [f for f in tender_risk.detect(data, tender_risk.Params(use_rings=False)) if f.tender_id == "TX"]
    assert tx.evidence["band"] == 6
    assert tx.evidence["suspicion_percentiles"]["cv"] == pytest.approx(120.5 / 121)
    assert tx.evidence["screen_risk"] == pytest.approx(120.5 / 121)
    assert tx.explanation.endswith(", the medians of the category's tenders with 6 or more valid bids. On average "
                                   "over CV, spread and relative distance, it ranks at the 99th percentile for "
                                   "looking like cover bidding among them.")


def test_the_rings_contribution_is_what_it_added_to_the_screens() -> None:
    """A ring of 90 over T05: score 100 · (1 − (1 − r)(1 − 0.72)) for screen risk r, so the ring added
    100 · 0.72 · (1 − r) to the screens' 100 · r."""
    ring = Finding(detector="rings", kind="ring", score=90.0, explanation="A ring.", firms=("F1", "F2"),
                   tenders=("T05",))
    [t05] = [f for f in tender_risk.detect(_market(), tender_risk.Params(min_score=0), rings=[ring])
             if f.tender_id == "T05"]
    risk = t05.evidence["screen_risk"]
    assert t05.evidence["components"]["ring"]["contribution"] == pytest.approx(100 * 0.72 * (1 - risk), abs=0.01)
    assert t05.evidence["components"]["screens"]["contribution"] == pytest.approx(100 * risk, abs=0.01)


def test_a_tender_of_several_won_lots_is_told_by_its_lowest_winning_bid() -> None:
    """:func:`_awarded_market` (20: not lowest-price) with TX's 2nd and 4th lowest bids (102, 103)
    both winning lots: the winning bid told is the 2nd lowest, at 102/101 of the budget."""
    data = _awarded_market(20)
    bids = data.bids.copy()
    bids.loc[(bids["tender_id"] == "TX") & (bids["amount"] == 103.0), "is_winner"] = True
    [tx] = [f for f in tender_risk.detect(MarketData.build(tenders=data.tenders, bids=bids),
                                          tender_risk.Params(use_rings=False, min_score=0)) if f.tender_id == "TX"]
    assert tx.evidence["award_rule"]["winner_rank"] == 2
    assert tx.evidence["award_rule"]["winning_budget_ratio"] == pytest.approx(102.0 / 101.0, abs=1e-4)


def test_trace_weight_sets_how_far_a_same_tender_trace_raises_a_tender() -> None:
    """trace_weight 0.5: T001 of :func:`_traced_market` scores 100 · (1 − (1 − r) · 0.5)."""
    params = tender_risk.Params(use_rings=False, trace_weight=0.5)
    t1 = tender_risk.tender_risk_scores(_traced_market(), params=params).set_index("tender_id").loc["T001"]
    assert t1["traced"] and t1["score"] == pytest.approx(100 * (1 - (1 - t1["screen_risk"]) * 0.5))
