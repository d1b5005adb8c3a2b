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

Chance: how often ``k`` bids drawn at random from one tender's valid bids are stepped, in this
market (:func:`chance_rates`): :data:`SAMPLES` random ``k``-subsets of every tender with at
least ``k`` valid bids (at most :data:`MAX_TENDERS` tenders, drawn with a fixed seed), rate
``(stepped + ½) / (subsets + 1)``, so that none stepped among the subsets drawn is not read as
impossible. Sizes from :data:`MAX_SIZE` up take that size's rate (a larger set is less often
stepped by chance, so this is conservative). The market's own rounding — bids in whole
thousands step evenly more often — is in the rate. A group's stepped tenders ``H`` among the
``N`` tenders where ≥ 3 of its members bid are compared with ``E = Σ_t rate(k_t)`` by the
Poisson tail ``P(X ≥ H)`` (conservative for a sum of independent trials; Hoeffding 1956).

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

__all__ = ["TOLERANCE", "MIN_BIDS", "SAMPLES", "MAX_SIZE", "MAX_TENDERS", "irregularity", "set_irregularity",
           "chance_rates", "rate_of", "poisson_tail", "apart"]

#: a set is stepped when every step is within this share of the mean step (money or per cent)
TOLERANCE = 0.01
#: the fewest bids that make a step pattern
MIN_BIDS = 3
#: random subsets drawn per tender and size for the chance rate
SAMPLES = 4
#: sizes from this up take its chance rate
MAX_SIZE = 6
#: tenders drawn per size for the chance rate (all of them below this)
MAX_TENDERS = 5000


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


def chance_rates(valid: pd.DataFrame, sizes: set[int], seed: int = 0) -> dict[int, float]:
    """How often ``k`` bids drawn at random from one tender's valid bids are stepped, for each
    ``k`` in ``sizes`` (capped at :data:`MAX_SIZE`; module docstring). ``valid``: one row per
    bid, ``tender_id`` and ``amount``."""
    rng = np.random.default_rng(seed)
    counts = valid.groupby("tender_id")["amount"].size()
    out: dict[int, float] = {}
    for k in sorted({min(max(k, MIN_BIDS), MAX_SIZE) for k in sizes}):
        tenders = counts.index[counts >= k].to_numpy()
        if len(tenders) > MAX_TENDERS:
            tenders = rng.choice(tenders, MAX_TENDERS, replace=False)
        bids = valid.loc[valid["tender_id"].isin(set(tenders)), ["tender_id", "amount"]]
        if bids.empty:
            out[k] = 1.0
            continue
        drawn = pd.concat([bids.assign(sample=s, key=rng.random(len(bids))) for s in range(SAMPLES)])
        drawn = drawn.loc[drawn.groupby(["tender_id", "sample"])["key"].rank(method="first") <= k]
        stepped = set_irregularity(drawn, ["tender_id", "sample"]) <= TOLERANCE
        out[k] = (float(stepped.sum()) + 0.5) / (len(stepped) + 1.0)
    return out


def rate_of(rates: dict[int, float], k: int) -> float:
    """The chance rate of a set of ``k`` bids (:func:`chance_rates`)."""
    return rates[min(k, MAX_SIZE)]


def poisson_tail(hits: int, expected: float) -> float:
    """``P(X ≥ hits)`` for ``X ~ Poisson(expected)``; 1 for no hits."""
    return 1.0 if hits <= 0 else float(stats.poisson.sf(hits - 1, max(expected, 1e-12)))


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
