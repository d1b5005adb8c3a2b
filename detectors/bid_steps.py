"""Regular differences: several firms' bids in one tender set at equal steps (投标报价呈规律性差异).

Indicator
---------
Firms that price on their own do not place their bids at equal distances from each other. A
hand that writes several firms' bids often does: covers at the winner's price plus 1 %, 2 %,
3 %, or plus 40,000 each, a "net" of bids spread evenly across the range an average-bid rule
might land in. The PRC Regulation on the Implementation of the Bidding Law (2011, art. 40(4))
deems bids of different bidders whose prices show regular differences collusive; OECD (2009)
lists identical or patterned price differences among the signs of bid rigging. The pattern
does not depend on who wins, so it reads lowest-price and average-bid markets alike.

Formula
-------
A set of ``k ≥ 3`` valid bids sorted ``b_1 < … < b_k`` has the steps ``g_i = b_{i+1} − b_i``
and the relative steps ``r_i = b_{i+1} / b_i − 1``. Its *irregularity* is

    min( (max g − min g) / mean g,  (max r − min r) / mean r )

(0 for exactly equal steps in money or in per cent), and the set is *stepped* when the
irregularity is at most :data:`TOLERANCE`: every step within 1 % of the mean step. Equal
bids are no step (a set with two equal bids is not stepped).

Chance: how often ``k`` bids drawn at random from one tender's valid bids are stepped
(:func:`chance_rates`): :data:`SAMPLES` random ``k``-subsets of every tender with more than ``k``
valid bids, the one set of a tender with exactly ``k`` (at most :data:`MAX_TENDERS` tenders per
category, drawn with a fixed seed), rate ``(stepped + ½) / (sets + 1)`` and at least
:data:`RATE_FLOOR`, so that none stepped among the sets drawn is not read as impossible. The rate
of a tender is the larger of its category's (where the category gave :data:`MIN_SETS` sets) and
the market's: a category priced on a coarse grid — discounts in whole per cent, bids in whole
thousands — steps evenly more often than the market, and its own rate says so. Sizes from
:data:`MAX_SIZE` up take that size's rate (a larger set is less often stepped by chance, so this
is conservative). A group's stepped tenders ``H`` among the ``N`` tenders where ≥ 3 of its
members bid are compared with ``E = Σ_t rate(k_t)`` by the Poisson tail ``P(X ≥ H)``
(conservative for a sum of independent trials; Hoeffding 1956).

References
----------
OECD (2009, rev. 2025). Guidelines for Fighting Bid Rigging in Public Procurement.
中华人民共和国招标投标法实施条例 (2011), 第四十条 (四).
Hoeffding, W. (1956). On the distribution of the number of successes in independent trials.
Annals of Mathematical Statistics 27(3), 713–721.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["TOLERANCE", "MIN_BIDS", "SAMPLES", "MAX_SIZE", "MAX_TENDERS", "RATE_FLOOR", "MIN_SETS", "irregularity",
           "set_irregularity",
           "chance_rates", "rate_of", "poisson_tail", "step_of", "apart"]

#: a set is stepped when every step is within this share of the mean step (money or per cent)
TOLERANCE = 0.01
#: the fewest bids that make a step pattern
MIN_BIDS = 3
#: random subsets drawn per tender and size for the chance rate
SAMPLES = 4
#: sizes from this up take its chance rate
MAX_SIZE = 6
#: tenders drawn per category and size for the chance rate (all of them below this)
MAX_TENDERS = 300
#: the least chance rate of a set being stepped (a rate estimated from a few thousand sets cannot
#: tell 1 in 10,000 from 1 in a million)
RATE_FLOOR = 1e-3
#: a category's own chance rate counts from this many sets drawn
MIN_SETS = 200


def irregularity(amounts: np.ndarray | list[float]) -> float:
    """The irregularity of one set of bids (module docstring); ``inf`` for fewer than
    :data:`MIN_BIDS` bids or two equal ones.

    Examples
    --------
    >>> irregularity([100.0, 110.0, 120.0, 130.0])  # equal steps in money
    0.0
    >>> round(irregularity([100.0, 101.0, 102.01]), 6)  # equal steps of 1 %
    0.0
    >>> round(irregularity([100.0, 110.0, 121.0, 135.0]), 3)  # steps 10, 11, 14; 10 %, 10 %, 11.6 %
    0.149
    """
    b = np.sort(np.asarray(amounts, dtype=float))
    if len(b) < MIN_BIDS:
        return float("inf")
    frame = pd.DataFrame({"set": 0, "amount": b})
    return float(set_irregularity(frame, ["set"]).iloc[0])


def set_irregularity(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """The irregularity of every set of bids in ``frame`` (``keys`` name the set, ``amount`` the
    bid), vectorised: a Series indexed by ``keys``, ``inf`` where the set has fewer than
    :data:`MIN_BIDS` bids or two equal ones."""
    ordered = frame.sort_values([*keys, "amount"], kind="mergesort")
    amount = ordered["amount"].to_numpy(dtype=float)
    codes = ordered.groupby(keys, sort=False).ngroup().to_numpy()
    same = np.r_[False, codes[1:] == codes[:-1]]  # a step from the previous bid of the same set
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.where(same, amount - np.r_[np.nan, amount[:-1]], np.nan)
        rel = np.where(same, amount / np.r_[np.nan, amount[:-1]] - 1.0, np.nan)
    steps = pd.DataFrame({"set": codes, "gap": gap, "rel": rel}).loc[same]
    agg = steps.groupby("set").agg(n=("gap", "size"), g_max=("gap", "max"), g_min=("gap", "min"),
                                   g_mean=("gap", "mean"), r_max=("rel", "max"), r_min=("rel", "min"),
                                   r_mean=("rel", "mean"))
    with np.errstate(divide="ignore", invalid="ignore"):
        money = (agg["g_max"] - agg["g_min"]) / agg["g_mean"]
        share = (agg["r_max"] - agg["r_min"]) / agg["r_mean"]
    value = np.minimum(money, share).where((agg["n"] >= MIN_BIDS - 1) & (agg["g_min"] > 0), np.inf)
    index = ordered[keys].drop_duplicates().set_index(keys).index
    out = pd.Series(np.inf, index=index)
    out.iloc[value.index.to_numpy()] = value.to_numpy()
    return out


def chance_rates(valid: pd.DataFrame, sizes: set[int], seed: int = 0,
                 category: pd.Series | None = None) -> dict[tuple[str | None, int], float]:
    """How often ``k`` bids drawn at random from one tender's valid bids are stepped, for each
    ``k`` in ``sizes`` (capped at :data:`MAX_SIZE`; module docstring): ``(None, k)`` the market's
    rate, ``(c, k)`` category ``c``'s where it gave :data:`MIN_SETS` sets. ``valid``: one row per
    bid, ``tender_id`` and ``amount``; ``category``: tender_id → category (none: the market only)."""
    rng = np.random.default_rng(seed)
    counts = valid.groupby("tender_id")["amount"].size()
    of = (category.reindex(counts.index) if category is not None else pd.Series(None, index=counts.index))
    of = of.astype(object).where(of.notna(), "")
    out: dict[tuple[str | None, int], float] = {}
    for k in sorted({min(max(k, MIN_BIDS), MAX_SIZE) for k in sizes}):
        eligible = counts.index[counts >= k]
        picked = [t for _, group in pd.Series(eligible, index=eligible).groupby(of.reindex(eligible).to_numpy())
                  for t in (group.to_numpy() if len(group) <= MAX_TENDERS
                            else rng.choice(group.to_numpy(), MAX_TENDERS, replace=False))]
        bids = valid.loc[valid["tender_id"].isin(set(picked)), ["tender_id", "amount"]]
        if bids.empty:
            out[(None, k)] = 1.0
            continue
        exact = bids["tender_id"].map(counts) == k  # a tender of exactly k bids has one set: drawn once
        drawn = pd.concat([bids.assign(sample=0)] + [bids.loc[~exact].assign(sample=s) for s in range(1, SAMPLES)])
        drawn["key"] = rng.random(len(drawn))
        drawn = drawn.loc[drawn.groupby(["tender_id", "sample"])["key"].rank(method="first") <= k]
        stepped = (set_irregularity(drawn, ["tender_id", "sample"]) <= TOLERANCE).rename("stepped").reset_index()
        stepped["category"] = stepped["tender_id"].map(of)
        out[(None, k)] = max(RATE_FLOOR, (float(stepped["stepped"].sum()) + 0.5) / (len(stepped) + 1.0))
        for c, g in stepped.groupby("category"):
            if c != "" and len(g) >= MIN_SETS:
                out[(str(c), k)] = max(RATE_FLOOR, (float(g["stepped"].sum()) + 0.5) / (len(g) + 1.0))
    return out


def rate_of(rates: dict[tuple[str | None, int], float], k: int, category: str | None = None) -> float:
    """The chance rate of a set of ``k`` bids in a tender of ``category`` (:func:`chance_rates`):
    the larger of the category's, where it has one, and the market's."""
    k = min(k, MAX_SIZE)
    return max(rates[(None, k)], rates.get((category, k), 0.0)) if category is not None else rates[(None, k)]


def poisson_tail(hits: int, expected: float) -> float:
    """``P(X ≥ hits)`` for ``X ~ Poisson(expected)``; 1 for no hits."""
    return 1.0 if hits <= 0 else float(stats.poisson.sf(hits - 1, max(expected, 1e-12)))


def step_of(amounts: np.ndarray | list[float]) -> dict[str, float]:
    """The step of a stepped set of bids, as evidence keeps it and :func:`apart` tells it: ``step``
    (the mean step, in money) or ``step_pct`` (the mean relative step, in per cent), whichever of
    the two the set keeps more regularly (the two terms of :func:`irregularity`).

    >>> step_of([100.0, 110.0, 120.0]), step_of([100.0, 101.0, 102.01])
    ({'step': 10.0}, {'step_pct': 1.0})
    """
    b = np.sort(np.asarray(amounts, dtype=float))
    gaps, rel = np.diff(b), b[1:] / b[:-1] - 1.0
    if (gaps.max() - gaps.min()) / gaps.mean() <= (rel.max() - rel.min()) / rel.mean():
        return {"step": round(float(gaps.mean()), 2)}
    return {"step_pct": round(100 * float(rel.mean()), 3)}


def apart(step: dict[str, float]) -> str:
    """A step for a sentence: ``41,000 apart`` (``step``, in money; cents where it has them) or
    ``1.00 % apart`` (``step_pct``).

    >>> apart({"step": 41000.0}), apart({"step": 12.5}), apart({"step_pct": 1.0})
    ('41,000 apart', '12.50 apart', '1.00 % apart')
    """
    if "step" in step:
        value = float(step["step"])
        return f"{value:,.0f} apart" if abs(value - round(value)) < 0.005 else f"{value:,.2f} apart"
    return f"{float(step['step_pct']):.2f} % apart"
