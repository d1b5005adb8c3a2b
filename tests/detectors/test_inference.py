"""Statistical inference shared by the detectors: each formula against scipy or a hand-worked case."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from detectors import inference

# --------------------------------------------------------------------------- multiple testing


def test_bh_qvalues_are_monotone_and_do_not_count_nan_as_a_test() -> None:
    """p = [.01, .04, .03, NaN]: m = 3 tests (NaN is none). Sorted .01, .03, .04 →
    p·m/rank = .01·3/1 = .03, .03·3/2 = .045, .04·3/3 = .04; the running minimum from the
    top turns .045 into .04 (a larger p never gets a smaller q)."""
    q = inference.bh_qvalues([0.01, 0.04, 0.03, np.nan])
    assert q[:3] == pytest.approx([0.03, 0.04, 0.04])
    assert np.isnan(q[3])


def test_tarone_drops_tests_that_cannot_reach_significance() -> None:
    # one test could reach 1e-4, nine others never below 0.3: K = 1, only the first is tested
    p = np.array([0.002] + [0.5] * 9)
    pmin = np.array([1e-4] + [0.3] * 9)
    q = inference.tarone_bh_qvalues(p, pmin, alpha=0.25)
    assert q[0] == pytest.approx(0.002)  # BH over one test
    assert (q[1:] == 1.0).all()
    assert inference.bh_qvalues(p)[0] == pytest.approx(0.02)  # plain BH counts all ten
    # when every test can reach α/K, Tarone is plain BH
    assert inference.tarone_bh_qvalues(p, np.zeros(10), 0.25) == pytest.approx(inference.bh_qvalues(p))
    assert np.isnan(inference.tarone_bh_qvalues([np.nan], [0.1], 0.25)[0])


def test_tarone_with_several_tests_below_the_bound() -> None:
    """α = 0.05, pmin = p = [.001, .002, .01, .015, .03, .04]. #{pmin ≤ α/K}: K = 1 → 6 (> 1),
    K = 2 (.025) → 4 (> 2), K = 3 (.0167) → 4 (> 3), K = 4 (.0125) → 3 (≤ 4): K = 4. BH over
    the three with pmin ≤ .0125: .001·3/1 = .003, .002·3/2 = .003, .01·3/3 = .01; the rest q = 1."""
    p = np.array([0.001, 0.002, 0.01, 0.015, 0.03, 0.04])
    assert inference.tarone_bh_qvalues(p, p, alpha=0.05) == pytest.approx([0.003, 0.003, 0.01, 1.0, 1.0, 1.0])


def test_tarone_stops_at_the_first_k_whose_count_reaches_k() -> None:
    """α = 0.05, pmin = p = [.001, .02, .03, .04]: K = 1 → 4 (> 1); K = 2 (.025) → 2 ≤ 2, so
    K = 2 (a count equal to K is enough): BH over .001, .02 gives .001·2/1 = .002, .02·2/2 = .02.
    (Requiring a count below K would go on to K = 3 and test only the first.)"""
    p = np.array([0.001, 0.02, 0.03, 0.04])
    assert inference.tarone_bh_qvalues(p, p, alpha=0.05) == pytest.approx([0.002, 0.02, 1.0, 1.0])


def test_tarone_counts_and_keeps_a_pmin_equal_to_the_bound() -> None:
    """A pmin equal to α/K is ≤ α/K. α = 0.05 (α/2 = .025 exactly in binary too).
    pmin = [.001, .025, .03, .04]: K = 2 → #{≤ .025} = 2 ≤ 2; .025 is kept: BH over .001, .025
    → .002, .025. pmin = [.001, .02, .025, .04]: K = 2 → #{≤ .025} = 3 (> 2), K = 3 (.0167)
    → 1: only .001 is tested (q = .001·1/1); counting .025 as above .025 would stop at K = 2."""
    kept = np.array([0.001, 0.025, 0.03, 0.04])
    assert inference.tarone_bh_qvalues(kept, kept, alpha=0.05) == pytest.approx([0.002, 0.025, 1.0, 1.0])
    counted = np.array([0.001, 0.02, 0.025, 0.04])
    assert inference.tarone_bh_qvalues(counted, counted, alpha=0.05) == pytest.approx([0.001, 1.0, 1.0, 1.0])


def test_adafilter_counts_false_discoveries_among_pairs_that_could_pass() -> None:
    # pair 0: both channels at 0.001; pairs 1-3: one strong channel, the other null; 96 null pairs
    p = np.array([0.001, 0.5, 0.6, 0.7] + [0.9] * 96)
    selection = np.array([0.001, 1e-6, 1e-6, 1e-6] + [0.8] * 96)
    q = inference.adafilter_qvalues(p, selection)
    # at γ = 0.001: 4 pairs have selection ≤ γ, 1 has p ≤ γ → 0.001·4/1
    assert q[0] == pytest.approx(0.004)
    # plain BH over the 100 pairs would give 0.1
    assert inference.bh_qvalues(p)[0] == pytest.approx(0.1)
    # pair 1 (p = 0.5): min over γ ≥ 0.5 of γ·#sel/#p = 0.5·4/2, 0.6·4/3, 0.7·4/4, 0.9·100/100
    assert q[1] == pytest.approx(0.7)


# --------------------------------------------------------------------------- count tails


def test_count_tails_are_conditioned_on_the_selection_of_pairs() -> None:
    # expected 0.5, seen 3: being selected (≥ 3) is all there is, no evidence left
    assert inference.poisson_tail_after_selection([3], [0.5], 3)[0] == pytest.approx(1.0)
    # expected 2, seen 7: P(X ≥ 7) / P(X ≥ 3)
    got = inference.poisson_tail_after_selection([7], [2.0], 3)[0]
    assert got == pytest.approx(stats.poisson.sf(6, 2.0) / stats.poisson.sf(2, 2.0))
    assert got > stats.poisson.sf(6, 2.0)
    # below the floor the plain tail (such pairs are not scored)
    assert inference.poisson_tail_after_selection([1], [2.0], 3)[0] == pytest.approx(stats.poisson.sf(0, 2.0))


def test_count_tail_after_selection_is_the_negative_binomial_tail_given_the_floor() -> None:
    """NB(mean 2.375, size 0.5): P(X ≥ 12 | X ≥ 3) by scipy's own tails; size ∞ is the Poisson form."""
    k, mu = 0.5, 2.375
    nb = stats.nbinom(k, k / (k + mu))
    assert inference.count_tail_after_selection([12], [mu], 3, 0.5)[0] == pytest.approx(nb.sf(11) / nb.sf(2))
    assert inference.count_tail_after_selection([2], [mu], 3, 0.5)[0] == pytest.approx(nb.sf(1))  # below the floor
    both = inference.count_tail_after_selection([12, 12], [mu, mu], 3, [math.inf, 0.5])
    assert both[0] == pytest.approx(inference.poisson_tail_after_selection([12], [mu], 3)[0])
    assert both[1] == pytest.approx(nb.sf(11) / nb.sf(2))


def _counts_family(rng: np.random.Generator, size: float, officials: int = 30, firms: int = 12) -> pd.DataFrame:
    """Counts ≥ 1 of ``officials`` × ``firms`` pairs, means 1–6, NB with ``size`` (∞: Poisson)."""
    mu = rng.uniform(1.0, 6.0, officials * firms)
    n = rng.poisson(mu) if math.isinf(size) else rng.negative_binomial(size, size / (size + mu))
    frame = pd.DataFrame({"n": n, "mu": mu, "official": np.repeat([f"O{i}" for i in range(officials)], firms)})
    return frame[frame["n"] >= 1]


def test_overdispersion_is_read_from_the_other_officials_of_the_family() -> None:
    """Poisson counts keep the Poisson (∞); NB counts with size 2 give about 2; each official's
    size leaves its own counts out, so one official's outlying counts cannot explain themselves
    away; a family with fewer than five other officials is no bulk and stays Poisson."""
    rng = np.random.default_rng(7)
    poisson = _counts_family(rng, math.inf)
    assert np.isinf(inference.overdispersion_sizes(poisson["n"], poisson["mu"], "D1", poisson["official"])).all()
    spread = _counts_family(rng, 2.0)
    sizes = inference.overdispersion_sizes(spread["n"], spread["mu"], "D1", spread["official"])
    assert np.isfinite(sizes).all() and 1.2 < np.median(sizes) < 3.5
    assert np.isin(sizes, inference.OVERDISPERSION_SIZES).all()
    # one official whose every count is 8× its mean: the rest is Poisson, so its own size is ∞
    outlier = poisson.copy()
    outlier.loc[outlier["official"] == "O0", "n"] = (8 * outlier["mu"]).round()
    sizes = inference.overdispersion_sizes(outlier["n"], outlier["mu"], "D1", outlier["official"])
    assert np.isinf(sizes[(outlier["official"] == "O0").to_numpy()]).all()
    assert np.isfinite(sizes[(outlier["official"] != "O0").to_numpy()]).all()  # the others see it
    # families are read apart, and five other officials are the fewest a spread is read from
    few = spread[spread["official"].isin([f"O{i}" for i in range(5)])]
    assert np.isinf(inference.overdispersion_sizes(few["n"], few["mu"], "D1", few["official"])).all()
    six = spread[spread["official"].isin([f"O{i}" for i in range(6)])]
    assert np.isfinite(inference.overdispersion_sizes(six["n"], six["mu"], "D1", six["official"])).all()
    family = np.where(six["official"] == "O5", "D2", "D1")  # O5 alone in D2: a family of one
    sizes = inference.overdispersion_sizes(six["n"], six["mu"], family, six["official"])
    assert np.isinf(sizes).all()


def _rest_lr(family: pd.DataFrame, official: str) -> float:
    """The LR statistic of the family without ``official``'s counts, NB (on the module's grid) against
    the Poisson, both truncated at zero, from scipy's distributions."""
    rest = family[family["official"] != official]
    n, mu = rest["n"].to_numpy(), rest["mu"].to_numpy()
    poisson = (stats.poisson.logpmf(n, mu) - np.log(stats.poisson.sf(0, mu))).sum()
    best = max((stats.nbinom.logpmf(n, k, k / (k + mu)) - np.log(stats.nbinom.sf(0, k, k / (k + mu)))).sum()
               for k in inference.OVERDISPERSION_SIZES)
    return float(2 * (best - poisson))


def test_the_spread_is_kept_exactly_when_the_likelihood_ratio_test_rejects_the_poisson() -> None:
    """Families drawn with mild overdispersion straddle the test: a size is kept exactly where the
    other officials' LR statistic exceeds 2.706, including families between 1 and 2.706 (∞)
    and between 2.706 and 3.84 (finite)."""
    rng = np.random.default_rng(11)
    between = {"below": 0, "above": 0}
    for _ in range(60):
        family = _counts_family(rng, float(rng.choice([8.0, 15.0, 30.0])), officials=8, firms=10)
        sizes = inference.overdispersion_sizes(family["n"], family["mu"], "D1", family["official"])
        lr = _rest_lr(family, "O0")
        kept = np.isfinite(sizes[(family["official"] == "O0").to_numpy()])
        assert kept.all() if lr > inference.OVERDISPERSION_LR else not kept.any(), lr
        between["below"] += 1.0 < lr < inference.OVERDISPERSION_LR
        between["above"] += inference.OVERDISPERSION_LR < lr < 3.84
    assert between["below"] and between["above"]


# --------------------------------------------------------------------------- exact tests


def test_noncentral_hypergeometric_tail_matches_scipy() -> None:
    x, n1, n2, total = [0, 2, 3, 1], [18, 10, 5, 4], [13, 30, 5, 2], [7, 12, 6, 5]
    odds = [0.5, 1.0, 2.5, 0.8]
    cdf, lowest = inference.fnch_lower_tail(x, n1, n2, total, odds)
    for i in range(4):
        assert cdf[i] == pytest.approx(stats.nchypergeom_fisher.cdf(x[i], n1[i] + n2[i], n1[i], total[i], odds[i]))
        low = max(0, total[i] - n2[i])
        assert lowest[i] == pytest.approx(stats.nchypergeom_fisher.pmf(low, n1[i] + n2[i], n1[i], total[i], odds[i]))


def test_exact_stratified_mann_whitney_tail() -> None:
    # one kind: 4 approvals, all faster than the official's 10 others → 1 / C(14, 4)
    assert inference.mann_whitney_lower_tail([(4, 10)], 0.0) == pytest.approx(1 / math.comb(14, 4))
    x, y = [3.0, 7.0, 9.0, 12.0], [1.0, 2.0, 4.0, 5.0, 6.0, 8.0, 10.0, 11.0, 13.0, 14.0]
    exact = stats.mannwhitneyu(x, y, alternative="less", method="exact")
    assert inference.mann_whitney_lower_tail([(4, 10)], exact.statistic) == pytest.approx(exact.pvalue)
    # two kinds, each with the firm's approvals the fastest: the product of the two tails
    two = inference.mann_whitney_lower_tail([(2, 3), (3, 2)], 0.0)
    assert two == pytest.approx(1 / math.comb(5, 2) / math.comb(5, 3))
    # a tie rounded half up can only make p larger
    assert inference.mann_whitney_lower_tail([(4, 10)], 0.5) > inference.mann_whitney_lower_tail([(4, 10)], 0.0)


# --------------------------------------------------------------------------- shrinkage


def test_shrunk_rate_is_the_beta_binomial_posterior_mean() -> None:
    assert inference.shrunk_rate(3, 4, 0.5, 10.0) == pytest.approx(8 / 14)


def test_adafilter_never_gives_a_q_value_below_its_p_value() -> None:
    """p = [.01, .02] with selection statistics .5 (above every threshold): no selected pair is
    counted, but the estimate is floored at the tests themselves, γ · n_p / n_p = γ: q = [.01, .02],
    not 0."""
    assert inference.adafilter_qvalues([0.01, 0.02], [0.5, 0.5]) == pytest.approx([0.01, 0.02])


def test_a_family_more_spread_than_the_geometric_takes_size_one() -> None:
    """NB counts of size 0.3 (far wider than the geometric): every official gets the smallest size
    tried, 1 — a family may widen the tail that far and no further."""
    family = _counts_family(np.random.default_rng(3), 0.3)
    sizes = inference.overdispersion_sizes(family["n"], family["mu"], "D1", family["official"])
    assert (sizes == 1.0).all()


def test_a_count_of_zero_is_no_part_of_the_family() -> None:
    """The family holds pairs that met (n ≥ 1): zero counts added beside it get ∞ and leave the
    other counts' sizes as they were."""
    family = _counts_family(np.random.default_rng(7), 2.0)
    zeros = pd.DataFrame({"n": 0, "mu": 3.0, "official": [f"O{i}" for i in range(30)]})
    both = pd.concat([family, zeros], ignore_index=True)
    sizes = inference.overdispersion_sizes(both["n"], both["mu"], "D1", both["official"])
    alone = inference.overdispersion_sizes(family["n"], family["mu"], "D1", family["official"])
    assert sizes[: len(family)] == pytest.approx(alone) and np.isinf(sizes[len(family):]).all()
