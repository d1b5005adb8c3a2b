"""Cardinal red flags: parity with Cardinal's own fixtures, and one flagged case and one
near-miss per flag on tiny hand-made frames.

Parity: each ``../shared/data/real/ocds_cardinal_fixtures/<name>.jsonl`` is loaded through
the OCDS loader into the real Neo4j, projected back with ``graph.readers.read_ocds`` and run with
the settings its file name encodes (as Cardinal's build.rs does, plus the
``no_price_comparison_procurement_methods = NPC`` and ``[exclusions] procurement_method_details
= EXC`` every Cardinal indicator test uses); the result must equal ``<name>.expected``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import detectors.red_flags as red_flags
from detectors.market import COLUMNS, MarketData
from detectors.red_flags.common import quantile
from detectors.red_flags.frames import OcdsFrames

ALL_SECTIONS = "".join(f"[{code}]\n" for code in red_flags.FLAGS)


def settings_for(name: str) -> str:
    """Cardinal's build.rs: ``R003-threshold-10`` → [R003] threshold = 10, etc."""
    parts = name.replace("+", "|").split("-")
    code, rest = parts[0], parts[1:]
    # Cardinal reports every result: one flag is enough for a finding (our default asks for two)
    lines = ["no_price_comparison_procurement_methods = NPC", "[exclusions]", "procurement_method_details = EXC",
             "[iron_cage]", "minimum_flags = 1", f"[{code}]"]
    if len(rest) == 2:
        lines.append(f"{rest[0]} = {rest[1]}")
    elif len(rest) > 2:
        lines.append(f"[{code}.{rest[0]}]")
        lines += [f"{k} = {v}" for k, v in zip(rest[1::2], rest[2::2], strict=True)]
    return "\n".join(lines) + "\n"


def flat(result: dict) -> dict:
    return {(g, k, c): v for g, entries in result.items() for k, codes in entries.items() for c, v in codes.items()}


def fixtures() -> list[Path]:
    from tests.conftest import SHARED_REAL

    folder = SHARED_REAL / "ocds_cardinal_fixtures"
    return sorted(folder.glob("*.jsonl")) if folder.exists() else []


# -- parity --------------------------------------------------------------------------------

def test_settings_from_fixture_names() -> None:
    text = settings_for("R003-procurement_method_details-x-5-y-10")
    params = red_flags.parse_settings(text)
    assert params.enabled == ("R003",)
    assert dict(params.settings["R003"].procurement_method_details) == {"x": 5, "y": 10}
    assert red_flags.parse_settings(settings_for("R003-procurement_methods-open+selective")).settings[
        "R003"].procurement_methods == ("open", "selective")
    assert red_flags.parse_settings(settings_for("R048-minimum_contracting_processes-1")).settings[
        "R048"].minimum_contracting_processes == 1


@pytest.mark.neo4j
def test_cardinal_fixtures_parity(clean_db, shared_real, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from graph.readers import read_ocds
    from loaders.ocds import load_ocds

    paths = sorted((shared_real / "ocds_cardinal_fixtures").glob("*.jsonl"))
    if not paths:
        pytest.skip("no Cardinal fixtures in the shared folder")
    failures = []
    for path in paths:
        from tests.conftest import _wipe

        _wipe(clean_db)
        load_ocds(clean_db, [path], source="cardinal-fixture", party_ids="global", schema=False)
        params = red_flags.parse_settings(settings_for(path.stem))
        results = red_flags.evaluate(read_ocds(clean_db), params)
        expected = json.loads(path.with_suffix(".expected").read_text())
        got = flat(results.cardinal())
        findings = red_flags.detect(MarketData.build(), params, ocds=read_ocds(clean_db))
        paged = flat(red_flags.evaluate(read_ocds(clean_db, page_size=2), params).cardinal())  # the paged reader
        if (got != pytest.approx(flat(expected)) or flat(red_flags.to_cardinal(findings)) != pytest.approx(got)
                or paged != pytest.approx(got)):
            failures.append(f"{path.stem}: expected {expected}, got {results.cardinal()}")
    assert not failures, "\n".join(failures)
    assert len(paths) >= 15  # R003 (4 settings), R018 … R058


# -- settings ------------------------------------------------------------------------------

def test_default_settings_file_enables_every_flag_with_cardinal_defaults() -> None:
    params = red_flags.load_params()
    assert params.enabled == tuple(red_flags.FLAGS)
    assert params.settings["R003"].threshold == 15
    assert params.settings["R018"].procurement_methods == ("open", "selective")
    assert params.settings["R025"].percentile == 75
    assert params.settings["R038"].minimum_submitted_bids == 2
    assert params.settings["R048"].minimum_contracting_processes == 20


@pytest.mark.parametrize("text", ["[R003]\nthreshhold = 3\n", "[R999]\n", "colour = red\n",
                                  "[exclusions]\nmethod = x\n", "[R003.unknown]\nx = 1\n[R003]\n",
                                  "[R003]\nthreshold = soon\n"])
def test_unknown_or_bad_settings_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        red_flags.parse_settings(text)


def test_quantile_is_statrs_r8() -> None:
    data = [-1.0, 5.0, 0.0, -3.0, 10.0, -0.5, 4.0, 0.2, 1.0, 6.0]  # statrs' own test vector
    assert quantile(data, 0.5) == pytest.approx(0.6)
    assert quantile(data, 0.2) == pytest.approx(-0.8)
    assert quantile(data, 0.7) == pytest.approx(137.0 / 30.0)
    assert quantile(data, 0.01) == -3.0 and quantile(data, 0.99) == 10.0


# -- hand-made frames: one flagged case and one near-miss per flag ---------------------------

def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def frames(processes: list[dict], bids: list[dict] = (), awards: list[dict] = (), lots: list[dict] = ()
           ) -> OcdsFrames:
    return OcdsFrames.build(processes=pd.DataFrame(processes), bids=pd.DataFrame(list(bids)),
                            awards=pd.DataFrame(list(awards)), lots=pd.DataFrame(list(lots)))


def bid(bid_id: str, tender: str, status: str, amount: float | None = None, *firms: str, **more) -> dict:
    return {"bid_id": bid_id, "tender_id": tender, "status": status, "amount": amount,
            "currency": "USD" if amount is not None else None, "tenderers": list(firms), **more}


def award(award_id: str, tender: str, status: str, *suppliers: str, **more) -> dict:
    return {"award_id": award_id, "tender_id": tender, "status": status, "suppliers": list(suppliers), **more}


def run(code: str, data: OcdsFrames, settings: str = "") -> dict:
    params = red_flags.parse_settings(f"[{code}]\n{settings}")
    return flat(red_flags.evaluate(data, params).cardinal())


def test_r003_short_period_flagged_and_exact_threshold_not() -> None:
    data = frames([
        {"tender_id": "T1", "tender_start": ts("2024-01-01 18:00"), "tender_end": ts("2024-01-16 17:59:59")},
        {"tender_id": "T2", "tender_start": ts("2024-01-01 18:00"), "tender_end": ts("2024-01-16 18:00")},
    ])
    assert run("R003", data) == {("OCID", "T1", "R003"): 1.0}


def test_r003_reads_no_period_below_zero_nor_in_a_market_dated_by_year() -> None:
    # a deadline before the start is a data-entry error (it read "a submission period of -27 days"); the
    # near-miss, a period of 5 days, is flagged beside it
    data = frames([
        {"tender_id": "T1", "tender_start": ts("2021-03-01"), "tender_end": ts("2021-02-01 23:59:59")},
        {"tender_id": "T2", "tender_start": ts("2021-03-01"), "tender_end": ts("2021-03-06 23:59:59")},
    ])
    assert run("R003", data) == {("OCID", "T2", "R003"): 1.0}
    # dated by year (every start 1 January): a period from 1 January to a deadline of the same day is no period
    by_year = frames([{"tender_id": f"T{year}", "tender_start": ts(f"{year}-01-01"),
                       "tender_end": ts(f"{year}-01-01 23:59:59")} for year in (2019, 2020, 2021)])
    assert run("R003", by_year) == {}


def test_a_bid_row_read_twice_is_still_one_firms_bid_not_a_consortium() -> None:
    rows = []
    for t in range(20):
        gap = 3.0 if t == 0 else 1.1 + 0.01 * t
        rows += [(f"B{t}a", f"T{t}", "F1", 100.0, True), (f"B{t}b", f"T{t}", "F2", 100.0 * gap, False)]
    bids = pd.DataFrame(rows, columns=["bid_id", "tender_id", "firm_id", "amount", "is_winner"])
    tenders = pd.DataFrame({"tender_id": [f"T{t}" for t in range(20)], "winner_firm_id": "F1",
                            "published_at": "2021-01-01", "deadline_at": "2021-01-05"})  # R003 beside
    flagged = [{flag["code"] for flag in f.evidence["flags"]} for f in red_flags.detect(
        MarketData.build(tenders=tenders, bids=pd.concat([bids, bids[bids.tender_id == "T0"]]))) if f.tender_id == "T0"]
    once = [{flag["code"] for flag in f.evidence["flags"]} for f in red_flags.detect(
        MarketData.build(tenders=tenders, bids=bids)) if f.tender_id == "T0"]
    assert flagged == once and once and "R058" in once[0]  # the winner 200 % below the next bid, read twice or once


def test_r018_single_tenderer_in_open_procedure_but_not_direct() -> None:
    data = frames([{"tender_id": "T1", "number_of_tenderers": 1, "procurement_method": "open"},
                   {"tender_id": "T2", "number_of_tenderers": 1, "procurement_method": "direct"}])
    assert run("R018", data) == {("OCID", "T1", "R018"): 1.0}


BASE_LOSERS = [200.0, 200.0, 210.0, 210.0, 220.0, 220.0, 200.0]  # differences 1.0 … 1.2 (tight)


def _base_price_tenders() -> tuple[list[dict], list[dict], list[dict]]:
    """T1–T7: F1 wins at 100 against F2 at 200–220 (differences between 1.0 and 1.2)."""
    processes, bids, awards = [], [], []
    for i, loser in enumerate(BASE_LOSERS, start=1):
        t = f"T{i}"
        processes.append({"tender_id": t})
        bids += [bid(f"{t}/1", t, "valid", 100.0, "F1"), bid(f"{t}/2", t, "valid", loser, "F2")]
        awards.append(award(f"{t}/a", t, "active", "F1"))
    return processes, bids, awards


def _price_market(close: float) -> OcdsFrames:
    """The base tenders plus T8, won by F3 at 100 against F4 at ``close``."""
    processes, bids, awards = _base_price_tenders()
    processes.append({"tender_id": "T8"})
    bids += [bid("T8/1", "T8", "valid", 100.0, "F3"), bid("T8/2", "T8", "valid", close, "F4")]
    awards.append(award("T8/a", "T8", "active", "F3"))
    return frames(processes, bids, awards)


def test_r024_runner_up_just_above_winner_is_flagged() -> None:
    # differences [0.01, 1, 1, 1, 1.1, 1.1, 1.2, 1.2]: Q1 = 1.0, Q3 = 1.158, lower fence = 0.7625
    result = run("R024", _price_market(101.0))
    assert result == {("OCID", "T8", "R024"): pytest.approx(0.01), ("Tenderer", "F3", "R024"): 0.0,
                      ("Tenderer", "F4", "R024"): 0.0}


def test_r024_near_miss_just_above_the_lower_fence() -> None:
    assert run("R024", _price_market(180.0)) == {}  # difference 0.8 > fence 0.7625


def _discounts() -> tuple[list[dict], list[dict], list[dict]]:
    """T1–T7: F1 wins at 100 against F2; F2's bid is 8–12 % higher in T1–T6 and 400 % in T7."""
    processes, bids, awards = [], [], []
    for i, loser in enumerate([110.0, 112.0, 108.0, 111.0, 109.0, 110.0, 500.0], start=1):
        t = f"T{i}"
        processes.append({"tender_id": t})
        bids += [bid(f"{t}/1", t, "valid", 100.0, "F1"), bid(f"{t}/2", t, "valid", loser, "F2")]
        awards.append(award(f"{t}/a", t, "active", "F1"))
    return processes, bids, awards


def test_r058_winner_far_below_is_flagged_and_ordinary_gap_is_not() -> None:
    processes, bids, awards = _discounts()
    result = run("R058", frames(processes, bids, awards))
    assert set(result) == {("OCID", "T7", "R058"), ("Tenderer", "F1", "R058")}
    assert result[("OCID", "T7", "R058")] == pytest.approx(4.0)


def test_r058_percentages_take_the_decimals_that_tell_the_gap_from_the_fence() -> None:
    from detectors.red_flags.r058 import _percent
    assert (_percent(0.1981, 0.1972), _percent(0.1972, 0.1981)) == ("19.8 %", "19.7 %")
    assert (_percent(4.0, 0.2), _percent(0.2, 4.0)) == ("400 %", "20 %")
    assert _percent(0.19818, 0.19812) == "19.82 %"


def test_r024_compares_lots_separately() -> None:
    processes, bids, awards = _base_price_tenders()
    processes.append({"tender_id": "T8"})
    lots = [{"lot_id": "T8/L1", "tender_id": "T8"}, {"lot_id": "T8/L2", "tender_id": "T8"}]
    bids += [bid("T8/1", "T8", "valid", 100.0, "F1", lots=["T8/L1"]),
             bid("T8/2", "T8", "valid", 200.0, "F2", lots=["T8/L1"]),
             bid("T8/3", "T8", "valid", 100.0, "F3", lots=["T8/L2"]),
             bid("T8/4", "T8", "valid", 100.5, "F4", lots=["T8/L2"])]
    awards += [award("T8/a1", "T8", "active", "F1", lots=["T8/L1"]),
               award("T8/a2", "T8", "active", "F3", lots=["T8/L2"])]
    data = frames(processes, bids, awards, lots)
    result = red_flags.evaluate(data, red_flags.parse_settings("[R024]\n"))
    assert result.cardinal()["OCID"] == {"T8": {"R024": pytest.approx(0.005)}}
    assert result.details[("OCID", "T8", "R024")]["lot"] == "T8/L2"
    # Cardinal's whole-process rule sees two active awards and compares nothing in T8
    cardinal_only = red_flags.parse_settings("[R024]\n[iron_cage]\nper_lot = false\n")
    assert red_flags.evaluate(data, cardinal_only).cardinal() == {}


def test_r024_uses_award_bid_links_for_consortium_winner() -> None:
    processes, bids, awards = _base_price_tenders()
    processes.append({"tender_id": "T8"})
    bids += [bid("T8/1", "T8", "valid", 100.0, "F3", "F5"), bid("T8/2", "T8", "valid", 100.5, "F4")]
    awards.append(award("T8/a", "T8", "active", "F3", "F5", related_bids=["T8/1"]))
    data = frames(processes, bids, awards)
    result = run("R024", data)
    assert ("OCID", "T8", "R024") in result and ("Tenderer", "F5", "R024") in result
    no_links = red_flags.parse_settings("[R024]\n[iron_cage]\nuse_related_bids = false\n")
    assert red_flags.evaluate(data, no_links).cardinal() == {}


def test_the_winners_own_second_bid_is_no_runner_up() -> None:
    """With the award's bid links, F3's variant at 101 beside its winning 100 looked like a rival a
    hair above the winner (R024); F4 at 200 is the runner-up, and 100 % above is no flag."""
    processes, bids, awards = _base_price_tenders()
    processes.append({"tender_id": "T8"})
    bids += [bid("T8/1", "T8", "valid", 100.0, "F3"), bid("T8/1b", "T8", "valid", 101.0, "F3"),
             bid("T8/2", "T8", "valid", 200.0, "F4")]
    awards.append(award("T8/a", "T8", "active", "F3", related_bids=["T8/1"]))
    assert run("R024", frames(processes, bids, awards)) == {}
    bids[-1] = bid("T8/2", "T8", "valid", 100.5, "F4")  # near miss: a real rival just above still counts
    assert ("OCID", "T8", "R024") in run("R024", frames(processes, bids, awards))


def test_a_department_both_buyer_and_procuring_entity_raises_r038_once() -> None:
    processes = [{"tender_id": f"T{i}", "buyer_id": "D1", "procuring_entity_id": "D1"} for i in range(3)]
    bids = [bid(f"T{i}/{j}", f"T{i}", "disqualified" if j < 2 else "valid", None, f"F{j}")
            for i in range(3) for j in range(3)]
    settings = red_flags.parse_settings("[R038]\nthreshold = 0.5\nminimum_contracting_processes = 1\n"
                                        "[iron_cage]\nminimum_flags = 1\n")
    [finding] = [f for f in red_flags.detect(MarketData.build(), settings, ocds=frames(processes, bids))
                 if f.kind == "buyer"]
    assert finding.score == pytest.approx(40.0) and "raised 1 Cardinal red flag — R038" in finding.explanation


def test_an_empty_r048_threshold_is_the_default_not_zero() -> None:
    assert red_flags.parse_settings("[R048]\nthreshold =\n").settings["R048"].threshold is None


def test_r025_frequent_loser_flagged_and_winners_not() -> None:
    # F0 bids in all 8 tenders and never wins; W1–W4 bid in 4 each and win 2 (ratio 0.5).
    # Ratios [0, .5, .5, .5, .5]: Q1 = 0.333, Q3 = 0.5, lower fence = 0.083; bid-count fence 5.33.
    processes, bids, awards = [], [], []
    for i in range(8):
        t, first, second = f"T{i}", f"W{i % 4 + 1}", f"W{(i + 1) % 4 + 1}"
        processes.append({"tender_id": t})
        bids += [bid(f"{t}/0", t, "valid", None, "F0"), bid(f"{t}/1", t, "valid", None, first),
                 bid(f"{t}/2", t, "valid", None, second)]
        awards.append(award(f"{t}/a", t, "active", first))
    assert run("R025", frames(processes, bids, awards)) == {("Tenderer", "F0", "R025"): 0.0}


def test_r028_identical_prices_from_different_firms_but_not_same_firm() -> None:
    data = frames([{"tender_id": "T1"}, {"tender_id": "T2"}],
                  [bid("T1/1", "T1", "valid", 50.0, "F1"), bid("T1/2", "T1", "valid", 50.0, "F2"),
                   bid("T2/1", "T2", "valid", 50.0, "F3"), bid("T2/2", "T2", "valid", 50.0, "F3")])
    assert run("R028", data) == {("OCID", "T1", "R028"): 1.0, ("Tenderer", "F1", "R028"): 1.0,
                                 ("Tenderer", "F2", "R028"): 1.0}
    # two bids recorded as 0.00 are no identical prices: zero is the placeholder of a bid not kept
    zeros = frames([{"tender_id": "T3"}], [bid("T3/1", "T3", "valid", 0.0, "F1"), bid("T3/2", "T3", "valid", 0.0, "F2")])
    assert run("R028", zeros) == {}


def test_r030_late_winning_bid_flagged_and_on_time_not() -> None:
    data = frames([{"tender_id": "T1", "tender_end": ts("2024-03-15")}, {"tender_id": "T2", "tender_end": ts("2024-03-15")}],
                  [bid("T1/1", "T1", "valid", None, "F1", submitted_at=ts("2024-03-15 00:00:01")),
                   bid("T2/1", "T2", "valid", None, "F1", submitted_at=ts("2024-03-15 00:00:00"))],
                  [award("T1/a", "T1", "active", "F1"), award("T2/a", "T2", "active", "F1")])
    assert run("R030", data) == {("OCID", "T1", "R030"): 1.0, ("Tenderer", "F1", "R030"): 1.0}


def test_r035_all_others_disqualified_but_not_with_a_second_valid_bid() -> None:
    data = frames([{"tender_id": "T1"}, {"tender_id": "T2"}],
                  [bid("T1/1", "T1", "disqualified", None, "F2"), bid("T1/2", "T1", "valid", None, "F1"),
                   bid("T2/1", "T2", "disqualified", None, "F2"), bid("T2/2", "T2", "valid", None, "F1"),
                   bid("T2/3", "T2", "valid", None, "F3")],
                  [award("T1/a", "T1", "active", "F1"), award("T2/a", "T2", "active", "F1")])
    assert run("R035", data) == {("OCID", "T1", "R035"): 1.0, ("Tenderer", "F1", "R035"): 0.0}


def test_r036_lowest_disqualified_flagged_but_not_when_lowest_is_valid() -> None:
    data = frames([{"tender_id": "T1"}, {"tender_id": "T2"}],
                  [bid("T1/1", "T1", "disqualified", 90.0, "F2"), bid("T1/2", "T1", "valid", 100.0, "F1"),
                   bid("T2/1", "T2", "disqualified", 110.0, "F2"), bid("T2/2", "T2", "valid", 100.0, "F1")],
                  [award("T1/a", "T1", "active", "F1"), award("T2/a", "T2", "active", "F1")])
    assert run("R036", data) == {("OCID", "T1", "R036"): 1.0}


def test_r038_buyer_disqualifying_most_bids_flagged_but_not_below_minimum() -> None:
    processes = [{"tender_id": f"T{i}", "buyer_id": f"B{i}"} for i in range(5)]
    bids = [bid(f"T{i}/{j}", f"T{i}", "valid", None, f"F{j}") for i in range(1, 5) for j in range(2)]
    bids += [bid("T0/0", "T0", "disqualified", None, "F0"), bid("T0/1", "T0", "disqualified", None, "F1"),
             bid("T0/2", "T0", "valid", None, "F2")]
    result = run("R038", frames(processes, bids))
    assert result[("Buyer", "B0", "R038")] == pytest.approx(2 / 3)
    assert not any(k[0] == "Buyer" and k[1] != "B0" for k in result)
    high_minimum = run("R038", frames(processes, bids), "minimum_contracting_processes = 4\n")
    assert not any(k[0] == "Buyer" for k in high_minimum)


def test_r048_supplier_of_many_divisions_flagged_and_specialists_not() -> None:
    processes = [{"tender_id": f"T{i}"} for i in range(6)]
    awards = [award("T0/a", "T0", "active", "F0", classification_ids=["45000000", "33000000", "72000000"])]
    awards += [award(f"T{i}/a", f"T{i}", "active", f"F{i}", classification_ids=["45000000"]) for i in range(1, 6)]
    result = run("R048", frames(processes, [], awards), "minimum_contracting_processes = 1\n")
    assert result == {("Tenderer", "F0", "R048"): 3.0}


def test_cancelled_and_excluded_processes_are_skipped() -> None:
    data = frames([{"tender_id": "T1", "number_of_tenderers": 1, "procurement_method": "open", "status": "cancelled"},
                   {"tender_id": "T2", "number_of_tenderers": 1, "procurement_method": "open",
                    "procurement_method_details": "EXC"}])
    params = red_flags.parse_settings("[exclusions]\nprocurement_method_details = EXC\n[R018]\n")
    assert red_flags.evaluate(data, params).cardinal() == {}


def test_detect_returns_one_finding_per_subject_with_evidence() -> None:
    data = frames([{"tender_id": "T1", "number_of_tenderers": 1, "procurement_method": "open",
                    "tender_start": ts("2024-01-01"), "tender_end": ts("2024-01-05")}])
    findings = red_flags.detect(MarketData.build(), red_flags.parse_settings(ALL_SECTIONS), ocds=data)
    assert len(findings) == 1
    finding = findings[0]
    assert finding.kind == "tender" and finding.tender_id == "T1" and finding.detector == "red_flags"
    assert {f["code"] for f in finding.evidence["flags"]} == {"R003", "R018"}
    assert finding.score == pytest.approx(64.0)
    assert "R003" in finding.explanation and "4 days" in finding.explanation
    json.loads(finding.to_json())


def test_detect_runs_on_a_csv_market_without_ocds_frames() -> None:
    market = MarketData.build(
        tenders=pd.DataFrame([{"tender_id": "T1", "department_id": "D1", "currency": "CNY", "winner_firm_id": "F1",
                               "published_at": "2024-01-01", "deadline_at": "2024-01-04"}]),
        bids=pd.DataFrame([{"bid_id": "B1", "tender_id": "T1", "firm_id": "F1", "amount": 100.0},
                           {"bid_id": "B2", "tender_id": "T1", "firm_id": "F2", "amount": 90.0,
                            "disqualified": True}]))
    findings = red_flags.detect(market, red_flags.parse_settings(ALL_SECTIONS + "[iron_cage]\nminimum_flags = 1\n"))
    by_kind = {f.kind: f for f in findings}
    assert {f["code"] for f in by_kind["tender"].evidence["flags"]} == {"R003", "R035", "R036"}
    assert by_kind["tender"].tender_id == "T1"
    assert by_kind["buyer"].department_id == "D1"  # R038: 1 of 2 submitted bids disqualified
    assert by_kind["tender"].explanation.startswith("Tender T1 raised 3 Cardinal red flags")
    assert by_kind["buyer"].explanation.startswith("Buyer D1 raised")  # no department name: the id
    named = MarketData.build(**{**{f: getattr(market, f) for f in COLUMNS},
                                "departments": pd.DataFrame({"department_id": ["D1"], "name": ["Roads Bureau"]}),
                                "firms": pd.DataFrame({"firm_id": ["F1"], "name": ["Alpha Build"]})})
    relabelled = {f.kind: f for f in red_flags.detect(
        named, red_flags.parse_settings(ALL_SECTIONS + "[iron_cage]\nminimum_flags = 1\n"))}
    assert relabelled["buyer"].explanation.startswith("Buyer Roads Bureau (D1) raised")
    assert relabelled["firm"].explanation.startswith("Firm Alpha Build (F1) raised 2 Cardinal red flags")
    assert relabelled["buyer"].evidence == by_kind["buyer"].evidence


def test_a_market_recording_no_currency_compares_its_prices_in_one_unnamed_currency() -> None:
    def market(currency: str | None) -> MarketData:
        return MarketData.build(
            tenders=pd.DataFrame([{"tender_id": "T1", "department_id": "D1", "currency": currency,
                                   "winner_firm_id": "F1", "published_at": "2024-01-01", "deadline_at": "2024-01-02"}]),
            bids=pd.DataFrame([{"bid_id": "B1", "tender_id": "T1", "firm_id": "F1", "amount": 100.0},
                               {"bid_id": "B2", "tender_id": "T1", "firm_id": "F2", "amount": 90.0,
                                "disqualified": True},
                               {"bid_id": "B3", "tender_id": "T1", "firm_id": "F3", "amount": 100.0,
                                "disqualified": True}]))
    settings = red_flags.parse_settings(ALL_SECTIONS + "[iron_cage]\nminimum_flags = 1\n")
    named, unnamed = ({f.kind: f for f in red_flags.detect(market(c), settings)}["tender"] for c in ("CNY", None))
    codes = {f["code"] for f in unnamed.evidence["flags"]}
    assert codes == {f["code"] for f in named.evidence["flags"]} and {"R003", "R028", "R036"} <= codes
    assert "a submission period of 1 day (" in unnamed.explanation
    assert "every bid except the winner's was disqualified (2 other tenderers)" in unnamed.explanation
    assert "identical bids of 100.00 CNY from" in named.explanation
    assert "identical bids of 100.00 from" in unnamed.explanation
    assert "the lowest bid (90.00) was disqualified" in unnamed.explanation
    assert "None" not in unnamed.explanation


def test_a_tender_without_a_currency_is_priced_in_the_markets_unnamed_one_beside_foreign_tenders() -> None:
    tenders = pd.DataFrame([{"tender_id": t, "department_id": "D1", "currency": c, "winner_firm_id": "F1",
                             "published_at": "2024-01-01", "deadline_at": "2024-03-01"}
                            for t, c in (("T1", None), ("T2", None), ("T3", "USD"))])
    bids = pd.DataFrame([{"bid_id": f"{t}{f}", "tender_id": t, "firm_id": f, "amount": a, "disqualified": f == "F2"}
                         for t in ("T1", "T2", "T3") for f, a in (("F1", 100.0), ("F2", 90.0), ("F3", 120.0))])
    settings = red_flags.parse_settings(ALL_SECTIONS + "[iron_cage]\nminimum_flags = 1\n")
    found = {f.tender_id: f for f in red_flags.detect(MarketData.build(tenders=tenders, bids=bids), settings)
             if f.kind == "tender" and "R036" in {flag["code"] for flag in f.evidence["flags"]}}
    # prices are compared in the usual money (blank: most of the bids); the USD tender is another currency
    assert set(found) == {"T1", "T2"}
    assert "the lowest bid (90.00) was disqualified" in found["T1"].explanation


def test_findings_need_two_flags_unless_one_is_reported_alone() -> None:
    data = frames([{"tender_id": "T1", "number_of_tenderers": 1, "procurement_method": "open"},  # R018 only
                   {"tender_id": "T2", "number_of_tenderers": 1, "procurement_method": "open",  # R018 + R003
                    "tender_start": ts("2024-01-01"), "tender_end": ts("2024-01-05")},
                   {"tender_id": "T3", "tender_end": ts("2024-03-15")}],  # R030 only: reported alone
                  [bid("T3/1", "T3", "valid", None, "F9", submitted_at=ts("2024-03-16 10:00"))],
                  [award("T3/a", "T3", "active", "F9")])
    params = red_flags.parse_settings(ALL_SECTIONS)
    assert (params.common.minimum_flags, params.common.report_alone) == (2, ("R028", "R030"))
    found = {(f.kind, f.tender_id or f.firm_id) for f in red_flags.detect(MarketData.build(), params, ocds=data)}
    assert found == {("tender", "T2"), ("tender", "T3"), ("firm", "F9")}
    # Cardinal's results are complete whatever is reported
    assert ("OCID", "T1", "R018") in flat(red_flags.evaluate(data, params).cardinal())
    everything = red_flags.parse_settings(ALL_SECTIONS + "[iron_cage]\nminimum_flags = 1\n")
    assert ("tender", "T1") in {(f.kind, f.tender_id) for f in red_flags.detect(MarketData.build(), everything,
                                                                                  ocds=data)}
    nothing_alone = red_flags.parse_settings(ALL_SECTIONS + "[iron_cage]\nreport_alone =\n")
    assert {f.tender_id for f in red_flags.detect(MarketData.build(), nothing_alone, ocds=data)
            if f.kind == "tender"} == {"T2"}  # T3's lone R030 is held back
    with pytest.raises(ValueError):
        red_flags.parse_settings("[iron_cage]\nreport_alone = R999\n")
    with pytest.raises(ValueError):
        red_flags.parse_settings("[iron_cage]\nminimum_flags = 0\n")


def test_a_buyer_needs_only_the_one_flag_a_buyer_can_raise() -> None:
    """Only R038 flags buyers: with two distinct flags required a buyer could never be reported."""
    processes = [{"tender_id": f"T{i}", "buyer_id": f"B{i}"} for i in range(5)]
    bids = [bid(f"T{i}/{j}", f"T{i}", "valid", None, f"F{i}{j}") for i in range(1, 5) for j in range(2)]
    bids += [bid("T0/0", "T0", "disqualified", None, "FX"), bid("T0/1", "T0", "disqualified", None, "F01"),
             bid("T0/2", "T0", "valid", None, "F02"), bid("T1/x", "T1", "valid", None, "FX")]
    params = red_flags.parse_settings(ALL_SECTIONS)
    raised = flat(red_flags.evaluate(frames(processes, bids), params).cardinal())
    assert {k for k in raised if k[2] == "R038"} == {("Buyer", "B0", "R038"), ("Tenderer", "FX", "R038")}
    assert red_flags.flags_needed(params) == {"buyer": 1, "firm": 2, "tender": 2}
    findings = red_flags.detect(MarketData.build(), params, ocds=frames(processes, bids))
    buyers = [f for f in findings if f.kind == "buyer"]
    assert {f.department_id for f in buyers} == {"B0"}
    assert all(f.evidence["reporting"]["flags_needed"] == 1 for f in buyers)
    # a firm whose one R038 is all it raised is still held back: firms can raise eight flags
    assert not [f for f in findings if f.kind == "firm"]
    without_r038 = red_flags.parse_settings("".join(f"[{c}]\n" for c in red_flags.FLAGS if c != "R038"))
    assert red_flags.flags_needed(without_r038)["buyer"] == 1  # nothing can flag one; never 0
    only_two = red_flags.parse_settings("[R003]\n[R038]\n[iron_cage]\nminimum_flags = 3\n")
    assert red_flags.flags_needed(only_two) == {"buyer": 1, "firm": 1, "tender": 1}


def test_each_flag_declares_the_subjects_it_flags() -> None:
    """GROUPS (what flags_needed counts) names exactly the groups the flag's code writes results for."""
    import inspect
    import re

    for code, module in red_flags.FLAGS.items():
        written = set(re.findall(r'(?:results\.set|_flag)\("(\w+)"', inspect.getsource(module)))
        assert written == set(module.GROUPS), code


def test_r030_deadline_given_to_the_day_ends_at_the_end_of_that_day() -> None:
    # OCDS frame with date-only deadlines (as projected from a CSV load): a bid on the deadline
    # day is on time, one the next morning is late
    data = frames([{"tender_id": "T1", "tender_end": "2024-03-15"}, {"tender_id": "T2", "tender_end": "2024-03-15"}],
                  [bid("T1/1", "T1", "valid", None, "F1", submitted_at="2024-03-16T00:00:01"),
                   bid("T2/1", "T2", "valid", None, "F2", submitted_at="2024-03-15T17:59:00")],
                  [award("T1/a", "T1", "active", "F1"), award("T2/a", "T2", "active", "F2")])
    assert run("R030", data) == {("OCID", "T1", "R030"): 1.0, ("Tenderer", "F1", "R030"): 1.0}
    # the CSV market: dates are midnight instants, read the same way
    market = MarketData.build(
        tenders=pd.DataFrame([{"tender_id": t, "department_id": "D1", "currency": "CNY", "winner_firm_id": f,
                               "deadline_at": "2024-03-15"} for t, f in (("T1", "F1"), ("T2", "F2"))]),
        bids=pd.DataFrame([{"bid_id": "B1", "tender_id": "T1", "firm_id": "F1", "submitted_at": "2024-03-16T08:00:00"},
                           {"bid_id": "B2", "tender_id": "T2", "firm_id": "F2", "submitted_at": "2024-03-15T08:00:00"}]))
    results = red_flags.evaluate(red_flags.frames_from_market(market), red_flags.parse_settings("[R030]\n"))
    assert flat(results.cardinal()) == {("OCID", "T1", "R030"): 1.0, ("Tenderer", "F1", "R030"): 1.0}


def test_sentences_say_which_tenders_and_which_way_the_gap_runs() -> None:
    """A tenderer's flag names the processes it came from; R058 says the next bid sat above the winner's."""
    processes, bids, awards = _discounts()
    bids += [bid("T8/1", "T8", "valid", 70.0, "F1"), bid("T8/2", "T8", "valid", 70.0, "F3")]  # R028 in T8
    processes.append({"tender_id": "T8"})
    params = red_flags.parse_settings("[R058]\n[R028]\n[iron_cage]\nminimum_flags = 1\n")
    found = {(f.kind, f.tender_id or f.firm_id): f for f in red_flags.detect(MarketData.build(), params,
                                                                          ocds=frames(processes, bids, awards))}
    assert "R058 heavily discounted bid: the next bid 400 % above the winning bid (500.00 against 100.00 USD" \
           in found[("tender", "T7")].explanation
    firm = found[("firm", "F1")]
    assert "won with a bid far below every other (in T7)" in firm.explanation
    assert "bid exactly the same price as another tenderer (in T8)" in firm.explanation
    flags = {f["code"]: f["facts"] for f in firm.evidence["flags"]}
    assert flags["R058"]["tenders"] == ["T7"] and flags["R028"]["tenders"] == ["T8"]
