"""Every detector on messy markets of random shape: no crash, valid findings, subjects that exist.

A scheduled run meets data nobody looked at first: a market with no bids, tenders without a
category, duplicated bid rows, amounts of zero or 10¹⁵, unparseable dates, approvals decided
before they were applied for, officials without a department, evaluations of unknown
tenders, hostile text in ids. The detectors must finish on all of it and say only what the
data supports: scores in [0, 100], an explanation, evidence that serialises to strict JSON,
and subject ids an investigator can find among the input records.
"""

from __future__ import annotations

import functools
import json
import re

import numpy as np
import pandas as pd
import pytest

from detectors import registry
from detectors.finding import Finding
from detectors.market import MarketData

HOSTILE = "x'}) MATCH (n) DETACH DELETE n //"
CODES = ["rings", "linked_bidders", "tender_risk", "closeness", "official_profile", "red_flags"]
#: words a sentence must never say: a missing value printed as text
UNSAID = re.compile(r"\b(nan|None|NaT|inf)\b")


def _pick(rng: np.random.Generator, values: list, size: int) -> list:
    return [values[i] for i in rng.integers(0, len(values), size)] if values else []


def messy_market(seed: int) -> MarketData:
    """A small market whose shape and defects are drawn at random from ``seed``."""
    rng = np.random.default_rng(seed)
    n_firms, n_tenders, n_officials = int(rng.integers(1, 60)), int(rng.integers(0, 120)), int(rng.integers(0, 15))
    firms = [f"F{i}" for i in range(n_firms - 1)] + [HOSTILE]
    officials = [f"O{i}" for i in range(n_officials)]
    tender_ids = [f"T{i}" for i in range(n_tenders)]
    tenders = pd.DataFrame({
        "tender_id": tender_ids,
        "department_id": _pick(rng, ["D1", "D2", None], n_tenders),
        "category": _pick(rng, [None, "roads", "milk", "**bold**"][: int(rng.integers(1, 5))], n_tenders),
        "region": _pick(rng, ["north", None], n_tenders),
        "budget": _pick(rng, [np.nan, 0.0, 100.0, 1e12], n_tenders),
        "published_at": _pick(rng, ["2020-01-01", None, "2021-05-05T10:00:00+08:00", "not a date"], n_tenders),
        "deadline_at": _pick(rng, ["2020-02-01", None, "2019-01-01"], n_tenders),
    })
    rows = []
    for tender in tender_ids:
        count = min(int(rng.integers(0, 8)), len(firms))
        for firm in rng.choice(firms, count, replace=bool(rng.random() < 0.2)):
            amount = _pick(rng, [100.0, 100.0, np.nan, 0.0, -5.0, float(rng.uniform(50, 150)), 1e15], 1)[0]
            rows.append((f"B{len(rows)}", tender, firm, amount, bool(rng.random() < 0.3), bool(rng.random() < 0.05)))
    if seed % 2 == 0:  # something for every detector to find: a rotating ring with tight cover bids
        ring = firms[:3] if len(firms) >= 3 else []
        for t in range(12 if ring else 0):
            tender_ids.append(f"T-ring{t}")
            tenders.loc[len(tenders)] = {"tender_id": f"T-ring{t}", "category": "roads",
                                         "published_at": f"2021-{t % 12 + 1:02d}-10"}
            for k, firm in enumerate(ring):
                rows.append((f"B{len(rows)}", f"T-ring{t}", firm, 1000.0 * (1 + 0.02 * ((k - t) % 3)),
                             (k - t) % 3 == 0, False))
    bids = pd.DataFrame(rows, columns=["bid_id", "tender_id", "firm_id", "amount", "is_winner", "disqualified"])
    # submission IPs and document hashes: a shared line, blanks, a number, hostile text; the
    # ring's bids (seed even) come from one line, the same-tender trace the detectors test
    bids["ip"] = _pick(rng, ["10.0.0.1", "10.0.0.2", "", None, HOSTILE, 7], len(bids))
    bids.loc[bids["tender_id"].str.startswith("T-ring"), "ip"] = "10.9.9.9"
    for tender in bids.loc[~bids["tender_id"].str.startswith("T-ring"), "tender_id"].drop_duplicates()[:6]:
        bids.loc[bids.index[bids["tender_id"] == tender][:2], "ip"] = HOSTILE + " 10.7.7.7"  # one hand, 6 times
    bids["document_hash"] = [f"h{i}" if rng.random() < 0.9 else _pick(rng, ["H", None, " "], 1)[0]
                             for i in range(len(bids))]
    if len(bids) and rng.random() < 0.5:
        bids = pd.concat([bids, bids.sample(min(3, len(bids)), random_state=seed)])  # duplicated rows
    if len(bids) and seed % 3 == 0:  # a bid naming no tender (a frame built by hand; the graph has none)
        bids = pd.concat([bids, bids.iloc[:1].assign(bid_id="B-orphan", tender_id=None)], ignore_index=True)
    winners = bids[bids["is_winner"]].drop_duplicates("tender_id").set_index("tender_id")["firm_id"]
    tenders["winner_firm_id"] = tenders["tender_id"].map(winners)
    n_insp = int(rng.integers(0, 300)) if officials else 0
    inspections = pd.DataFrame({
        "inspection_id": [f"I{i}" for i in range(n_insp)],
        "official_id": _pick(rng, officials, n_insp), "firm_id": _pick(rng, firms + ["F-unknown"], n_insp),
        "date": _pick(rng, ["2020-01-01", None, "2022-02-30"], n_insp),
        "kind": _pick(rng, ["safety", None, ""], n_insp),
        "result": _pick(rng, ["pass", "fail", "warning", None, "PASS"], n_insp),
        "penalty": _pick(rng, [0.0, np.nan, 500.0], n_insp),
    })
    if seed % 2 == 0:  # and five inspectors of one department, one of whom fails every firm
        for o in range(5):
            for i in range(25):
                inspections.loc[len(inspections)] = {
                    "inspection_id": f"IX{o}-{i}", "official_id": f"OX{o}", "firm_id": firms[i % len(firms)],
                    "date": f"2022-{i % 12 + 1:02d}-03", "kind": "safety",
                    "result": "fail" if o == 0 or i % 4 == 0 else "pass", "penalty": 0.0}
        officials = officials + [f"OX{o}" for o in range(5)]
    n_appr = int(rng.integers(0, 200)) if officials else 0
    approvals = pd.DataFrame({
        "approval_id": [f"A{i}" for i in range(n_appr)],
        "official_id": _pick(rng, officials, n_appr), "firm_id": _pick(rng, firms, n_appr),
        "kind": _pick(rng, ["permit", None], n_appr),
        "applied_at": _pick(rng, ["2020-01-01", None, "2020-03-01"], n_appr),
        "decided_at": _pick(rng, ["2020-01-15", None, "2019-12-01", "2020-01-01"], n_appr),
        "decision": _pick(rng, ["approved", "rejected", None], n_appr),
        "statutory_days": _pick(rng, [15.0, np.nan, 0.0], n_appr),
    })
    n_eval = int(rng.integers(0, 100)) if officials and tender_ids else 0
    evaluations = pd.DataFrame({"tender_id": _pick(rng, tender_ids + ["T-unknown"], n_eval),
                                "official_id": _pick(rng, officials, n_eval)})
    firm_identifiers = pd.DataFrame({
        "firm_id": _pick(rng, firms, 20), "kind": _pick(rng, ["phone", "address", "ip", "person", "document"], 20),
        "value": _pick(rng, ["x", "y", "", None, HOSTILE], 20), "via": _pick(rng, ["firm", "bid", "legal_rep"], 20)})
    person_identifiers = pd.DataFrame({
        "owner_kind": _pick(rng, ["official", "person"], 10), "owner_id": _pick(rng, ["O0", "P1", "P2"], 10),
        "kind": _pick(rng, ["phone", "address"], 10), "value": _pick(rng, ["x", "y"], 10)})
    person_roles = pd.DataFrame({"person_id": _pick(rng, ["P1", "P2"], 5), "firm_id": _pick(rng, firms, 5),
                                 "role": _pick(rng, ["legal_rep", "shareholder", None], 5),
                                 "share": _pick(rng, [0.3, np.nan], 5)})
    relations = pd.DataFrame({"official_id": ["O0", "O1", "O-unknown"], "person_id": ["P1", "P2", "P1"],
                              "relation": ["spouse", "sibling", None]})
    return MarketData.build(
        tenders=tenders, bids=bids, firms=pd.DataFrame({"firm_id": firms, "name": firms}),
        officials=pd.DataFrame({"official_id": officials, "department_id": _pick(rng, ["D1", "D2", None], len(officials)),
                                "role": _pick(rng, ["inspector", None], len(officials))}),
        departments=pd.DataFrame({"department_id": ["D1", "D2"], "name": ["d1", "d2"]}),
        inspections=inspections, approvals=approvals, evaluations=evaluations, firm_identifiers=firm_identifiers,
        person_identifiers=person_identifiers, person_roles=person_roles, relations=relations)


def run_all(data: MarketData) -> dict[str, list[Finding]]:
    """Every detector of :data:`CODES`, upstream results passed on as the job runner does."""
    done: dict[str, list[Finding]] = {}
    for spec in registry.select(CODES):
        module = registry.load(spec)
        assert module is not None, spec.code
        upstream = {keyword: done[code] for keyword, code in spec.upstream.items()}
        done[spec.code] = module.detect(data, seed=0, **upstream)
    return done


@functools.cache
def findings_for(seed: int) -> dict[str, list[Finding]]:
    return run_all(messy_market(seed))


@pytest.mark.parametrize("seed", range(10))
def test_detectors_finish_on_messy_markets_with_valid_findings(seed: int) -> None:
    data = messy_market(seed)
    known_firms = set().union(*(set(frame["firm_id"].dropna()) for frame in
                                (data.firms, data.bids, data.inspections, data.approvals)))
    known_tenders = set(data.tenders["tender_id"].dropna()) | set(data.bids["tender_id"].dropna())
    known_officials = set(data.officials["official_id"].dropna())
    for code, findings in findings_for(seed).items():
        for finding in findings:
            record = finding.to_dict()
            json.dumps(record, allow_nan=False)  # strict JSON: no NaN or Infinity in the evidence
            assert 0.0 <= finding.score <= 100.0, (code, finding.score)
            assert finding.explanation.strip(), code
            assert not UNSAID.search(finding.explanation.replace(HOSTILE, "")), (code, finding.explanation)
            assert set(record.get("firms") or []) <= known_firms, (code, record.get("firms"))
            assert set(record.get("tenders") or []) <= known_tenders, (code, record.get("tenders"))
            for key, known in (("firm_id", known_firms), ("tender_id", known_tenders),
                               ("official_id", known_officials)):
                assert record.get(key) is None or record[key] in known, (code, key, record[key])
            first, last = record["evidence"].get("first_tender"), record["evidence"].get("last_tender")
            assert (first is None) == (last is None) and (first is None or first <= last), (code, first, last)


def test_messy_markets_produce_findings_to_check() -> None:
    """The generator is not so broken that nothing is found: the checks above have work to do."""
    counts = {code: 0 for code in CODES}
    for seed in range(10):
        for code, findings in findings_for(seed).items():
            counts[code] += len(findings)
    assert all(counts[code] > 0 for code in CODES), counts


def test_same_messy_market_gives_same_findings() -> None:
    first = {code: [f.to_json() for f in fs] for code, fs in findings_for(3).items()}
    again = {code: [f.to_json() for f in fs] for code, fs in run_all(messy_market(3)).items()}
    assert first == again
