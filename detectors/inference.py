"""Statistical inference shared by the detectors: pure functions, arrays in, arrays out.

Multiple testing
    :func:`bh_qvalues` (Benjamini & Hochberg 1995), :func:`tarone_bh_qvalues` (BH over the
    discrete tests that can reach significance; Tarone 1990, Gilbert 2005) and
    :func:`adafilter_qvalues` (partial-conjunction hypotheses; Wang, Gui, Su, Sabatti & Owen
    2022).
Count tails after selection
    :func:`poisson_tail_after_selection` and :func:`count_tail_after_selection` (negative
    binomial) give ``P(X ≥ x | X ≥ floor)`` for counts scored only from a floor up (Fithian,
    Sun & Taylor 2014); :func:`overdispersion_sizes` reads the negative binomial's size from
    the rest of a family of counts (Cameron & Trivedi 2013; Self & Liang 1987).
Exact small-sample tests
    :func:`fnch_lower_tail` (Fisher's noncentral hypergeometric: the conditional test of a
    2×2 table with a null odds ratio; Breslow & Day 1980) and
    :func:`mann_whitney_lower_tail` (the stratified Mann–Whitney sum, van Elteren 1960).
Shrinkage
    :func:`shrunk_rate` (beta-binomial posterior mean; Efron & Morris 1975).

Used by :mod:`detectors.closeness`; each function's docstring states its formula.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

__all__ = ["bh_qvalues", "tarone_bh_qvalues", "adafilter_qvalues", "poisson_tail_after_selection",
           "count_tail_after_selection", "overdispersion_sizes", "OVERDISPERSION_LR", "OVERDISPERSION_SIZES",
           "OVERDISPERSION_PEERS", "fnch_lower_tail", "mann_whitney_lower_tail", "shrunk_rate"]


# --------------------------------------------------------------------------- multiple testing

def bh_qvalues(p: Any) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (NaN stays NaN and does not count as a test)."""
    p = np.asarray(p, float)
    q = np.full(p.shape, np.nan)
    idx = np.flatnonzero(~np.isnan(p))
    if idx.size:
        order = idx[np.argsort(p[idx], kind="stable")]
        ranked = p[order] * idx.size / np.arange(1, idx.size + 1)
        q[order] = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    return q


def tarone_bh_qvalues(p: Any, pmin: Any, alpha: float) -> np.ndarray:
    """Benjamini–Hochberg q-values over the tests that can reach significance (Tarone's filter).

    A discrete test with few events cannot give a small p-value at all (an official who
    inspected a firm 4 times, which others failed twice, reaches at best p ≈ 0.2), yet plain
    BH counts it among the tests. Tarone (1990) drops them: ``K`` is the smallest integer
    with ``#{i : pmin_i ≤ α/K} ≤ K``; BH is applied to those ``#{pmin_i ≤ α/K}`` tests, and
    every other test gets q = 1. Gilbert (2005) shows this controls the FDR at α. NaN p
    stays NaN (not a test).
    """
    p = np.asarray(p, float)
    pmin = np.asarray(pmin, float)
    q = np.where(np.isnan(p), np.nan, 1.0)
    valid = ~np.isnan(p) & ~np.isnan(pmin)
    if not valid.any():
        return q
    attainable = np.sort(pmin[valid])
    k = np.arange(1, attainable.size + 1)
    counts = np.searchsorted(attainable, alpha / k, side="right")
    kstar = int(k[np.argmax(counts <= k)]) if (counts <= k).any() else attainable.size
    keep = valid & (pmin <= alpha / kstar)
    if keep.any():
        q[keep] = bh_qvalues(p[keep])
    return q



def adafilter_qvalues(p: Any, selection: Any) -> np.ndarray:
    """AdaFilter-BH q-values for partial-conjunction p-values (Wang, Gui, Su, Sabatti & Owen 2022).

    Plain BH over every pair counts thousands of pairs whose *best* channel is unremarkable;
    they could never show two deviations. AdaFilter estimates the false discoveries at a
    threshold γ with only the pairs whose selection statistic (``(n − 1)·p_(1)``) is ≤ γ:
    ``FDR(γ) = γ · #{selection ≤ γ} / #{p ≤ γ}``, and ``q_i = min_{γ ≥ p_i} FDR(γ)``. It
    controls the FDR of the partial-conjunction hypotheses (Annals of Statistics 50(4)).
    """
    p = np.asarray(p, float)
    selection = np.asarray(selection, float)
    q = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    if not valid.size:
        return q
    order = valid[np.argsort(p[valid], kind="stable")]
    gammas = p[order]
    sel = np.sort(selection[~np.isnan(selection)])
    n_sel = np.searchsorted(sel, gammas, side="right")
    n_p = np.searchsorted(gammas, gammas, side="right")
    fdr = gammas * np.maximum(n_sel, n_p) / np.maximum(n_p, 1)
    q[order] = np.minimum(np.minimum.accumulate(fdr[::-1])[::-1], 1.0)
    return q


# --------------------------------------------------------------------------- count tails


def poisson_tail_after_selection(observed: Any, expected: Any, floor: int) -> np.ndarray:
    """``P(X ≥ x | X ≥ floor)`` for X ~ Poisson(expected): the upper tail valid after selection.

    Only pairs with at least ``floor`` interactions (wins) are scored; BH over those pairs
    with the plain tail ``P(X ≥ x)`` would count tests chosen because they came out high (a
    pair expected to meet 0.5 times that met 3 times has p ≤ P(X ≥ 3) = 0.014 by the mere
    fact of being selected). Conditioning on the selection event makes the p-values of the
    selected pairs uniform under the null again (selective inference; Fithian, Sun & Taylor
    2014). Below ``floor`` the plain tail (such pairs are not scored).
    """
    x = np.asarray(observed, float)
    mu = np.asarray(expected, float)
    return _given_selection(x, stats.poisson.sf(x - 1, mu), stats.poisson.sf(floor - 1, mu), floor)


def _given_selection(x: np.ndarray, tail: np.ndarray, selected: np.ndarray, floor: int) -> np.ndarray:
    """``tail / selected`` (at most 1) where ``x ≥ floor``, the plain ``tail`` below it."""
    with np.errstate(divide="ignore", invalid="ignore"):
        conditional = np.minimum(tail / selected, 1.0)
    return np.where(x >= floor, conditional, tail)


#: critical value of the likelihood-ratio test of a negative binomial against the Poisson at the
#: 5 % level: the size lies on the boundary (k = ∞) under the null, so the statistic is
#: ½χ²₀ + ½χ²₁ and the critical value is χ²₁'s upper 10 % point (Self & Liang 1987)
OVERDISPERSION_LR = 2.706


#: sizes ``k`` tried for the negative binomial (ratio 10^0.1 ≈ 1.26 between neighbours). The
#: smallest is 1 (the geometric, variance μ + μ²): a family may widen the tail that far and no
#: further, or a lift of 10 would stop being remarkable and the channel would fall silent
OVERDISPERSION_SIZES = np.logspace(0, 4, 41)
#: fewest other officials a family's spread is read from: fewer are no bulk to compare with
OVERDISPERSION_PEERS = 5


def _truncated_loglik(n: np.ndarray, mu: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Log-likelihood of each count ``n ≥ 1`` under NB(mean ``mu``, size k) truncated at zero.

    One row per count, one column per size in ``sizes``, and a last column for the Poisson (k = ∞).
    """
    n, mu = n[:, None], mu[:, None]
    k = sizes[None, :]
    log_p0 = -k * np.log1p(mu / k)  # log P(X = 0)
    nb = (special.gammaln(n + k) - special.gammaln(k) - special.gammaln(n + 1) + log_p0
          + n * (np.log(mu) - np.log(k + mu)) - np.log(-np.expm1(log_p0)))
    poisson = n * np.log(mu) - mu - special.gammaln(n + 1) - np.log(-np.expm1(-mu))
    return np.hstack([nb, poisson])


def overdispersion_sizes(observed: Any, expected: Any, family: Any, unit: Any) -> np.ndarray:
    """Per count, the negative-binomial size ``k`` of the rest of its family; ∞ where Poisson fits.

    The frequency expectations model who deals with whom from the officials' workloads and the
    firms' sizes; structure they leave out — a territory the records do not name, a case
    officer nobody recorded, a firm that needs one official's kind of work — makes a whole
    department's counts vary more than the Poisson allows, and every such pair would read as
    "close". Each count ``n_i ≥ 1`` (a pool holds only pairs that met) is taken as
    ``NB(μ_i, k)`` truncated at zero, variance ``μ(1 + μ/k)`` (NB2; Cameron & Trivedi 2013,
    *Regression Analysis of Count Data*, §3.3 and §4.5). For a count of ``unit`` ``u`` (the
    official), ``k`` is the maximum-likelihood size (over :data:`OVERDISPERSION_SIZES`) of the
    family's counts of every *other* unit — left out as the expectations leave the official
    out, so a pair cannot explain itself away, nor through the deficit its excess leaves on
    the official's other firms (an official's expectations sum to its workload) — and is kept
    when the likelihood-ratio statistic of those counts against the Poisson exceeds
    :data:`OVERDISPERSION_LR` (the 5 % test had the expectations been known; they are
    estimates, so it passes more often, which costs power, never validity) and at least
    :data:`OVERDISPERSION_PEERS` other units are there to read it from; otherwise ∞. Like an
    empirical null (Efron 2004), the family's bulk sets how far a count must stray to be
    remarkable — which is also its price: several officials of one department each favouring
    one firm widen each other's tail (the honest structure it absorbs looks the same), so
    their frequency excesses weigh less; their leniency, speed, outcomes and ties do not.
    NaN family: ∞.
    """
    n = np.asarray(observed, float)
    mu = np.asarray(expected, float)
    groups = pd.Series(np.broadcast_to(np.asarray(family, dtype=object), n.shape))
    units = pd.Series(np.broadcast_to(np.asarray(unit, dtype=object), n.shape))
    out = np.full(n.shape, np.inf)
    usable = (n >= 1) & (mu > 0) & np.isfinite(mu) & groups.notna().to_numpy()
    for _, rows in groups[usable].groupby(groups[usable], sort=True).groups.items():
        idx = np.asarray(rows)
        loglik = pd.DataFrame(_truncated_loglik(n[idx], mu[idx], OVERDISPERSION_SIZES))
        own = loglik.groupby(units.iloc[idx].to_numpy()).transform("sum").to_numpy()
        rest = loglik.sum(axis=0).to_numpy()[None, :] - own  # each row: the family without its unit
        best = rest[:, :-1].argmax(axis=1)
        gain = 2 * (rest[np.arange(idx.size), best] - rest[:, -1])
        peers = units.iloc[idx].nunique() - 1
        out[idx] = np.where((gain > OVERDISPERSION_LR) & (peers >= OVERDISPERSION_PEERS),
                            OVERDISPERSION_SIZES[best], np.inf)
    return out


def count_tail_after_selection(observed: Any, expected: Any, floor: int, size: Any = math.inf) -> np.ndarray:
    """``P(X ≥ x | X ≥ floor)`` for X ~ NB(mean ``expected``, ``size``); Poisson where ``size`` is ∞.

    The negative-binomial form of :func:`poisson_tail_after_selection` (same selection
    argument), for families whose counts are overdispersed (:func:`overdispersion_sizes`).
    """
    x = np.asarray(observed, float)
    mu = np.asarray(expected, float)
    k = np.broadcast_to(np.asarray(size, float), x.shape)
    out = poisson_tail_after_selection(x, mu, floor)
    nb = np.isfinite(k)
    if nb.any():
        kk, prob = k[nb], k[nb] / (k[nb] + mu[nb])
        out[nb] = _given_selection(x[nb], stats.nbinom.sf(x[nb] - 1, kk, prob), stats.nbinom.sf(floor - 1, kk, prob),
                                   floor)
    return out


# --------------------------------------------------------------------------- exact tests


def fnch_lower_tail(x: Any, n1: Any, n2: Any, total: Any, odds: Any) -> tuple[np.ndarray, np.ndarray]:
    """``P(X ≤ x)`` and ``P(X = lowest)`` for Fisher's noncentral hypergeometric, vectorised.

    X counts the type-1 items among ``total`` drawn from ``n1`` type-1 and ``n2`` type-2
    items with odds ratio ``odds``: ``P(X = k) ∝ C(n1, k) · C(n2, total − k) · odds^k`` on
    ``max(0, total − n2) ≤ k ≤ min(n1, total)`` (same as ``scipy.stats.nchypergeom_fisher``).
    The support of every test is laid out in one flat array (its length is the sum of the
    supports, a few per pair), so the cost does not grow with one scipy call per pair.
    """
    x, n1, n2, total, odds = (np.asarray(a, float) for a in (x, n1, n2, total, odds))
    lo = np.maximum(0.0, total - n2)
    hi = np.minimum(n1, total)
    size = (hi - lo + 1).astype(np.int64)
    owner = np.repeat(np.arange(x.size), size)
    k = lo[owner] + (np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size))
    a, b, t = n1[owner], n2[owner], total[owner]
    log_w = (special.gammaln(a + 1) - special.gammaln(k + 1) - special.gammaln(a - k + 1)
             + special.gammaln(b + 1) - special.gammaln(t - k + 1) - special.gammaln(b - t + k + 1)
             + k * np.log(np.maximum(odds[owner], 1e-300)))
    log_w -= np.repeat(np.maximum.reduceat(log_w, np.cumsum(size) - size), size) if log_w.size else 0.0
    w = np.exp(log_w)
    norm = np.bincount(owner, weights=w, minlength=x.size)
    below = np.bincount(owner, weights=np.where(k <= x[owner], w, 0.0), minlength=x.size)
    first = np.cumsum(size) - size
    lowest = np.zeros(x.size)
    lowest[size > 0] = w[first[size > 0]]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.minimum(below / norm, 1.0), lowest / norm


@functools.lru_cache(maxsize=4096)
def _mann_whitney_pmf(n: int, m: int) -> np.ndarray:
    """Null distribution of U (no ties) for samples of n and m: the Gaussian binomial [n+m, n]_q.

    ``[n+m, n]_q = Π_{i=1..n} (1 − q^{m+i}) / (1 − q^i)``; its coefficient of q^u counts the
    orderings with U = u (Mann & Whitney 1947). Built factor by factor, so every partial
    product is itself a polynomial; normalised to probabilities.
    """
    coef = np.zeros(n * m + 1)
    coef[0] = 1.0
    for i in range(1, n + 1):
        shift = m + i
        if shift <= n * m:
            coef[shift:] = coef[shift:] - coef[:-shift].copy()
        for r in range(i):  # divide by (1 − q^i): running sums along each residue class
            coef[r::i] = np.cumsum(coef[r::i])
    return coef / coef.sum()


def mann_whitney_lower_tail(strata: Sequence[tuple[int, int]], u: float) -> float:
    """Exact ``P(ΣU ≤ u)`` of the stratified Mann–Whitney statistic (van Elteren's sum of U), no ties.

    ``strata`` are the (firm's approvals, official's other approvals) of each kind; the
    strata's null distributions are convolved. With ties (mid-ranks) ``u`` is rounded half
    up, which can only make the p-value larger.
    """
    pmf = np.ones(1)
    for n, m in strata:
        pmf = np.convolve(pmf, _mann_whitney_pmf(int(n), int(m)))
    cdf = np.cumsum(pmf)
    index = int(math.floor(u + 0.5))
    return float(min(1.0, cdf[min(max(index, 0), len(cdf) - 1)])) if index >= 0 else 0.0


# --------------------------------------------------------------------------- shrinkage


def shrunk_rate(successes: Any, trials: Any, prior_rate: Any, strength: float) -> Any:
    """Beta-binomial posterior mean ``(x + m·p₀) / (n + m)`` (Efron–Morris shrinkage)."""
    return (np.asarray(successes, float) + strength * np.asarray(prior_rate, float)) / (
        np.asarray(trials, float) + strength)
