"""What the investigator app reads from (and the triage it writes to) Neo4j.

Every function takes a :class:`graph.db.Database` and runs named queries from
``cypher/app_*.cypher``; results come back as pandas frames or as :class:`GraphElements`
(plain nodes and edges, ready for the graph view), with Neo4j temporal values turned into
ISO strings so that everything here can be cached and serialised. The only writes are
triage events (:func:`record_triage`): an append-only ``CaseEvent`` history per finding,
as docs/findings_store.md describes. Free Cypher from the analyst console goes through
:meth:`graph.db.Database.run_read_only`, so the database itself refuses any write.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from detectors.market import FAILED_RESULTS, NOT_TENDERED, PASSED_RESULTS
from graph.cypher import NamedQuery
from graph.db import Database, GraphError
from graph.model import MAX_TEXT_BYTES, NODE_BY_LABEL, NODES, OPERATIONAL_LABELS

TRIAGE_STATUSES: tuple[str, ...] = ("open", "in_progress", "confirmed", "dismissed")
#: the longest assignee a triage event takes: a person's name or a team's, shown in every case list
MAX_ASSIGNEE_CHARS = 200
#: the longest triage comment (UTF-8 bytes): what any stored text may hold (graph.model.MAX_TEXT_BYTES);
#: a case's every comment comes back on every view of it
MAX_COMMENT_BYTES = MAX_TEXT_BYTES
#: the comment box's limit in characters: four bytes each at most, so whatever the box takes is stored
MAX_COMMENT_CHARS = MAX_COMMENT_BYTES // 4
CASE_KINDS: tuple[str, ...] = ("ring", "pair", "linked_bidders", "tender", "firm", "buyer", "official")
CAPTION_KEYS: tuple[str, ...] = ("name", "title", "value", "hash", "id")
DATA_LABELS: tuple[str, ...] = tuple(n.label for n in NODES if n.label not in OPERATIONAL_LABELS)
#: the reads whose rows show a finding's triage (its status, assignee or case events): a triage write
#: makes them stale, and the app clears their cache after one (views.common.clear_triage_cache), not the
#: cache of every read
TRIAGE_READS: frozenset[str] = frozenset({
    "findings_counts", "top_findings", "rings", "ring_predecessors", "tenders", "firm_findings", "finding",
    "cases", "case_events", "official_alerts", "department_alerts", "pairs", "related_findings",
})


# -- plain values ------------------------------------------------------------------
def plain(value: Any) -> Any:
    """A JSON- and pickle-friendly copy: Neo4j dates/times → ISO strings, NaN → None."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "iso_format"):  # neo4j.time.Date / DateTime / Time / Duration
        return value.iso_format()
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    return value


def caption_of(label: str | None, props: Mapping[str, Any]) -> str:
    """The text an investigator recognises a node by: name, title, value, hash or id; a bid by its amount
    ("bid 101,000 CNY", the currency where it names one: an app review found a tender's bids drawn as
    their ids, which say nothing of the prices the graph is about)."""
    amount = props.get("amount")
    if label == "Bid" and isinstance(amount, (int, float)) and not isinstance(amount, bool) and amount == amount:
        return f"bid {money_text(amount, props.get('currency'))}"
    for key in CAPTION_KEYS:
        if props.get(key) not in (None, ""):
            return str(props[key])
    return label or "?"


# -- graphs ------------------------------------------------------------------------
@dataclass
class GraphNode:
    id: str
    label: str
    caption: str
    props: dict[str, Any] = field(default_factory=dict)
    role: str | None = None  # e.g. "member", "winner", "official", "firm" — colours the node
    score: float | None = None  # 0–100, sizes the node


@dataclass
class GraphEdge:
    id: str
    source: str
    target: str
    type: str
    props: dict[str, Any] = field(default_factory=dict)


@dataclass
class GraphElements:
    """Nodes (by id) and edges of a graph to draw; merge pages of it with :meth:`add`."""

    nodes: dict[str, GraphNode] = field(default_factory=dict)
    edges: dict[str, GraphEdge] = field(default_factory=dict)

    def add_node(self, node_id: str, label: str, props: Mapping[str, Any]) -> GraphNode:
        if node_id not in self.nodes:
            clean = plain(dict(props))
            score = clean.get("score") if label in ("Ring", "Alert") else None
            self.nodes[node_id] = GraphNode(node_id, label, caption_of(label, clean), clean,
                                            score=float(score) if isinstance(score, (int, float)) else None)
        return self.nodes[node_id]

    def add_edge(self, source: str, rel: str, target: str, props: Mapping[str, Any] | None = None) -> None:
        edge_id = f"{source}-{rel}-{target}"
        self.edges.setdefault(edge_id, GraphEdge(edge_id, source, target, rel, plain(dict(props or {}))))

    def add(self, other: GraphElements) -> None:
        for node_id, node in other.nodes.items():
            self.nodes.setdefault(node_id, node)
        for edge_id, edge in other.edges.items():
            self.edges.setdefault(edge_id, edge)

    def __len__(self) -> int:
        return len(self.nodes)


def graph_from_edge_rows(rows: Iterable[Mapping[str, Any]]) -> GraphElements:
    """Rows of ``a_id, a_label, a_props, rel, b_id, b_label, b_props`` and optionally ``rel_props`` (the edge's
    own: a relative's relation, a shareholder's share) → a graph (b may be null)."""
    graph = GraphElements()
    for row in rows:
        graph.add_node(row["a_id"], row["a_label"], row["a_props"] or {})
        if row.get("b_id") is not None:
            graph.add_node(row["b_id"], row["b_label"], row["b_props"] or {})
            graph.add_edge(row["a_id"], row["rel"], row["b_id"], plain(row.get("rel_props") or {}))
    return graph


# -- database status -----------------------------------------------------------------
def label_counts(db: Database) -> pd.DataFrame:
    """Nodes per data label of the model (not findings), from the count store."""
    return db.read_frame("app_label_counts", columns=["label", "nodes"])


def tender_range(db: Database) -> dict[str, Any]:
    rows = db.read("app_tender_range")
    return rows[0] if rows else {"tenders": 0, "first_published": None, "last_published": None}


def activity_range(db: Database) -> tuple[date | None, date | None]:
    """First and last dates of tenders, inspections, approvals and bids (the officials' period bounds); the
    last is the data's "as of" day, to which pending approvals are measured."""
    rows = db.read("app_activity_range")
    row = rows[0] if rows else {}
    first, last = row.get("first"), row.get("last")
    return (date.fromisoformat(first[:10]) if first else None, date.fromisoformat(last[:10]) if last else None)


# -- overview -------------------------------------------------------------------------
def latest_run(db: Database) -> dict[str, Any] | None:
    rows = db.read("app_latest_run")
    if not rows:
        return None
    run = rows[0]
    for key in ("params", "detector_seconds"):
        run[key] = parse_json(run.get(key))
    return run


def to_second(text: Any, minutes_only: bool = False) -> Any:
    """An ISO date-time string as the pages show times: to the second (or minute), in the app
    server's time zone with its name ("2024-07-01 10:05:00 CST" for "2024-07-01T02:05:00Z" where
    the server runs on China Standard Time). The store keeps times in UTC; a nightly run at 02:15
    local time showed as the day before's 18:15 with no zone said. A time without an offset is shown
    as written; other values as they are."""
    if not isinstance(text, str):
        return text
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    shown = "%Y-%m-%d %H:%M" if minutes_only else "%Y-%m-%d %H:%M:%S"
    if moment.tzinfo is None:
        return moment.strftime(shown)
    local = moment.astimezone()
    return f"{local.strftime(shown)} {local.tzname() or local.strftime('%z')}"


def recent_runs(db: Database, limit: int = 20) -> pd.DataFrame:
    """The last ``limit`` detector runs, newest first, with a failed run's error."""
    frame = db.read_frame("app_recent_runs", columns=["run_id", "started_at", "seconds", "status", "findings",
                                                      "error", "code_version"], limit=limit)
    frame["started_at"] = frame["started_at"].map(to_second)
    return frame


def job_lock_state(db: Database) -> str:
    """Whether a load or detector run holds the database's job lock now (:func:`graph.lock.lock_state`):
    "held", "free" or "unknown". A run or load marked "running" while the lock is free ended without
    recording its end (its process was killed)."""
    from graph.lock import lock_state

    return lock_state(db)


def recent_loads(db: Database, limit: int = 20) -> pd.DataFrame:
    """The last ``limit`` loads (:mod:`graph.load_log`), newest first: what, from where, how it went."""
    frame = db.read_frame("app_recent_loads", columns=["started_at", "finished_at", "status", "kind", "source",
                                                       "input", "rows_read", "rows_loaded", "rejected", "pruned",
                                                       "note"], limit=limit)
    counts = ["rows_read", "rows_loaded", "rejected", "pruned"]  # whole numbers, blank for a failed load
    for column in ("started_at", "finished_at"):  # to the second, as the page shows times
        frame[column] = frame[column].map(to_second)
    return frame.astype({c: "Int64" for c in counts})


def findings_counts(db: Database) -> pd.DataFrame:
    return db.read_frame("app_findings_counts", columns=["kind", "status", "tier", "findings"])


def top_findings(db: Database, limit: int = 10, per_detector: int = 3) -> pd.DataFrame:
    return db.read_frame("app_top_findings", limit=limit, per_detector=per_detector)


# -- evidence --------------------------------------------------------------------------
def parse_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


_THRESHOLD_KEYS = ("threshold", "thresholds", "cutoff", "fence", "limit")
_FLAG_KEYS = ("flagged", "flag", "suspicious", "triggered", "hit")
_BASELINE_KEYS = ("baseline", "expected", "peer_rate", "category_median", "median")
_CONTRIBUTION_KEYS = ("contribution", "points")
FACT_COLUMNS = ["fact", "value", "baseline", "threshold", "contribution", "flagged", "meaning", "label"]

#: what the evidence's most frequent terms mean, for investigators who do not read statistics (an app review:
#: facts are paths such as components.frequency_approvals.qvalue); keyed by a fact's last part
FACT_MEANINGS: dict[str, str] = {
    "score": "the finding's score, 0–100: the sum of the points below",
    "points": "points this fact adds to the score",
    "contribution": "points this fact adds to the score",
    "tier": "strong: above what markets without collusion score; weak: not above it",
    "pvalue": "chance of a deviation at least this large if the subjects behaved like their peers (small: unusual)",
    "max_pvalue": "the largest of the tests' chances: every test at least this unusual",
    "binomial_pvalue": "chance of at least this many by luck alone",
    "qvalue": "the chance adjusted for the many subjects tested at once: the expected share of false leads at this "
              "level (0.05: one in twenty)",
    "z": "how many standard deviations from what chance gives (beyond 3: rare)",
    "spacing_z": "how many standard deviations closer together the members' bids lay than chance gives",
    "runs_test_z": "how many standard deviations fewer repeat winners than chance gives (taking turns)",
    "robust_z_among_candidates": "how far this group stands above the other candidate groups, in robust "
                                 "standard deviations",
    "lift": "how many times what is expected happened",
    "median_lift": "how many times the expected co-bidding the members' pairs showed (median)",
    "observed": "how many times it happened",
    "expected": "how many times the baseline (peers, the firm's size, chance) predicts",
    "excess": "co-bidding beyond what the firms' activity predicts",
    "cv": "coefficient of variation of a tender's bids (standard deviation ÷ mean): low = bids bunched together",
    "median_cv": "the median coefficient of variation of the group's tenders (low = bunched bids)",
    "category_median_cv": "the same for every tender of the category: the market's norm",
    "spread": "(highest − lowest bid) ÷ lowest bid: low = bunched bids",
    "rd": "relative distance: gap between the two lowest bids ÷ spread of the losing bids (high: covers far "
          "from a winner who knew)",
    "diff_pct": "how far the second-lowest bid sat above the lowest, as a share of the lowest (0.02: 2 % above)",
    "budget_ratio": "lowest bid ÷ the tender's budget (near 1: little competition on price)",
    "cohesion": "half how much of the members' co-bidding is with each other (exclusivity), half how often "
                "each pair of them met, ranked among the candidate groups",
    "exclusivity": "share of the members' meetings with other bidders in a tender that were meetings with each "
                   "other (1: they met no one else)",
    "turn_taking": "how regularly the winners took turns (0: none, 1: perfect rotation)",
    "winner_entropy": "how evenly the wins were shared among members (higher: more even)",
    "distinct_winners": "how many members won at least once",
    "member_wins": "tenders won by a member",
    "outsider_wins": "tenders won by a firm outside the group",
    "shared_tenders": "tenders where at least two members bid",
    "suppression": "members who stopped bidding where another member won",
    "stability": "how alike the groups found again with other random seeds were (mean best Jaccard "
                 "similarity, 1: the same members every time)",
    "weight": "how much a shared identifier counts: less the more firms hold it (a business centre counts little)",
    "identifiers_shared": "phones, e-mails, addresses, owners, IPs or documents the members share",
    "lowest_won_share": "share of the category's tenders the lowest bid won (the award rule the price screens need)",
    "rank": "where the winning bid ranked among the tender's bids (1: lowest)",
    "n_bids": "number of valid bids",
    "band": "the bid-count band the tender was compared within",
    "screen_risk": "the tender's price screens, ranked against its category",
    "portfolio_share": "share of the official's inspections and approvals that concern this firm",
    "dispersion_size": "how unevenly the department's officials' work falls on firms anyway (smaller: more uneven)",
    "effect": "size of the deviation, 0 (none) to 1 (as large as it counts)",
    "log_likelihood_ratio": "how much better a group meeting by design explains the members' co-bids than "
                            "their activity alone does (a Poisson log-likelihood ratio; larger: less likely by "
                            "chance)",
    "tie_strength_percentile": "how often each pair of members met, as a share of the candidate groups they beat "
                               "(0.94: stronger ties than 94 % of them)",
    "group_cobids": "times two members bid in the same tender (each pair counted)",
    "group_expected_cobids": "the times their activity alone predicts",
    "mean_cobids_per_pair": "tenders each pair of members met in, on average",
    "share_of_member_bids_in_ring_tenders": "share of the members' bids made in the ring's tenders",
    "share_of_ring_tenders_without_outsiders": "share of the ring's tenders where no one but members bid",
    "solo_win_share": "share of the members' wins in tenders where no other member bid",
    "full_at_z": "the robust z at which this part counts in full",
    "winner_evenness": "how evenly the wins were shared among members (1: equally)",
    "repeat_wins": "tenders in a row won by the same member",
    "expected_repeat_wins": "the repeats chance gives with the members' shares of wins",
    "first_tender": "date of the earliest tender concerned",
    "last_tender": "date of the latest tender concerned",
    # a pair's leniency: its baseline is this pair's own expectation, not the plain rates of the page's table
    "leniency_pass": "share of this official's inspections of the firm that passed; baseline: the share expected "
                     "from how other officials found the firm, the kinds of inspection and this official's usual "
                     "strictness",
    "leniency_nofail": "share of this official's inspections of the firm that did not fail; baseline: the share "
                       "expected from how other officials found the firm, the kinds of inspection and this "
                       "official's usual strictness",
    "leniency_penalty": "share of this official's inspections of the firm without a penalty; baseline: the share "
                        "expected as for passes",
    "mean_penalty": "this official's mean penalty per inspection of the firm (a blank penalty is none)",
    "peer_mean_penalty": "the department's mean penalty (all its inspectors) for inspections of the kinds this "
                         "official made of the firm, each kind weighed as often as the official made it",
}

#: meanings of terms that mean something else inside one list of the evidence, keyed by (list, last part):
#: a bid-spacing example's ``rank`` is the members' spacing percentile, not the winning bid's rank (an app
#: review read "1: lowest" beside 0.0714 for a tender the lowest bid won)
FACT_MEANINGS_IN: dict[tuple[str, str], str] = {
    ("spacing_examples", "rank"): "how tightly the members' bids bunched in this tender: the share of as many "
                                  "bids drawn from the tender that lie closer together (near 0: far closer than "
                                  "chance gives)",
    ("spacing_examples", "members"): "members who bid in this tender",
    ("spacing_examples", "bids"): "valid bids in this tender",
    ("spacing_examples", "tender_id"): "a tender where the members' bids bunched most",
    # tender risk's raises (noisy-or, detectors.tender_risk), not points: "the most points this component can add"
    # read 0.8 beside a contribution of 0.86 (an app review)
    ("ring", "weight"): "how far a ring scoring 100 raises the tender: it closes this share of the gap between the "
                        "price screens' score and 100 (a ring scoring 50, half as much)",
    ("same_tender_trace", "weight"): "how far competing bids sent from one IP address or with one document raise "
                                     "the tender: they close this share of the gap left to 100",
    # tender risk's award rule: whether the category's price screens can be read at all (screens.award_rules)
    ("award_rule", "lowest_price"): "whether the category is read as one where the lowest bid wins (no: its "
                                    "price screens are not read)",
    ("award_rule", "award_criteria"): "the award criteria the records declare for these tenders",
    ("award_rule", "awarded"): "awarded tenders of the category (of the same declared criteria) with two or "
                               "more valid bids: what the award rule is read from",
    ("award_rule", "lowest_won"): "of those, the tenders the lowest bid won",
    ("award_rule", "category_share_lowest_won"): "lowest_won ÷ awarded: the share the lowest bid won",
    ("award_rule", "drawn"): "how many of those tenders the lowest bid would win if each winner were drawn by "
                             "lot among its bidders",
    ("award_rule", "category_beyond_draw"): "how far the lowest bid won beyond a draw: (won − drawn) ÷ (awarded "
                                            "− drawn); near 1 where the lowest price wins, near 0 where the award "
                                            "is as good as a draw for it (an average-bid or benchmark rule)",
    ("award_rule", "market_share_lowest_won"): "the same share over the whole market (or its tenders of the "
                                               "same criteria)",
    ("award_rule", "market_share_drawn"): "the share a draw gives the lowest bid over the whole market",
    ("award_rule", "market_beyond_draw"): "how far the lowest bid won beyond a draw over the whole market",
    ("award_rule", "with_market"): "the category has too few awards to be read alone: read with its market",
    ("award_rule", "market_of_same_criteria"): "the market read is the tenders declaring the same criteria",
    ("award_rule", "lowest_wins_min"): "below this share beyond a draw a category is not read as lowest-price",
    ("award_rule", "winner_rank"): "where the winning bid ranked among the tender's bids (1: lowest)",
    ("award_rule", "winning_budget_ratio"): "winning bid ÷ the tender's budget",
}


#: meanings of the entries of a dict keyed by a firm's id, keyed by the dict (``wins_by_member.F1``)
FACT_MEANINGS_OF_KEYS: dict[str, str] = {
    "wins_by_member": "tenders this member won, of those the finding concerns",
}


#: top-level evidence entries shown first: what the score is made of (a tender's award rule, stored first by name,
#: led its facts where an investigator looks for the screens that raised it: an app review)
FACTS_FIRST = ("components", "flags", "deviations")
#: top-level evidence entries shown last, in this order: how the detector worked and the thresholds it used
FACTS_LAST = ("award_rule", "found_by", "seeds", "segmentation", "common_identifiers_ignored", "meta", "reporting",
              "report_floor", "score_threshold", "thresholds")


def _fact_order(key: str) -> tuple[int, int]:
    if key in FACTS_FIRST:
        return 0, FACTS_FIRST.index(key)
    if key in FACTS_LAST:
        return 2, FACTS_LAST.index(key)
    return 1, 0


def evidence_facts(evidence: Any, names: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Every fact of a finding's evidence as rows ``fact, value, baseline, threshold, contribution, flagged,
    meaning, label``: ``fact`` is its path in the stored JSON (``components.speed.pvalue``), ``label`` the
    same in words (:func:`fact_label`, naming the firms of ``names``: id → name, e.g. the finding's members).

    The detectors store their evidence as nested JSON. A dict holding a ``value`` beside a
    threshold, baseline, contribution or flag becomes one row (its other keys become rows of
    their own, prefixed); every other leaf is one row. Top-level ``thresholds`` stay rows
    named ``thresholds.<name>`` so each threshold used is shown next to the facts. The score's
    parts (:data:`FACTS_FIRST`) come first, how the detector worked and its thresholds
    (:data:`FACTS_LAST`) last, the other facts between in the order stored.
    """
    rows: list[dict[str, Any]] = []

    def pick(node: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
        return next((_cell(node[k]) for k in keys if k in node), None)

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, Mapping):
            keys = set(node)
            special = set(_THRESHOLD_KEYS + _FLAG_KEYS + _BASELINE_KEYS + _CONTRIBUTION_KEYS)
            if "value" in keys and keys & special:
                rows.append({"fact": prefix, "value": _cell(node["value"]),
                             "baseline": pick(node, _BASELINE_KEYS), "threshold": pick(node, _THRESHOLD_KEYS),
                             "contribution": pick(node, _CONTRIBUTION_KEYS), "flagged": pick(node, _FLAG_KEYS)})
                for key, child in node.items():
                    if key != "value" and key not in special:
                        walk(f"{prefix}.{key}" if prefix else str(key), child)
                return
            for key, child in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), child)
        elif isinstance(node, list) and node and all(isinstance(x, Mapping) for x in node):
            for i, child in enumerate(node[:30]):
                walk(f"{prefix}[{i}]", child)
            if len(node) > 30:
                rows.append({"fact": f"{prefix}[…]", "value": f"{len(node) - 30} more"})
        else:
            rows.append({"fact": prefix or "evidence", "value": _leaf(node, names)})

    parsed = parse_json(evidence) if evidence is not None else {}
    if isinstance(parsed, Mapping):
        parsed = {key: parsed[key] for key in sorted(parsed, key=lambda k: _fact_order(str(k)))}
    walk("", parsed)
    for row in rows:
        row["meaning"] = fact_meaning(row["fact"])
        row["label"] = fact_label(row["fact"], names)
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


#: a part of a fact's path in words, where splitting it at its underscores does not say it (an app review read
#: "components.speed.pvalue" and "spacing_examples[0].rank" as the table's facts)
FACT_PART_WORDS: dict[str, str] = {
    "thresholds": "threshold", "n_bids": "valid bids", "diff_pct": "gap between the two lowest bids",
    "budget_ratio": "lowest bid ÷ budget", "tender_id": "tender", "cobids": "co-bidding", "rd": "relative distance",
    "cv": "coefficient of variation", "z": "z-score", "n": "count",
}
#: a word of a fact's path part (split at underscores) in words
FACT_WORDS: dict[str, str] = {
    "pvalue": "p-value", "qvalue": "q-value", "pct": "%", "cv": "CV", "rd": "RD", "ip": "IP", "z": "z-score",
    "q1": "first quartile", "q3": "third quartile", "q10": "10th percentile", "q90": "90th percentile",
    "n": "number of", "mi": "mutual information", "ami": "adjusted mutual information", "cobids": "co-bids",
    "cobid": "co-bid", "nofail": "no failures", "id": "id",
}
#: path parts that only group others: left out of the words (``components.price.facts.z`` reads "prices › z-score")
_GROUPING_PARTS = frozenset({"facts"})
_PATH_PART = re.compile(r"\[([^\]]*)\]|([^.\[]+)")


def fact_label(fact: str, names: Mapping[str, Any] | None = None) -> str:
    """A fact's path in the evidence (:func:`evidence_facts`) in words, its parts joined by " › ":
    ``components.speed.pvalue`` → "fast approvals › p-value" (a score component as the lists name it,
    :func:`component_label`), ``components.price.facts.spacing_examples[0].rank`` → "prices › spacing
    example 1 › rank", ``wins_by_member.F1`` → "wins of F1 (Alpha Build)" and any part that is a key of
    ``names`` (id → name) "F1 (Alpha Build)": the firm, not its bare id."""
    names = names or {}
    parts = [(key, index) for index, key in _PATH_PART.findall(fact)]
    words: list[str] = []
    for i, (key, index) in enumerate(parts):
        parent = parts[i - 1][0] if i else ""
        if not key:  # a list position: the list's n-th item, counted from 1
            if words and index.isdigit():
                words[-1] = f"{_singular(words[-1])} {int(index) + 1}"
            elif words:
                words[-1] = f"{words[-1]}, more"
            continue
        if key in _GROUPING_PARTS and i:
            continue
        if key == "components" and i == 0 and len(parts) > 1:
            continue
        if parent == "components" and i == 1:
            words.append(component_label(key))
            continue
        if key in names or parent.endswith("_by_member"):
            name = names.get(key)
            firm = f"{key} ({name})" if name not in (None, "", key) else key
            if parent.endswith("_by_member") and words:
                words[-1] = f"{_part_words(parent.removesuffix('_by_member'))} of {firm}"
            else:
                words.append(firm)
            continue
        words.append(_part_words(key))
    return " › ".join(words) or fact


def _part_words(part: str) -> str:
    if part in FACT_PART_WORDS:
        return FACT_PART_WORDS[part]
    return " ".join(FACT_WORDS.get(word, word) for word in part.split("_") if word) or part


def _singular(words: str) -> str:
    """The last word of ``words`` in the singular, for one item of a list ("spacing examples" → "spacing example")."""
    if words.endswith("ies"):
        return words[:-3] + "y"
    if words.endswith("s") and not words.endswith("ss"):
        return words[:-1]
    return words


#: facts that are sums of money, by their last part: bids' amounts and steps (in the bids' currency) and
#: inspection penalties (the model records no currency for a penalty)
BID_MONEY_FACTS = frozenset({"amount", "budget", "step", "award_amount", "winning_amount", "lowest_bid"})
PENALTY_FACTS = frozenset({"penalty", "mean_penalty", "peer_mean_penalty", "penalty_mean"})


def fact_money(fact: str) -> str | None:
    """Whether a fact is a sum of money: "bid" (a bid's amount, a step between bids, a budget: in the
    tender's currency), "penalty" (an inspection's: no currency recorded), None for any other fact."""
    leaf = re.sub(r"\[[^]]*\]", "", fact).split(".")[-1]
    return "bid" if leaf in BID_MONEY_FACTS else "penalty" if leaf in PENALTY_FACTS else None


def money_text(amount: Any, currency: Any = None) -> str:
    """A sum of money as an investigator reads it: thousands separators, cents where it has them, and the
    currency where the data names one ("101,000 CNY", "3,226.92"); blank for no amount. No currency is
    assumed where none is recorded."""
    if amount is None or isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount != amount:
        return "" if amount is None or (isinstance(amount, float) and amount != amount) else str(amount)
    text = f"{amount:,.0f}" if abs(amount - round(amount)) < 0.005 else f"{amount:,.2f}"
    return f"{text} {currency}" if isinstance(currency, str) and currency.strip() else text


def fact_meaning(fact: str) -> str | None:
    """What a fact of the evidence means (:data:`FACT_MEANINGS`, by its last part: ``components.speed.pvalue``
    is a p-value; ``…_pvalue`` and ``…_qvalue`` too; :data:`FACT_MEANINGS_IN` first, by the list it is in),
    None for a term it does not explain."""
    path = re.sub(r"\[[^]]*\]", "", fact)
    parts = path.split(".")
    leaf = parts[-1]
    if len(parts) > 1 and (parts[-2], leaf) in FACT_MEANINGS_IN:
        return FACT_MEANINGS_IN[(parts[-2], leaf)]
    if len(parts) > 1 and parts[-2] in FACT_MEANINGS_OF_KEYS:
        return FACT_MEANINGS_OF_KEYS[parts[-2]]
    if leaf == "weight" and path.startswith("components."):
        return "the most points this component can add"
    if leaf in FACT_MEANINGS:
        return FACT_MEANINGS[leaf]
    for suffix in ("pvalue", "qvalue", "lift", "points", "expected", "observed"):
        if leaf.endswith("_" + suffix):
            return FACT_MEANINGS[suffix]
    return None


def _leaf(value: Any, names: Mapping[str, Any] | None) -> Any:
    """A fact's value as the table shows it: a list of plain values (a ring's members, the tenders it names)
    as text joined by commas, each firm of ``names`` by its name ("Alpha Build (F1), Beta Build (F2)"; an app
    review read ``["F1", "F2"]``), cut at 300 characters; an id of ``names`` alone by its name too; anything else
    as :func:`_cell` gives it."""
    known = names or {}

    def named(x: Any) -> str | None:
        return f"{known[x]} ({x})" if isinstance(x, str) and known.get(x) not in (None, "", x) else None

    if (alone := named(value)) is not None:  # a shared owner: "Xu Ling (P673322)"
        return alone
    if not isinstance(value, list) or not all(isinstance(x, (str, int, float)) for x in value):
        return _cell(value)
    text = ", ".join(named(x) or str(_cell(x)) for x in value)
    return text if len(text) <= 300 else text[:299] + "…"


def _cell(value: Any) -> Any:
    if isinstance(value, Mapping) and all(not isinstance(v, (list, dict)) for v in value.values()):
        # a component's thresholds in words ("q strong 0.01; q weak 0.25"), not JSON cut off at {"q_strong"…
        return "; ".join(f"{_part_words(str(k))} {_cell(v)}" for k, v in value.items())[:300]
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)[:300]
    if isinstance(value, float):
        # a p-value of 3e-9 is a fact, not 0.0: small values keep three significant digits
        return float(f"{value:.3g}") if 0 < abs(value) < 1e-3 else round(value, 4)
    return value


#: a score component in words, for the lists' one-line summaries (an app review read "outcomes 35, ties 35" and
#: "frequency_inspections 15"); a component not named here shows with its underscores as spaces
COMPONENT_LABELS: dict[str, str] = {
    # rings and complementary presence
    "excess": "co-bidding excess", "cohesion": "cohesion", "rotation": "rotation", "price": "prices",
    "suppression": "bid suppression", "identifiers": "shared identifiers", "complementary": "one member at a time",
    "member_wins": "member wins",
    # closeness
    "frequency_inspections": "frequent inspections", "frequency_approvals": "frequent approvals",
    "frequency_evaluations": "frequent committee seats", "leniency_pass": "passes", "leniency_nofail": "no failures",
    "leniency_penalty": "no penalties", "leniency_grant": "approvals granted", "speed": "fast approvals",
    "outcomes": "committee wins", "ties": "personal ties", "corroboration": "channels agree",
    # linked bidders and tender risk
    "cobids": "bid against each other", "wins": "wins", "screens": "price screens", "ring": "ring bid in it",
    "same_tender_trace": "competing bids share an IP or document",
}


def component_label(name: str) -> str:
    """A score component's name in words (:data:`COMPONENT_LABELS`)."""
    return COMPONENT_LABELS.get(name, name.replace("_", " "))


def key_screens(evidence: Any, limit: int = 4) -> str:
    """What drives a score, in one short line: the red flags' codes with their titles, or the largest component
    contributions when the evidence has ``components``, else the flagged facts, else the first
    numeric facts."""
    data = parse_json(evidence)
    if not isinstance(data, Mapping):
        return ""
    flags = data.get("flags")
    if isinstance(flags, list):  # Cardinal's red flags: their codes and what each means ("R035, R036" said nothing)
        named = {str(f["code"]): str(f.get("title") or "").strip() for f in flags if isinstance(f, Mapping)
                 and "code" in f}
        return ", ".join(f"{code} {title[:1].lower() + title[1:]}" if title else code
                         for code, title in sorted(named.items()))
    components = data.get("components")
    if isinstance(components, Mapping):
        parts: list[tuple[Any, float]] = []
        for name, c in components.items():
            contribution = c.get("contribution") if isinstance(c, Mapping) else None
            if isinstance(contribution, (int, float)):
                parts.append((name, contribution))
        parts.sort(key=lambda p: -p[1])
        if parts:
            # shown rounded, so a contribution that rounds to 0 is left out rather than read as "ring 0"
            shown = [f"{component_label(str(name))} {value:.0f}" for name, value in parts[:limit]]
            return ", ".join(text for text in shown if not text.endswith(" 0"))
    flagged, numeric = [], []
    nested = [(k, v) for k, v in data.items() if isinstance(v, Mapping) and "value" not in v]
    for key, value in [*data.items(), *(item for _, group in nested for item in group.items())]:
        if isinstance(value, Mapping) and "value" in value:
            if any(value.get(k) is True for k in _FLAG_KEYS):
                flagged.append(f"{key}={_cell(value['value'])}")
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and key in data:
            numeric.append(f"{key}={_cell(value)}")
    return ", ".join((flagged or numeric)[:limit])


# -- rings ------------------------------------------------------------------------------
def rings(db: Database, include_inactive: bool = False) -> pd.DataFrame:
    frame = db.read_frame("app_rings", include_inactive=include_inactive)
    if frame.empty:
        return frame.assign(members=[], key_screens=[], tier=[])
    frame["members"] = frame["member_ids"].map(len)
    frame["key_screens"] = frame["evidence"].map(key_screens)
    frame["tier"] = frame["evidence"].map(tier)
    return frame


def ring_predecessors(db: Database, ring_id: str) -> pd.DataFrame:
    """Triaged rings the latest run no longer found that share members with ``ring_id``
    (``app_ring_predecessors``): where a ring's earlier triage went when its membership changed."""
    return db.read_frame("app_ring_predecessors", ring_id=ring_id,
                         columns=["ring_id", "shared", "members", "status", "assignee", "last_event_at", "last_event_by"])


def tier(evidence: Any) -> str | None:
    """The finding's tier from its evidence ("strong" / "weak"), None when it has none."""
    data = parse_json(evidence)
    value = data.get("tier") if isinstance(data, Mapping) else None
    return value if isinstance(value, str) else None


GROUP_GRAPH_TENDERS = 60  # tenders a group's graph draws (the first published); the page says when it cuts
GROUP_GRAPH_TRACES = 20  # shared bid IPs and documents a group's graph draws (those most members share)


def group_graph(db: Database, finding_id: str, tender_cap: int = GROUP_GRAPH_TENDERS) -> GraphElements:
    """A ring's or a linked-bidders alert's firms, their tenders (winners marked), and the identifiers and
    persons two or more of them share."""
    graph = graph_from_edge_rows(db.read("app_group_graph", finding_id=finding_id, tender_cap=tender_cap,
                                         trace_cap=GROUP_GRAPH_TRACES))
    wins: dict[str, int] = {}
    for edge in graph.edges.values():
        if edge.type == "WON":
            wins[edge.source] = wins.get(edge.source, 0) + 1
    for node in graph.nodes.values():
        if node.label == "Firm":
            node.role = "winner" if wins.get(node.id) else "member"
            node.props["tenders_won_here"] = wins.get(node.id, 0)
        elif node.label == "Tender":
            node.role = "tender"
    return graph


def group_bids(db: Database, finding_id: str) -> pd.DataFrame:
    """Bids in the tenders of a ring or of a linked-bidders alert, with ``pct_above_winner`` =
    100·(bid / winning bid − 1) (:func:`bid_spreads`); cover bids show up as losers sitting a small,
    steady percentage above it.
    """
    frame = db.read_frame("app_group_bids", finding_id=finding_id)
    return bid_spreads(distinct_names(frame))


def named_firm(firm: Mapping[str, Any]) -> str:
    """A firm as the tables name it: "Name (id)", the id alone for an unnamed firm."""
    name = str(firm.get("name") or "").strip()
    return f"{name} ({firm.get('id')})" if name else str(firm.get("id"))


def group_tenders(db: Database, finding_id: str) -> pd.DataFrame:
    """The tenders of a ring (where two or more members bid) or of a linked-bidders alert (where its firms
    met), oldest first, one row each: ``tender_id``, ``published_at`` (the day), ``category``, ``bids``
    (tendered bids), ``members`` (those of the group who bid, "Name (id)"), ``winner`` and ``winner_id``
    (several, comma-separated, for a tender awarded in lots; blank when unawarded), ``winning_amount``
    (the award's amount, else the winner's lowest bid there; summed over a tender's winners, blank when
    one of them has none), ``member_won`` and ``currency`` (of the winning amount, where one is recorded)."""
    frame = db.read_frame("app_group_tenders", finding_id=finding_id,
                          columns=["tender_id", "published_at", "category", "bids", "members", "winners", "currency"])
    if frame.empty:
        return frame.drop(columns=["winners"]).assign(winner=[], winner_id=[], winning_amount=[], member_won=[])

    def amount(winners: list[Mapping[str, Any]]) -> float:
        amounts: list[float] = [float(w["amount"]) for w in winners if w.get("amount") is not None]
        return math.fsum(amounts) if amounts and len(amounts) == len(winners) else math.nan

    member_ids = frame["members"].map(lambda members: {m["id"] for m in members})
    return frame.assign(
        published_at=frame["published_at"].map(lambda day: day[:10] if isinstance(day, str) else day),
        members=frame["members"].map(lambda members: ", ".join(named_firm(m) for m in members)),
        winner=frame["winners"].map(lambda winners: ", ".join(str(w.get("name") or w["id"]) for w in winners)),
        winner_id=frame["winners"].map(lambda winners: ", ".join(str(w["id"]) for w in winners)),
        winning_amount=frame["winners"].map(amount),
        member_won=[bool(ids & {w["id"] for w in winners}) for ids, winners in zip(member_ids, frame["winners"],
                                                                                       strict=True)],
    ).drop(columns=["winners"])


def distinct_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``firm_name`` made one per firm: a name two firms share gets the firm's id in brackets, so
    charts and tables keyed by the name (who won where, the rotation) do not merge two firms into one."""
    if frame.empty or "firm_name" not in frame:
        return frame
    shared = frame.groupby("firm_name")["firm_id"].transform("nunique") > 1
    return frame.assign(firm_name=frame["firm_name"].where(~shared, frame["firm_name"] + " (" + frame["firm_id"] + ")"))


def bid_spreads(frame: pd.DataFrame) -> pd.DataFrame:
    """Bid rows (``tender_id``, ``firm_id``, ``amount``, ``disqualified``, ``lot``, ``bid_awarded``,
    ``winner_firm_ids`` and optionally ``awards`` and ``status``) with ``valid``, ``is_winner``,
    ``winning_amount`` and ``pct_above_winner``.

    A bid is valid when it has a positive amount, is not disqualified and its OCDS status is not
    one of :data:`~detectors.market.NOT_TENDERED` (an invitation, a withdrawn bid), as the
    detectors read it.

    A bid's lot is the lot it names; a bid naming none belongs to the tender's only lot when its
    bids name exactly one. In each lot the winning bids are those an active award names (OCDS
    relatedBids), else the bids of the firms an active award of that lot (or of no lot) went to
    (``awards``: [{firm, lots}]; without Award nodes, the firms the tender was AWARDED_TO), else
    — no award on record for the tender at all — the lowest valid bid. Each bid is measured
    against the lowest valid winning bid of its lot (a lot-less bid of a lotted tender against
    the tender's), so a lot worth 50,000 does not measure one worth a million; NaN where there
    is no winning bid on record (e.g. the award went to a firm whose bid is not in the data).
    """
    if frame.empty:
        return frame.assign(is_winner=[], winning_amount=[], pct_above_winner=[])
    frame = frame.copy()
    frame["published_at"] = pd.to_datetime(frame["published_at"], errors="coerce")
    frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce")
    tender = frame["tender_id"]
    tendered = ~frame["disqualified"].astype(bool)  # not invited, withdrawn or disqualified
    if "status" in frame:
        tendered &= ~frame["status"].isin(NOT_TENDERED)
    valid = tendered & (frame["amount"] > 0)
    frame["valid"] = valid
    only_lot = frame["lot"].groupby(tender).transform("first").where(
        frame["lot"].groupby(tender).transform("nunique") == 1)
    lot = frame["lot"].where(frame["lot"].notna(), only_lot).fillna("")
    awards = frame["awards"] if "awards" in frame else pd.Series([[]] * len(frame), index=frame.index)
    awarded_firm = pd.Series([
        any(a["firm"] == firm and (not a["lots"] or not bid_lot or bid_lot in a["lots"]) for a in entries)
        if entries else firm in winners
        for firm, bid_lot, entries, winners in zip(frame["firm_id"], lot, awards, frame["winner_firm_ids"],
                                                   strict=True)], index=frame.index)
    named = frame["bid_awarded"].astype(bool)
    award_on_record = (named.groupby(tender).transform("any") | (awards.map(len) > 0)
                       | (frame["winner_firm_ids"].map(len) > 0))
    lowest = valid & (frame["amount"] == frame["amount"].where(valid).groupby([tender, lot]).transform("min"))
    winner = named.where(named.groupby([tender, lot]).transform("any"), awarded_firm.where(award_on_record, lowest))
    # an invited, withdrawn or disqualified bid won nothing (an awarded bid without an amount still won)
    frame["is_winner"] = winner.astype(bool) & tendered
    winning_bids = frame["amount"].where(valid & frame["is_winner"])
    whole_tender = winning_bids.groupby(tender).transform("min").where(lot == "")
    frame["winning_amount"] = winning_bids.groupby([tender, lot]).transform("min").fillna(whole_tender)
    frame["pct_above_winner"] = 100.0 * (frame["amount"] / frame["winning_amount"] - 1.0)
    return frame.drop(columns=[c for c in ("winner_firm_ids", "bid_awarded", "awards") if c in frame])


def win_rotation(bids: pd.DataFrame) -> pd.DataFrame:
    """One row per tender: date and winner, from :func:`group_bids` output."""
    if bids.empty:
        return pd.DataFrame(columns=["tender_id", "published_at", "winner", "is_member"])
    # one winner per tender: a member before an outsider (a ring member who won one lot is a rotation fact)
    winners = bids[bids["is_winner"]].sort_values(["tender_id", "is_member", "amount", "firm_id"],
                                                  ascending=[True, False, True, True])
    winners = winners.drop_duplicates("tender_id")
    return winners.rename(columns={"firm_name": "winner"})[
        ["tender_id", "published_at", "winner", "firm_id", "is_member"]].sort_values(["published_at", "tender_id"])


def wins_by_region(bids: pd.DataFrame) -> pd.DataFrame:
    """Tenders won by each ring member in each region (members × regions), from :func:`group_bids`.

    Market allocation shows as one member per region; empty unless members won in at least
    two regions.
    """
    if bids.empty or "region" not in bids:
        return pd.DataFrame()
    won = bids[bids["is_winner"] & bids["is_member"].astype(bool)].drop_duplicates(["tender_id", "firm_name"])
    if won["region"].nunique() < 2:  # real regions: missing ones do not make a second
        return pd.DataFrame()
    won = won.assign(region=won["region"].fillna("(no region)"))
    table = pd.crosstab(won["firm_name"], won["region"])
    table.index.name, table.columns.name = "member", None
    return table


# -- tenders ------------------------------------------------------------------------------
def tenders(db: Database, include_inactive: bool = False) -> pd.DataFrame:
    """Findings about tenders (tender risk, red flags) with the tender's record; ``key_screens`` names
    what drives each score."""
    frame = db.read_frame("app_tenders", include_inactive=include_inactive)
    if frame.empty:
        return frame.assign(key_screens=[])
    frame["key_screens"] = frame["evidence"].map(key_screens)
    return frame


def tender_record(db: Database, tender_id: str) -> dict[str, Any] | None:
    """One tender's record (as :func:`tenders` gives a flagged one's, without the finding), whether or not a finding
    names it; None when no tender has that id."""
    rows = db.read("app_tender", tender_id=tender_id)
    return plain(rows[0]) if rows else None


def tender_bids(db: Database, tender_id: str) -> pd.DataFrame:
    """One tender's bids, lowest first, measured against its winning bid as :func:`bid_spreads`
    does, with ``is_member`` (the firm belongs to an active ring two or more of whose members
    placed bids here) and ``shared_trace`` (the bid's IP address or document hash is also on
    another firm's bid in this tender)."""
    frame = db.read_frame("app_tender_bids", tender_id=tender_id)
    if frame.empty:
        return frame.assign(is_member=[], shared_trace=[], is_winner=[], winning_amount=[], pct_above_winner=[])
    frame["is_member"] = frame["rings"].map(bool)
    frame["shared_trace"] = shared_traces(frame)
    return bid_spreads(frame)


def shared_traces(frame: pd.DataFrame) -> pd.Series:
    """Whether each bid row's IP address or document hash is also on another bid of another firm in the
    rows (one tender's bids). A consortium's bid is a row per partner with one ``bid_id``: its partners
    share its IP without any other bid carrying it, which is no trace."""
    shared = pd.Series(False, index=frame.index)
    bid_key = frame["bid_id"] if "bid_id" in frame else frame.index.to_series()
    for column in ("ip", "document_hash"):
        if column not in frame:
            continue
        carried = frame.dropna(subset=[column]).assign(_bid=bid_key)
        bids = carried.groupby(column)["_bid"].nunique()
        firms = carried.groupby(column)["firm_id"].nunique()
        shared |= (frame[column].map(bids).fillna(0) >= 2) & (frame[column].map(firms).fillna(0) >= 2)
    return shared


# -- firms --------------------------------------------------------------------------------
def firms_flagged(db: Database) -> pd.DataFrame:
    """Firms an active finding names, with ``by_kind`` ("pair 1, ring 2"; a firm's own alerts read
    "red flags") and the highest score."""
    frame = db.read_frame("app_firms_flagged")
    if frame.empty:
        return frame.assign(by_kind=[])
    names = {"firm": "red flags", "linked_bidders": "linked bidders"}  # a firm's own alerts are red flags
    frame["by_kind"] = frame["kinds"].map(lambda kinds: ", ".join(
        f"{names.get(k['kind'], k['kind'])} {k['findings']}" for k in sorted(kinds, key=lambda k: k["kind"])))
    return frame.drop(columns=["kinds"])


def firm_search(db: Database, text: str, limit: int = 25) -> pd.DataFrame:
    """Any firm in the graph by name (every word as a prefix, any case, :func:`fulltext_query`) or by
    exact id or registration number in any case (``app_firm_search``), best match first, with
    ``findings``: how many active findings name it (0 for most firms: the Firms page's list holds only
    the others, so a tip about a firm no detector flagged had no way in)."""
    text = text.strip()
    if not text:
        return pd.DataFrame(columns=["firm_id", "name", "reg_no", "findings"])
    return db.read_frame("app_firm_search", columns=["firm_id", "name", "reg_no", "findings"],
                         text=fulltext_query(text), key=text, limit=limit)


def firm_findings(db: Database, firm_id: str) -> pd.DataFrame:
    """Every active finding about ``firm_id``; ``how`` says whether it is a member, named, or bid in the tender."""
    return db.read_frame("app_firm_findings", firm_id=firm_id)


def firm_activity(db: Database, firm_id: str) -> pd.DataFrame:
    """The firm's tenders, bids, wins and amount awarded by year, category and currency; the currency column
    is left out when no tender or award of the firm's records one (none is assumed)."""
    frame = db.read_frame("app_firm_activity", firm_id=firm_id)
    if "currency" in frame and frame["currency"].isna().all():
        frame = frame.drop(columns=["currency"])
    return frame


def firm_officials(db: Database, firm_id: str) -> pd.DataFrame:
    """The officials who inspected the firm or decided its approvals, with their department's name: inspections,
    passed, approvals and the median days an approval took, most dealings first (``app_firm_officials``); a firm a tip names may only
    ever have been supervised, never have bid."""
    return db.read_frame("app_firm_officials", columns=["official_id", "official", "department", "inspections",
                                                        "passed", "approvals", "median_approval_days"],
                         firm_id=firm_id, passed_results=list(PASSED_RESULTS))


def firm_identifiers(db: Database, firm_id: str) -> pd.DataFrame:
    """The firm's phones, e-mails, addresses and people, with the other firms sharing each."""
    return db.read_frame("analyst_firm_identifiers", firm_id=firm_id)


# -- findings and cases ----------------------------------------------------------------------
def finding(db: Database, finding_id: str) -> dict[str, Any] | None:
    rows = db.read("app_finding", finding_id=finding_id)
    return rows[0] if rows else None


def cases(db: Database, kinds: Iterable[str] = CASE_KINDS, include_inactive: bool = False) -> pd.DataFrame:
    """Findings of ``kinds`` as cases, highest score first; inactive ones only with ``include_inactive``.
    ``first_seen`` is the day in the app server's time zone."""
    frame = db.read_frame("app_cases", kinds=list(kinds), include_inactive=include_inactive)
    if not frame.empty:
        frame["first_seen"] = frame["first_seen"].map(lambda t: to_second(t)[:10] if isinstance(t, str) else t)
        frame["last_event_at"] = frame["last_event_at"].map(to_second)
    return frame


#: the most related findings a finding's page lists (a ring of 45 tenders may touch that many tender findings)
MAX_RELATED = 50


def related_findings(db: Database, finding_id: str, limit: int = MAX_RELATED) -> pd.DataFrame:
    """The other active findings that name one of ``finding_id``'s firms, officials, tenders or departments
    (``app_related_findings``): the linked bidders among a ring's members, the risky tenders it bid in, a member's
    red flags, an official's profile beside its pair; weak rings and pairs last. ``firms`` and ``officials`` are
    the shared ones ({id, name}), ``tenders`` how many are shared and ``tender_names`` the first three ({id,
    title}), ``departments`` their ids."""
    return db.read_frame("app_related_findings", finding_id=finding_id, limit=limit,
                         columns=["finding_id", "kind", "detector", "score", "tier", "status", "assignee", "firms",
                                  "officials", "tenders", "tender_names", "departments"])


@dataclass(frozen=True)
class RelatedStatus:
    """What :func:`record_status_of_related` did: the findings given the status, those that had it already
    (nothing written), those someone changed since the form showed them (id → their status now; nothing
    written), and the events written."""

    changed: list[str]
    already: list[str]
    moved: dict[str, str]
    events: int


def record_status_of_related(db: Database, shown: Mapping[str, str], user: str, status: str, with_id: str,
                             comment: str | None = None) -> RelatedStatus:
    """Give related findings (:func:`related_findings`) ``status``, each with a comment saying it was set
    together with ``with_id`` (and ``comment``), and say so in ``with_id``'s own history, all in one
    transaction. ``shown`` maps each chosen finding to the status the form showed it with: one whose
    status someone changed since is not touched (a colleague's dismissal is not overwritten), nor is one
    that has the status already. ValueError as :func:`record_triage` for a bad status, user or comment;
    GraphError when a finding no longer exists (nothing written)."""
    note = comment.strip() if comment and comment.strip() else ""
    ending = f": {note}" if note else "."
    _triage_steps(with_id, user, status=status, assignee=None, comment=note)  # the checks, before any read
    changed: list[str] = []
    already: list[str] = []
    moved: dict[str, str] = {}
    for finding_id, was in shown.items():
        current = finding(db, finding_id)
        if current is None:
            raise GraphError(f"no finding with id {finding_id!r}; nothing was recorded")
        if current["status"] != was:
            moved[finding_id] = current["status"]
        elif current["status"] == status:
            already.append(finding_id)
        else:
            changed.append(finding_id)
    steps: list[tuple[str, dict[str, Any]]] = []
    for finding_id in changed:
        steps += _triage_steps(finding_id, user, status=status, assignee=None,
                               comment=f"Status set together with {with_id}{ending}")
    if changed:  # on the finding it was set from too, for its own history and case report
        steps += _triage_steps(with_id, user, status=None, assignee=None,
                               comment=f"Set {', '.join(changed)} to {status.replace('_', ' ')} together with this "
                                       f"finding{ending}")
    if steps:
        written = db.write_in_one_transaction(steps).nodes_created
        if written != len(steps):
            raise GraphError("a finding was deleted by findings retention meanwhile; nothing was recorded")
    return RelatedStatus(changed, already, moved, len(steps))


def case_events(db: Database, finding_id: str) -> pd.DataFrame:
    return db.read_frame("app_case_events", columns=["event_id", "at", "user", "action", "status", "assignee",
                                                     "comment"], finding_id=finding_id)


def case_file(db: Database, finding_id: str) -> dict[str, Any] | None:
    """Everything the store holds on one finding, for an investigator's case file: its score, sentence,
    evidence (parsed), subjects, the ids of the records behind it (:func:`case_records`), triage state,
    when it was first and last found, and its whole triage history, oldest first. None when there is
    no such finding."""
    found = finding(db, finding_id)
    return None if found is None else case_record_read(db, found, case_events(db, finding_id))


#: the most ids of one kind a case file lists (a ring's tenders are stored up to 500: all of them)
CASE_RECORDS_CAP = 500
#: the kinds of record behind a finding, in the order a case report lists them, with what each is in words
CASE_RECORD_KINDS: dict[str, str] = {
    "tenders": "Tenders it concerns (a ring's: where two or more members bid; linked bidders': where they met)",
    "inspections": "Inspections of the firm by the official",
    "approvals": "Approvals of the firm the official decided",
    "evaluations": "Tenders the official evaluated and the firm bid in",
}


def case_records(db: Database, finding_id: str, cap: int = CASE_RECORDS_CAP) -> dict[str, dict[str, Any]]:
    """The ids of the records behind a finding, so that a case file can be followed to them: for each kind
    of :data:`CASE_RECORD_KINDS` the finding has, ``{"ids": [... at most cap, oldest first], "total": n}`` —
    a ring's or linked-bidders group's tenders; an official–firm pair's inspections, approvals and the
    tenders of its committee evaluations."""
    rows = db.read("app_case_records", finding_id=finding_id, cap=cap)
    if not rows:
        return {}
    row = rows[0]
    return {kind: {"ids": list(row[kind]), "total": int(row[f"{kind}_total"])}
            for kind in CASE_RECORD_KINDS if row.get(f"{kind}_total")}


def case_record(found: Mapping[str, Any], events: pd.DataFrame,
                records: Mapping[str, Any] | None = None, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The case file of a finding already read (:func:`finding`), its :func:`case_events`, the ids of
    the records behind it (:func:`case_records`) and the names of the firms, persons and officials its
    evidence quotes by id (:func:`names_of`)."""
    history = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
               for row in events.drop(columns=["event_id"]).to_dict("records")]
    return {**found, "evidence": parse_json(found.get("evidence")), "records": dict(records or {}),
            "names": dict(names or {}), "case_events": history}


def case_record_read(db: Database, found: Mapping[str, Any], events: pd.DataFrame) -> dict[str, Any]:
    """:func:`case_record` of a finding and its history already read, with the ids of the records behind it,
    the names its evidence quotes and its related findings (:func:`related_findings`, with their status) read
    now (the case file's and the triage panel's downloads): the dossier of a confirmed ring names the linked
    bidders and tender findings of the same cartel."""
    record = case_record(found, events, case_records(db, str(found["finding_id"])),
                         names_of(db, evidence_ids(found.get("evidence"))))
    related = related_findings(db, str(found["finding_id"]))
    record["related"] = [{k: plain(v) for k, v in row.items()} for row in related.to_dict("records")]
    return record


#: the most ids of an evidence :func:`evidence_ids` gives (a ring's evidence quotes a few dozen)
MAX_EVIDENCE_IDS = 2000


def evidence_ids(evidence: Any) -> tuple[str, ...]:
    """The short strings a finding's evidence holds (its values and list items, at most :data:`MAX_EVIDENCE_IDS`,
    sorted), among them the ids of the firms, persons and officials it quotes, for :func:`names_of`."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, str) and 0 < len(node) <= 100 and len(found) < MAX_EVIDENCE_IDS:
            found.add(node)

    walk(parse_json(evidence) if evidence is not None else {})
    return tuple(sorted(found))


def names_of(db: Database, ids: Iterable[str]) -> dict[str, str]:
    """The names of the firms, persons and officials among ``ids``, by id (those with a name): an evidence
    quoted a ring's shared owner as P673322, in the app and in the printed report (an app review)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {row["id"]: row["name"] for row in db.read("app_names", ids=wanted) if row.get("name")}


def _triage_steps(finding_id: str, user: str, *, status: str | None, assignee: str | None,
                  comment: str | None) -> list[tuple[str, dict[str, Any]]]:
    """The CaseEvent writes of one triage change (status, assignee, comment), checked: ValueError for a missing
    user, an assignee over :data:`MAX_ASSIGNEE_CHARS` characters, a comment over :data:`MAX_COMMENT_BYTES`
    bytes or an unknown status."""
    if not user.strip():
        raise ValueError("triage needs the user's name for the audit trail")
    if assignee is not None and len(assignee) > MAX_ASSIGNEE_CHARS:
        raise ValueError(f"the assignee is {len(assignee):,} characters long; at most {MAX_ASSIGNEE_CHARS:,} "
                         "are kept. Nothing was saved.")
    if comment is not None and (size := len(comment.strip().encode("utf-8"))) > MAX_COMMENT_BYTES:
        raise ValueError(f"the comment is {size:,} bytes long; at most "
                         f"{MAX_COMMENT_BYTES:,} (about {MAX_COMMENT_CHARS:,} characters of any script) are kept. "
                         "Nothing was saved.")
    if status is not None and status not in TRIAGE_STATUSES:
        raise ValueError(f"unknown status {status!r}; use one of {TRIAGE_STATUSES}")
    base = {"finding_id": finding_id, "user": user, "status": None, "assignee": None, "comment": None}
    steps: list[tuple[str, dict[str, Any]]] = []
    if status is not None:
        steps.append(("app_case_event_add", {**base, "action": "status", "status": status}))
    if assignee is not None:
        steps.append(("app_case_event_add", {**base, "action": "assign", "assignee": assignee}))
    if comment is not None and comment.strip():
        steps.append(("app_case_event_add", {**base, "action": "comment", "comment": comment.strip()}))
    return steps


def record_triage(
    db: Database, finding_id: str, user: str, *, status: str | None = None, assignee: str | None = None,
    comment: str | None = None,
) -> int:
    """Append one CaseEvent per change (status, assignee, comment), all in one transaction.

    Returns how many events were written. Earlier events are never touched. An assignee over
    :data:`MAX_ASSIGNEE_CHARS` characters or a comment over :data:`MAX_COMMENT_BYTES` bytes is refused
    (ValueError) and nothing is written: a 20-million-character comment was stored and sent with every
    view of its case (:func:`_triage_steps`).
    """
    steps = _triage_steps(finding_id, user, status=status, assignee=assignee, comment=comment)
    if not steps:
        return 0
    if finding(db, finding_id) is None:
        raise GraphError(f"no finding with id {finding_id!r}")
    written = db.write_in_one_transaction(steps).nodes_created
    if written != len(steps):  # retention deleted it after the check above: nothing matched, nothing was written
        raise GraphError(f"finding {finding_id!r} no longer exists (deleted by findings retention); "
                         "nothing was recorded")
    return len(steps)


# -- officials -----------------------------------------------------------------------------
def departments(db: Database) -> pd.DataFrame:
    return db.read_frame("app_departments", columns=["department_id", "name", "officials"])


def _as_of(db: Database, as_of: date | None) -> date:
    """The day pending approvals are measured to: ``as_of``, else the data's last date (as the official-profile
    detector takes it, so the page and its findings count the same approvals overdue), else today."""
    return as_of or activity_range(db)[1] or date.today()


def official_workload(
    db: Database, department_id: str | None = None, date_from: date | None = None, date_to: date | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """Per-official record with deviation from department peers (偏离度).

    Pending approvals are measured to ``as_of`` (default: the data's last date, :func:`_as_of`).

    ``workload`` = inspections + approvals + evaluations; ``workload_z``, ``overdue_z``,
    ``pass_rate_z`` and ``deviation`` as :func:`detectors.official_profile.period_deviation`
    computes them (robust z of the workload, funnel z of overdue approvals and of inspections
    not passed against the department's rates).
    """
    from detectors.official_profile import period_deviation

    frame = db.read_frame(
        "app_official_workload", department_id=department_id,
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
        as_of=_as_of(db, as_of).isoformat(), passed_results=list(PASSED_RESULTS),
    )
    if frame.empty:
        return frame
    frame["workload"] = frame["inspections"] + frame["approvals"] + frame["evaluations"]
    # of the inspections with a result recorded, as the detectors and the Closeness page count it
    frame["pass_rate"] = (frame["passes"] / frame["results"]).where(frame["results"] > 0)
    return frame.join(period_deviation(frame.assign(inspections=frame["results"])))


def official_activity(db: Database, official_id: str, as_of: date | None = None, date_from: date | None = None,
                      date_to: date | None = None) -> pd.DataFrame:
    """Everything the official did with firms, oldest first, within ``date_from``–``date_to`` (each bound
    optional; by the inspection's date, the application's, the tender's publication, as
    :func:`official_workload` counts them); pending approvals measured to ``as_of`` (:func:`_as_of`)."""
    frame = db.read_frame("app_official_activity", official_id=official_id, as_of=_as_of(db, as_of).isoformat())
    frame["date"] = pd.to_datetime(frame["date"], errors="coerce")
    if date_from is not None:
        frame = frame[frame["date"] >= pd.Timestamp(date_from)]
    if date_to is not None:
        frame = frame[frame["date"] <= pd.Timestamp(date_to)]
    return frame.reset_index(drop=True)


def official_assignments(db: Database, official_id: str) -> pd.DataFrame:
    """The firms the official is the assigned case officer of: firm_id, firm_name and case_officer, the
    period ("since 2024-03-01", "2021-01-01 to 2022-12-31", "open" when neither end is recorded; a
    firm assigned twice lists both); no rows without assignments."""
    rows = db.read_frame("app_official_assignments", columns=["firm_id", "firm_name", "since", "until"],
                         official_id=official_id)
    periods: dict[tuple[str, str], list[str]] = {}
    for firm, name, since, until in rows.itertuples(index=False):
        periods.setdefault((str(firm), str(name)), []).append(assignment_period(since, until))
    return pd.DataFrame([(firm, name, "; ".join(texts)) for (firm, name), texts in periods.items()],
                        columns=["firm_id", "firm_name", "case_officer"])


def assignment_period(since: str | None, until: str | None) -> str:
    """An assignment's period in words: "2021-01-01 to 2022-12-31", "since …", "until …", or "open"."""
    if since and until:
        return f"{since} to {until}"
    return f"since {since}" if since else f"until {until}" if until else "open"


def official_alerts(db: Database, official_id: str | None = None) -> pd.DataFrame:
    return db.read_frame("app_official_alerts", official_id=official_id)


def department_alerts(db: Database, department_id: str) -> pd.DataFrame:
    """Active findings about the department as a buyer (red flags)."""
    return db.read_frame("app_department_alerts", department_id=department_id)


# -- closeness --------------------------------------------------------------------------------
def pairs(db: Database, include_inactive: bool = False) -> pd.DataFrame:
    frame = db.read_frame("app_pairs", include_inactive=include_inactive)
    if frame.empty:
        return frame.assign(key_facts=[], tier=[])
    frame["key_facts"] = frame["evidence"].map(key_screens)
    frame["tier"] = frame["evidence"].map(tier)
    return frame


_GROUP_NAMES = {(True, True): "this official → this firm", (True, False): "this official → other firms",
                (False, True): "other officials → this firm", (False, False): "department peers → other firms"}


def _grouped(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame.assign(group=[])
    frame = frame.copy()
    frame.insert(0, "group", [_GROUP_NAMES[(bool(a), bool(b))] for a, b in zip(frame["by_official"],
                                                                              frame["of_firm"], strict=True)])
    return frame.drop(columns=["by_official", "of_firm"])


def pair_inspection_rates(db: Database, official_id: str, firm_id: str) -> pd.DataFrame:
    return _grouped(db.read_frame("app_pair_inspection_rates", official_id=official_id, firm_id=firm_id,
                                  passed_results=list(PASSED_RESULTS), failed_results=list(FAILED_RESULTS)))


def pair_approval_times(db: Database, official_id: str, firm_id: str) -> pd.DataFrame:
    return _grouped(db.read_frame("app_pair_approval_times", official_id=official_id, firm_id=firm_id))


def pair_committee_tenders(db: Database, official_id: str, firm_id: str) -> pd.DataFrame:
    """The tenders the official evaluated and the firm bid in, oldest first; ``winners`` joined
    into one text ("Name (id)", the id alone for an unnamed firm, several for a tender awarded
    in lots), blank when unawarded."""
    frame = db.read_frame("app_pair_committee_tenders", official_id=official_id, firm_id=firm_id)
    if not frame.empty:
        frame["winners"] = frame["winners"].map(lambda names: ", ".join(names or []))
    return frame


def pair_ties(db: Database, official_id: str, firm_id: str, path_cap: int = 10) -> GraphElements:
    graph = graph_from_edge_rows(db.read("app_pair_ties", official_id=official_id, firm_id=firm_id,
                                         path_cap=path_cap))
    for node in graph.nodes.values():
        if node.props.get("id") in (official_id, firm_id):
            node.role = "subject"
    return graph


# -- explore -------------------------------------------------------------------------------------
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _words(text: str) -> list[str]:
    """The words of ``text`` as the index's standard analyzer cuts them: runs of letters, combining
    marks (a Devanagari vowel sign, a decomposed ü), digits and underscores, kept together across a
    point or an apostrophe between two such characters (``e.g``, ``o'brien``, ``3.5``); every other
    character (punctuation, symbols, spaces) ends a word."""
    def inside(char: str) -> bool:
        return char == "_" or unicodedata.category(char)[0] in "LMN"

    words, current = [], ""
    for i, char in enumerate(text):
        joins = char in ".'’" and current and i + 1 < len(text) and inside(text[i + 1])
        if inside(char) or joins:
            current += char
        elif current:
            words.append(current)
            current = ""
    return words + [current] if current else words


#: the most words a search uses: a pasted paragraph made the server refuse the query ("input automaton
#: is too large"), and a few words already pick out a name
MAX_SEARCH_TERMS = 12
#: the longest word a search uses, the rest of it cut: a prefix query of a 5,000-letter word crashed the
#: server's query parser ("input automaton is too large"), and no name has a word this long
MAX_TERM_CHARS = 100


def fulltext_query(text: str) -> str:
    """User text → a Lucene query, all words required: a Latin word matches as a prefix (``alpha*``),
    cut into its words as the index's analyzer cuts names (``Sons,`` → ``Sons*``, ``(Holdings)`` →
    ``Holdings*``: a prefix with its punctuation matched nothing); a word with CJK characters as a
    phrase (the standard analyzer indexes each ideograph alone). At most :data:`MAX_SEARCH_TERMS`,
    each of at most :data:`MAX_TERM_CHARS` characters (a longer one as the prefix of that length)."""
    terms = []
    for word in text.split():
        if _CJK.search(word):
            phrase = word[:MAX_TERM_CHARS]
            terms.append('"' + phrase.replace("\\", "\\\\").replace('"', '\\"') + '"')
        else:
            terms += [f"{piece[:MAX_TERM_CHARS]}*" for piece in _words(word)]  # no Lucene operator survives the cut
    return " AND ".join(terms[:MAX_SEARCH_TERMS]) or '""'


def _phone_key(text: str) -> str:
    """A phone number typed as the records write it, in the form the loaders store
    (:func:`loaders.identifiers.normalise_phone`: ``+86 931-6702-9484`` is ``093167029484``); the
    digits alone when it is no phone number."""
    from loaders.identifiers import normalise_phone

    try:
        return normalise_phone(text)
    except ValueError:
        return re.sub(r"\D", "", text)


#: fewest digits a number typed in national form needs to be looked up by its ending
MIN_NATIONAL_DIGITS = 7


def _national_key(text: str) -> str:
    """A phone number typed in national form (``021 661234``) as the ending of the number stored with its
    party's country code (``59521661234``, :func:`loaders.identifiers.normalise_phone`): its digits
    without the trunk zeros, or ``''`` when that leaves fewer than :data:`MIN_NATIONAL_DIGITS` digits or
    the text is no phone number (the search cannot know the country the investigator means)."""
    digits = re.sub(r"[\s\-.()/]", "", text)
    if not digits.isascii() or not digits.isdigit():
        return ""
    national = digits.lstrip("0")
    return national if len(national) >= MIN_NATIONAL_DIGITS else ""


def search(db: Database, text: str, limit: int = 25) -> pd.DataFrame:
    text = text.strip()
    if not text:
        return pd.DataFrame(columns=["node_id", "label", "caption", "score", "degree"])
    frame = db.read_frame("app_search", text=fulltext_query(text), key=text, digits=_phone_key(text),
                          national=_national_key(text), limit=limit)
    if frame.empty:
        return pd.DataFrame(columns=["node_id", "label", "caption", "score", "degree", "props"])
    frame["props"] = frame["props"].map(plain)
    frame.insert(2, "caption", [caption_of(lbl, p) for lbl, p in zip(frame["label"], frame["props"], strict=True)])
    return frame


def node(db: Database, node_id: str) -> dict[str, Any] | None:
    rows = db.read("app_node", node_id=node_id)
    if not rows:
        return None
    row = rows[0]
    row["props"] = plain(row["props"])
    row["caption"] = caption_of(row["label"], row["props"])
    return row


def neighbours(db: Database, node_id: str, skip: int = 0, limit: int = 25) -> GraphElements:
    return graph_from_edge_rows(db.read("app_neighbours", node_id=node_id, skip=skip, limit=limit))


# -- analyst console ---------------------------------------------------------------------------
@dataclass
class ConsoleResult:
    columns: list[str]
    table: pd.DataFrame
    graph: GraphElements
    truncated: bool
    seconds: float = 0.0


def query_parameters(text: str) -> list[str]:
    """The ``$name`` parameters a Cypher text uses, in order of first use: those written in string literals
    (``'…$x…'``, ``"…"``), backquoted names or comments are not parameters."""
    # one left-to-right scan, so a backquoted parameter ($`a b`) is read as one before a backquoted name
    tokens = r"//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|\$`[^`]*`|`[^`]*`"
    code = re.sub(tokens, lambda m: m.group(0) if m.group(0).startswith("$`") else " ", text, flags=re.S)
    # a name as Cypher spells one: letters of any script ($名字), digits alone ($0), or backquoted ($`a b`)
    found = re.findall(r"\$(?:`([^`]*)`|([^\W\d]\w*|\d+))", code)
    return list(dict.fromkeys(quoted or plain for quoted, plain in found))


def display_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A console result as the table shows it: a column of numbers only (and blanks) stays numeric, so it
    sorts as numbers and 1074000.0 is not text, and one of true/false only stays a flag; any other column
    is text (lists, maps and mixed values would not survive the browser's typed columns), a blank as an
    empty cell."""
    shown = {}
    for column in frame.columns:
        values = frame[column]
        present = values.dropna()
        numeric = len(present) > 0 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
        flags = len(present) > 0 and all(isinstance(v, bool) for v in present)
        shown[column] = (pd.to_numeric(values, errors="coerce") if numeric else values.astype("boolean") if flags
                         else values.map(_console_text))
    return pd.DataFrame(shown, index=frame.index, columns=frame.columns)


def _console_text(value: Any) -> str:
    """A console cell as text: blank for none, a list of plain values joined by commas (``F1, F2``, where
    Python's ``['F1', 'F2']`` showed), a map or a nested list as JSON, anything else as itself."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (list, tuple, dict)):  # maps and nested lists as JSON, which analysts read, not Python's repr
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def console_csv(table: pd.DataFrame) -> bytes:
    """A console result as the CSV file the page offers for download (UTF-8): every text cell, and
    every column name, that a spreadsheet would run as a formula starts with ``'``
    (:func:`loaders.rejects.spreadsheet_safe`): a firm named ``=HYPERLINK(…)`` in the records must not
    become a live link in the investigator's Excel. Numbers stay numbers."""
    from loaders.rejects import spreadsheet_safe

    safe = table.rename(columns=lambda c: spreadsheet_safe(str(c))).map(spreadsheet_safe)
    return safe.to_csv(index=False).encode("utf-8")


def console_value(text: str, declared: str | None = None) -> Any:
    """A parameter typed in the console: JSON when it parses (numbers, lists, null, quoted strings), else text.

    A parameter its saved query declares a string (``declared`` "string", see :func:`declared_types`)
    stays the text typed when it reads as a number or a flag: an id such as 911101087263757431
    would otherwise go in as an integer and match no node, whose ids are strings, without a word.
    """
    stripped = text.strip()
    if stripped == "":
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return text
    if declared == "string" and isinstance(value, (int, float, bool)):
        return stripped
    return value


_DECLARED = re.compile(r"\$(\w+) \((string|int|float|bool)\b")


#: what marks a saved query as one the console would refuse (its own text, from cypher/, not an analyst's:
#: the database still enforces read-only on whatever runs): a write clause, a schema or server command
_WRITING = re.compile(r"\b(CREATE|MERGE|SET|DELETE|REMOVE|FOREACH|LOAD\s+CSV|TERMINATE|SHOW)\b|\bCALL\s+(dbms|apoc)\.",
                      re.IGNORECASE)
_EXAMPLE = re.compile(r"Example: (\{.*?\})(?:\s|$)")
#: the console's $limit where a saved query's header gives no example
DEFAULT_CONSOLE_LIMIT = 100
_EXAMPLE_VALUE = re.compile(r"\$(\w+) \((?:string|int|float|bool)\b([^)]*)\)")
_FIRST_TOKEN = re.compile(r'\s*("[^"]*"|[^\s,;:)]+)')


def console_lists(saved: NamedQuery) -> bool:
    """Whether the console offers a saved query: one that only reads (the loaders' and the findings store's
    writers, and the job lock's server command, would only be refused)."""
    body = "\n".join(line for line in saved.text.splitlines() if not line.lstrip().startswith("//"))
    return not _WRITING.search(body)


def example_values(description: str) -> dict[str, str]:
    """Each parameter's example as the console pre-fills its box: the header's ``Example: {…}`` where it has one,
    else the ``e.g. …`` of its declaration, ``null`` where it may be null (``$category (string, or null …)``)."""
    values: dict[str, str] = {}
    for name, rest in _EXAMPLE_VALUE.findall(description):
        example = _FIRST_TOKEN.match(rest.split("e.g.", 1)[1]) if "e.g." in rest else None
        if example:  # the first value after "e.g.": "ring-ee2c…": the Rings page gives … is the id alone
            values[name] = example.group(1)
        elif "or null" in rest:
            values[name] = "null"
        elif "''" in rest:  # ('' for the first page): the empty string, not an empty box (null)
            values[name] = '""'
    example = _EXAMPLE.search(description)
    if example:
        try:
            parsed = json.loads(example.group(1))
        except ValueError:
            parsed = {}
        values.update({name: json.dumps(value, ensure_ascii=False) for name, value in parsed.items()
                       if isinstance(parsed, dict)})
    for name in re.findall(r"\$(\w+) \(''", description):  # $after ('' for the first page)
        values.setdefault(name, '""')
    if "limit" not in values and re.search(r"\$limit\b", description):
        values["limit"] = str(DEFAULT_CONSOLE_LIMIT)
    return values


#: the id parameters whose console box :func:`console_ids` fills with an id that exists
CONSOLE_ID_PARAMETERS: tuple[str, ...] = ("ring_id", "firm_id", "official_id", "tender_id", "department_id",
                                          "finding_id")


def console_ids(db: Database, parameters: Iterable[str],
                examples: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """What a saved query's id boxes start with, and where each value came from, in words: ``{name: (box
    text, source)}`` for each of ``parameters`` in :data:`CONSOLE_ID_PARAMETERS`.

    The header's example (``examples``: :func:`example_values`, JSON text) where it exists in this database,
    or is null (a query's "every official"); else an id that does (``app_console_ids``, one small read): the
    top ring for ``$ring_id`` and ``$finding_id``, a member of it for ``$firm_id`` (the top pair's firm when the
    query also takes ``$official_id``, so the two belong together), the top pair's official for
    ``$official_id``, a tender the top ring bid in (else the top tender finding's, else the first) for
    ``$tender_id``, the department that issued it for ``$department_id``. ``examples`` may come as
    (name, text) pairs. A header's "F1" matched nothing in a
    city's graph, and the first run of a query returned no rows with no word why (an investigator's review).
    """
    wanted = [p for p in parameters if p in CONSOLE_ID_PARAMETERS]
    if not wanted:
        return {}
    examples = dict(examples)  # pairs from a page, whose cached call takes only hashable arguments
    given: dict[str, Any] = {}
    for name in CONSOLE_ID_PARAMETERS:
        try:
            given[name] = json.loads(examples[name]) if examples.get(name) else None
        except ValueError:
            given[name] = examples[name]
    rows = db.read("app_console_ids", **{n: v if isinstance(v, str) else None for n, v in given.items()})
    row = rows[0] if rows else {}
    exists = row.get("examples_exist") or {}
    ring, pair = row.get("ring_id"), row.get("pair_id")
    tender_department = "the department that issued tender " + str(row.get("ring_tender") or row.get(
        "finding_tender") or row.get("first_tender"))
    offered: dict[str, list[tuple[Any, str]]] = {
        "ring_id": [(ring, "the top ring by score")],
        "finding_id": [(ring, "the top ring by score"), (pair, "the top official–firm pair by score")],
        "firm_id": ([(row.get("pair_firm"), f"the firm of the top official–firm pair {pair}")]
                    if "official_id" in wanted else [])
                   + [(row.get("ring_firm"), f"a member of the top ring {ring}"),
                      (row.get("pair_firm"), f"the firm of the top official–firm pair {pair}")],
        "official_id": [(row.get("pair_official"), f"the official of the top official–firm pair {pair}")],
        "tender_id": [(row.get("ring_tender"), f"a tender the top ring {ring} bid in"),
                      (row.get("finding_tender"), "the tender of the top tender finding"),
                      (row.get("first_tender"), "the first tender by id")],
        "department_id": [(row.get("tender_department"), tender_department),
                          (row.get("first_department"), "the first department by id")],
    }
    boxes: dict[str, tuple[str, str]] = {}
    for name in wanted:
        example = given[name]
        if examples.get(name) and (example is None or exists.get(name)):
            boxes[name] = (examples[name], "the query's own example" + (", which is in this database"
                                                                          if example is not None else ""))
            continue
        real = next(((value, source) for value, source in offered[name] if value is not None), None)
        missing = (f"its own example {example} is not in this database" if example is not None
                   else "the query gives no example")
        if real is None:
            boxes[name] = (examples.get(name, ""), f"{missing}, and the database holds nothing to offer instead")
        else:
            boxes[name] = (json.dumps(real[0], ensure_ascii=False), f"{real[1]} ({missing})")
    return boxes


def declared_types(description: str) -> dict[str, str]:
    """The types a saved query's header gives its parameters (``$firm_id (string, e.g. "F1")``)."""
    return {name: kind for name, kind in _DECLARED.findall(description)}


#: parameter names that hold an id or a key: every id in the graph is a string
_ID_NAME = re.compile(r"(?:\w+_)?(?:id|key)", re.IGNORECASE)


def parameter_type(name: str, declared: Mapping[str, str] | None = None) -> str | None:
    """The type a console parameter is read as (:func:`console_value`): the one its saved query
    declares, else ``string`` for a name that holds an id (``$official_id``, ``$id``, ``$key``: a
    typed ``7`` went in as the integer 7 and matched no node, whose ids are strings), else None."""
    if declared and name in declared:
        return declared[name]
    return "string" if _ID_NAME.fullmatch(name) else None


def run_console(db: Database, text: str, params: Mapping[str, Any] | None = None, timeout_s: float = 30.0,
                row_cap: int = 5000) -> ConsoleResult:
    """Run analyst Cypher read-only; table of plain values plus the nodes/relationships it returned."""
    import time

    from neo4j.graph import Node, Path, Relationship

    started = time.perf_counter()
    keys, records, truncated = db.run_read_only(text, params, timeout_s=timeout_s, row_cap=row_cap)
    graph = GraphElements()

    def add_node(n: Node) -> None:
        graph.add_node(n.element_id, next(iter(n.labels), "Node"), dict(n.items()))

    def add_rel(r: Relationship) -> None:
        if r.start_node is None or r.end_node is None:
            return
        for end in (r.start_node, r.end_node):
            if end.element_id not in graph.nodes:
                add_node(end)
        graph.add_edge(r.start_node.element_id, r.type, r.end_node.element_id, dict(r.items()))

    def node_text(n: Node) -> str:
        """"(Firm F1 Alpha Build)": its labels, its key (graph.model's: id, value or hash) and its name, each once."""
        props = dict(n.items())
        declared = next((NODE_BY_LABEL[label].key for label in sorted(n.labels) if label in NODE_BY_LABEL), "id")
        key = "" if props.get(declared) is None else str(props[declared])
        caption = str(caption_of(None, props))
        words = [":".join(sorted(n.labels)), key, caption if caption != key else ""]
        return "(" + " ".join(w for w in words if w) + ")"

    def cell(value: Any) -> Any:
        if isinstance(value, Node):
            add_node(value)
            return node_text(value)
        if isinstance(value, Relationship):
            add_rel(value)
            return f"[:{value.type}]"
        if isinstance(value, Path):
            for n in value.nodes:
                add_node(n)
            for r in value.relationships:
                add_rel(r)
            # the walk itself, each step the way its relationship points (it read "path of 2 relationships")
            text = node_text(value.start_node)
            for step, r in enumerate(value.relationships):
                after = value.nodes[step + 1]
                forward = r.end_node is not None and r.end_node.element_id == after.element_id
                text += (f"-[:{r.type}]->" if forward else f"<-[:{r.type}]-") + node_text(after)
            return text if len(text) <= 500 else text[:499] + "…"
        if isinstance(value, list):
            return [cell(v) for v in value]
        if isinstance(value, dict):
            return {k: cell(v) for k, v in value.items()}
        return plain(value)

    rows = [[cell(record[k]) for k in keys] for record in records]
    table = pd.DataFrame(rows, columns=keys)
    for column in table.columns:  # lists/dicts as text so the table and CSV show them
        if table[column].map(lambda v: isinstance(v, (list, dict))).any():
            table[column] = table[column].map(lambda v: json.dumps(v, ensure_ascii=False, default=str)
                                              if isinstance(v, (list, dict)) else v)
    return ConsoleResult(keys, table, graph, truncated, time.perf_counter() - started)


def console_failure(error: Exception, timeout_s: float) -> str:
    """What an analyst reads when a console query failed: the time limit and the memory limit in
    plain words (Neo4j's own text for them advises retrying, which fails the same way), else
    Neo4j's message."""
    text = str(error)
    if "TransactionTimedOut" in text:
        return (f"it ran longer than the console's limit of {timeout_s:.0f} s and was stopped. Narrow it (a label, "
                "a property to match on, a LIMIT) or ask for a saved query.")
    if "MemoryPoolOutOfMemoryError" in text or "MemoryLimitExceeded" in text:
        return ("it needed more memory than the server allows one query and was stopped (a pattern that pairs "
                "every node with every other, or a sort of millions of rows, does). Narrow it or add a LIMIT.")
    if re.search(r"\bgot null\b", text, re.IGNORECASE):
        return ("a value the query needs is null: a parameter box left empty is null. Fill in every $ box (the "
                f"query's header says what each takes). (Neo4j said: {text.split(' for org.neo4j', 1)[0]})")
    return text


def is_write_refusal(error: Exception) -> bool:
    """True when the database refused a statement because the console's transaction is read-only."""
    text = str(error)
    return "AccessMode" in text or "read access mode" in text or "Writing in read" in text


# -- warm-up ----------------------------------------------------------------------------
def warm_up(db: Database) -> int:
    """Run each page's queries once, and each drill-down once for the first ring, tender, pair, firm,
    official, finding and linked-bidders group the lists give, so that the server has planned them
    before an investigator opens a page. After a restart (the nightly backup's) a page's first visit
    took 1–3 s at demo scale 10, most of it query planning, against 0.2–0.7 s once every query had
    run (a review that timed every page). Returns the number of queries run; one that fails is
    skipped (a warm-up never fails a start or a page)."""
    def first(frame: pd.DataFrame, *columns: str) -> list[Any]:
        return [frame[c].iloc[0] for c in columns] if not frame.empty and set(columns) <= set(frame) else []

    ran = 0

    def call(function: Any, *args: Any) -> Any:
        nonlocal ran
        try:
            result = function(db, *args)
        except GraphError:
            return pd.DataFrame()
        ran += 1
        return result

    for page in (label_counts, latest_run, findings_counts, top_findings, recent_runs, recent_loads,
                 job_lock_state, tender_range, activity_range, departments, official_workload, official_alerts):
        call(page)
    ring_list, tender_list, pair_list = call(rings), call(tenders), call(pairs)
    firm_list, case_list = call(firms_flagged), call(cases)
    for ring_id in first(ring_list, "ring_id"):
        call(group_graph, ring_id)
        call(group_bids, ring_id)
        call(group_tenders, ring_id)
        call(ring_predecessors, ring_id)
    for tender_id in first(tender_list, "tender_id"):
        call(tender_bids, tender_id)
        call(tender_record, tender_id)
    if len(pair := first(pair_list, "official_id", "firm_id")) == 2:
        official_id, firm_id = pair
        for of_pair in (pair_inspection_rates, pair_approval_times, pair_committee_tenders, pair_ties):
            call(of_pair, official_id, firm_id)
        call(official_activity, official_id)
        call(official_assignments, official_id)
    for firm_id in first(firm_list, "firm_id"):
        for of_firm in (firm_findings, firm_activity, firm_officials, firm_identifiers, firm_search):
            call(of_firm, firm_id)
    for finding_id in first(case_list, "finding_id"):
        call(case_file, finding_id)
        call(related_findings, finding_id)  # below every finding's triage
    call(console_ids, CONSOLE_ID_PARAMETERS, {})  # the console's id boxes, filled when a saved query is picked
    if "kind" in case_list:  # a group of linked bidders, drawn on Cases as a ring is on Rings
        for finding_id in first(case_list[case_list["kind"] == "linked_bidders"], "finding_id"):
            call(group_graph, finding_id)
            call(group_bids, finding_id)
            call(group_tenders, finding_id)
    return ran
