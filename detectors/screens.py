"""Per-tender price screens for bid rigging, and their per-category market baselines.

Screens are simple statistics of the bids submitted in one tender that behave differently
under collusion than under competition (Imhof 2018; Huber & Imhof 2019; Imhof, Karagök &
Rutz 2018). When firms agree in advance who wins, the losers submit *cover bids*: prices
placed just above the designated winner that are not meant to win. Cover bids are
typically clustered (low dispersion) and the gap between the winner and the first loser is
large compared with the gap among the losers. Competitive bids, by contrast, scatter
independently around each firm's cost. Formulas, for the bids ``b_1 <= b_2 <= ... <= b_n``
of one tender (valid bids only: positive amount, not disqualified; a consortium's bid, one
row per partner firm with the same ``bid_id``, is one bid):

* coefficient of variation ``CV = s / mean(b)``, ``s`` the sample standard deviation
  (ddof = 1) — low under collusion;
* spread ``(b_n - b_1) / b_1`` — low under collusion;
* percentage difference ``D = (b_2 - b_1) / b_1`` — the winner's margin to the first
  loser;
* relative distance ``RD = (b_2 - b_1) / s_losing``, ``s_losing`` the sample standard
  deviation (ddof = 1) of the losing bids ``b_2..b_n`` (needs n >= 3) — high under
  collusion (Imhof, Karagök & Rutz 2018);
* skewness and excess kurtosis, bias-corrected as in :func:`scipy.stats.skew` and
  :func:`scipy.stats.kurtosis` with ``bias=False`` (defined for n >= 3 and n >= 4).

and, where the tender has a budget (its published ceiling, reserve or estimated price),
:func:`with_budget_ratio` adds

* price to budget ``b_1 / budget`` — high under collusion: a cartel's point is a higher
  price, so its winning bid sits nearer the budget than competition leaves it (OECD 2009
  lists bids well above cost estimates among the signs of bid rigging; the winning bid's
  share of the reserve price, 落札率, is a standard reading of Japanese public-works
  auctions, e.g. Ishii 2009).

The winner and loser are taken by price (the lowest bid is ``b_1``), as in the
references, so the screens do not depend on award data. They assume a market that awards
the lowest price: a cover bid is a bid placed above the designated winner so as to lose.
Where a category's tenders are awarded otherwise — to the bid nearest a benchmark computed
from the bids (average-bid auctions: Italy's *offerta media*, the PRC's 基准价法 / 合理低价法)
or by a score of price and quality — the winner is often not the lowest, honest bids cluster
around the expected benchmark, and a cartel moves the benchmark with bids spread above and
below it (Conley & Decarolis 2016). There the screens measure the rule, not collusion.
:func:`award_rules` reads each category's rule from its awards: a category whose lowest valid
bid won less than :data:`LOWEST_WINS_MIN` of the way from what a draw among each tender's bidders
gives it to always is not a lowest-price market, and :func:`suspicion` does not rank its tenders'
screens (a market without award data is read as lowest-price). Where the record declares a
tender's award criteria, a category's tenders of different criteria are read apart
(:func:`award_groups`). On an unseen market with five benchmark-price categories (the lowest bid
won 30–47 % of their tenders, 0.21–0.40 of the way beyond a draw; 75–100 % and 0.68–1.00 in every
demo category, 95 % and 0.92 in Tsuchiura, 100 % in Ohio) the screens ranked the rigged benchmark tenders *below* the honest ones (tender ROC-AUC
0.34 / 0.30 on two seeds, screens only).

A screen is only evidence *relative to its market*: construction tenders and milk
contracts have very different natural dispersion. :func:`category_baselines` gives the
median and a robust spread (1.4826 × MAD) and the quartiles of each screen across a
category's tenders; :func:`category_percentiles` ranks every tender's screens within its
category, among the tenders with as many valid bids (:func:`bid_band`: with two bids CV and
spread are one gap, with seven they average out, so two-bid tenders would otherwise fill the
most suspicious ranks), or among the whole category where too few have as many bids. Both
fall back to the whole market for categories with too few tenders.

References
----------
Imhof, D. (2018). Empirical methods for detecting bid-rigging cartels. PhD thesis,
University of Fribourg.
Imhof, D., Karagök, Y., & Rutz, S. (2018). Screening for bid rigging — does it work?
Journal of Competition Law & Economics, 14(2), 235–261. doi:10.1093/joclec/nhy006
Huber, M., & Imhof, D. (2019). Machine learning with screens for detecting bid-rigging
cartels. International Journal of Industrial Organization, 65, 277–301.
doi:10.1016/j.ijindorg.2019.04.002
OECD (2009, rev. 2025). Guidelines for Fighting Bid Rigging in Public Procurement.
Ishii, R. (2009). Favor exchange in collusion: empirical study of repeated procurement
auctions in Japan. International Journal of Industrial Organization, 27(2), 137–144.
Conley, T. G., & Decarolis, F. (2016). Detecting bidders groups in collusive auctions.
American Economic Journal: Microeconomics, 8(2), 1–38. doi:10.1257/mic.20130254
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from detectors.memo import memo

__all__ = [
    "SCREENS",
    "NO_CATEGORY",
    "SUSPICIOUS_DIRECTION",
    "valid_bids",
    "tender_screens",
    "with_budget_ratio",
    "category_baselines",
    "category_percentiles",
    "uncategorised_market",
    "RISK_SCREENS",
    "suspicion",
    "bid_band",
    "LOWEST_WINS_MIN",
    "award_groups",
    "award_rules",
    "market_award_rules",
    "decided_shares",
    "NOT_LOWEST_PRICE_CAUSES",
    "beyond_draw_told",
    "joint_awards",
    "not_lowest_price",
]

#: the category of a tender that has none (e.g. a plain bid table loaded without --category)
NO_CATEGORY = "(none)"


def uncategorised_market(categories: Iterable[str]) -> bool:
    """Whether no tender of the market has a category: the categories of a baseline table
    (:func:`category_baselines`' index, "*" the market's row) are at most :data:`NO_CATEGORY`, so
    the tenders without a category are the market itself."""
    return set(categories) <= {"*", NO_CATEGORY}

#: screen columns produced by :func:`tender_screens`
SCREENS: tuple[str, ...] = ("cv", "spread", "diff_pct", "rd", "skew", "kurtosis")

#: which direction is suspicious (−1: low values, +1: high values) for the screens used
#: in risk scores; skewness and kurtosis are reported but have no agreed direction.
SUSPICIOUS_DIRECTION: dict[str, int] = {"cv": -1, "spread": -1, "rd": +1, "budget_ratio": +1}

#: the screens whose suspicion percentiles make a tender's price risk (:func:`suspicion`)
RISK_SCREENS: tuple[str, ...] = ("cv", "spread", "rd", "budget_ratio")

_COLUMNS = ["tender_id", "n_bids", "mean", "sd", "b1", "b2", "cv", "spread", "diff_pct", "rd",
            "skew", "kurtosis", "currency"]


def valid_bids(bids: pd.DataFrame, also: tuple[str, ...] = ()) -> pd.DataFrame:
    """Bids usable for price screens: a positive amount and not disqualified, one row per bid
    (columns ``tender_id, firm_id, amount`` and those named in ``also``).

    A consortium's bid comes as one row per partner firm with the same ``bid_id``
    (:mod:`graph.readers`); it is one price, kept once (``firm_id`` is then its first
    partner's). Rows without a ``bid_id`` are kept as they are.
    """
    return _priced(bids)[["tender_id", "firm_id", "amount", *also]]


def _priced(bids: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``bids`` that are valid prices (:func:`valid_bids`), every column kept; a bid naming no
    tender is no price in any (the graph has none, a frame built by hand may)."""
    keep = bids["amount"].notna() & (bids["amount"] > 0) & bids["tender_id"].notna()
    if "disqualified" in bids.columns:
        keep &= ~bids["disqualified"].fillna(False).astype(bool)
    frame = bids.loc[keep]
    if "bid_id" in frame.columns:
        partner = frame["bid_id"].notna() & frame.duplicated(["tender_id", "bid_id"])
        frame = frame.loc[~partner]
    return _in_one_currency(frame)


def _in_one_currency(frame: pd.DataFrame) -> pd.DataFrame:
    """The bids of each tender in its main currency (the one most of its bids name; the first in
    alphabetical order on a tie), and those naming none: prices in two currencies are no spread."""
    if "currency" not in frame.columns or frame["currency"].nunique(dropna=True) <= 1:
        return frame
    named = frame.loc[frame["currency"].notna(), ["tender_id", "currency"]]
    counts = named.groupby(["tender_id", "currency"], sort=False).size().rename("n").reset_index()
    counts = counts.sort_values(["tender_id", "n", "currency"], ascending=[True, False, True], kind="mergesort")
    main = counts.drop_duplicates("tender_id").set_index("tender_id")["currency"]
    return frame.loc[frame["currency"].isna() | (frame["currency"] == frame["tender_id"].map(main))]


def tender_screens(bids: pd.DataFrame, min_bids: int = 2) -> pd.DataFrame:
    """Price screens of every tender with at least ``min_bids`` valid bids.

    Parameters
    ----------
    bids : DataFrame
        At least ``tender_id`` and ``amount`` (``disqualified`` honoured when present, and
        ``bid_id``: the rows of one consortium bid are one bid, :func:`valid_bids`).
    min_bids : int, default 2
        Tenders with fewer valid bids are left out (CV needs 2 bids, RD and skewness 3,
        kurtosis 4; undefined screens are NaN).

    Returns
    -------
    DataFrame
        One row per tender: ``tender_id, n_bids, mean, sd, b1, b2, cv, spread, diff_pct,
        rd, skew, kurtosis``. ``rd`` is ``inf`` when the losing bids are identical but
        the winner is below them (the extreme of a cover-bid pattern).

    Examples
    --------
    >>> import pandas as pd
    >>> bids = pd.DataFrame({"tender_id": ["T1"] * 3, "amount": [100.0, 110.0, 120.0]})
    >>> row = tender_screens(bids).iloc[0]
    >>> float(round(row.cv, 4)), float(round(row.spread, 2)), float(round(row.rd, 4))
    (0.0909, 0.2, 1.4142)
    """
    frame = _priced(bids)
    frame = frame.assign(currency=frame["currency"] if "currency" in frame.columns else None)[
        ["tender_id", "amount", "currency"]]
    frame = frame.sort_values(["tender_id", "amount"], kind="mergesort")
    counts = frame.groupby("tender_id", sort=False)["amount"].transform("size")
    frame = frame.loc[counts >= min_bids].reset_index(drop=True)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("tender_id", "currency") else float)
                             for c in _COLUMNS})

    amount = frame["amount"].to_numpy(dtype=float)
    group = frame.groupby("tender_id", sort=False)
    mean = group["amount"].transform("mean").to_numpy(dtype=float)
    rank = group.cumcount().to_numpy()
    dev = amount - mean
    moments = pd.DataFrame({"tender_id": frame["tender_id"], "d2": dev**2, "d3": dev**3,
                            "d4": dev**4, "b": amount, "rank": rank})
    per = moments.groupby("tender_id", sort=False).agg(
        n_bids=("b", "size"), mean=("b", "mean"), b1=("b", "min"), bmax=("b", "max"),
        d2=("d2", "sum"), d3=("d3", "sum"), d4=("d4", "sum"))
    per["b2"] = moments.loc[moments["rank"] == 1].set_index("tender_id")["b"].reindex(per.index)
    losing = moments.loc[moments["rank"] >= 1].groupby("tender_id", sort=False)["b"].std(ddof=1)
    per["sd_losing"] = losing.reindex(per.index)

    k = per["n_bids"].to_numpy(dtype=float)
    d2 = per["d2"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(d2 / (k - 1))
        per["sd"] = sd
        per["cv"] = sd / per["mean"]
        per["spread"] = (per["bmax"] - per["b1"]) / per["b1"]
        gap = (per["b2"] - per["b1"]).to_numpy()
        per["diff_pct"] = gap / per["b1"].to_numpy()
        sdl = per["sd_losing"].to_numpy()
        rd = np.where(sdl > 0, gap / sdl, np.where(gap > 0, np.inf, np.nan))
        per["rd"] = np.where(k >= 3, rd, np.nan)
        # biased central moments, then the standard small-sample corrections
        m2 = d2 / k
        m3 = per["d3"].to_numpy() / k
        m4 = per["d4"].to_numpy() / k
        flat = m2 <= 1e-24 * np.maximum(per["mean"].to_numpy() ** 2, 1e-300)
        g1 = m3 / m2**1.5
        skew = g1 * np.sqrt(k * (k - 1)) / (k - 2)
        per["skew"] = np.where((k >= 3) & ~flat, skew, np.nan)
        g2 = m4 / m2**2 - 3.0
        kurt = ((k + 1) * g2 + 6.0) * (k - 1) / ((k - 2) * (k - 3))
        per["kurtosis"] = np.where((k >= 4) & ~flat, kurt, np.nan)
    per["n_bids"] = per["n_bids"].astype(int)
    per["currency"] = frame.groupby("tender_id", sort=False)["currency"].first().reindex(per.index)
    return per.reset_index()[_COLUMNS]


def with_budget_ratio(screens: pd.DataFrame, tenders: pd.DataFrame) -> pd.DataFrame:
    """``screens`` (of :func:`tender_screens`) with ``budget_ratio = b_1 / budget``: the lowest
    valid bid as a share of the tender's budget; NaN where the tender has no positive budget, or
    its budget is in another currency than its bids (both named, and not the same).

    Examples
    --------
    >>> import pandas as pd
    >>> screens = pd.DataFrame({"tender_id": ["T1", "T2"], "b1": [95.0, 80.0]})
    >>> tenders = pd.DataFrame({"tender_id": ["T1", "T2"], "budget": [100.0, None]})
    >>> with_budget_ratio(screens, tenders)["budget_ratio"].tolist()
    [0.95, nan]
    """
    tenders = tenders.drop_duplicates("tender_id").set_index("tender_id")
    budget = pd.to_numeric(tenders["budget"], errors="coerce").where(lambda b: b > 0)
    ratio = screens["b1"] / screens["tender_id"].map(budget).astype(float)
    if "currency" in screens.columns and "currency" in tenders.columns:
        budgeted_in = screens["tender_id"].map(tenders["currency"])
        other = budgeted_in.notna() & screens["currency"].notna() & (budgeted_in != screens["currency"])
        ratio = ratio.where(~other)
    return screens.assign(budget_ratio=ratio)


def category_baselines(screens: pd.DataFrame, tenders: pd.DataFrame, min_tenders: int = 20,
                       columns: tuple[str, ...] = ("cv", "spread", "diff_pct", "rd")) -> pd.DataFrame:
    """Market baseline of each screen per category: median, robust scale, quartiles.

    The robust scale is ``1.4826 × median(|x − median(x)|)`` (consistent with the standard
    deviation under normality). An infinite RD (the losing bids all equal) is ranked as the most
    suspicious by :func:`suspicion`, but has no place in a baseline: it is left out of the median,
    the quartiles, the scale and the count of screened tenders here.
    Categories with fewer than ``min_tenders`` screened tenders get the whole market's
    baseline (row ``category = "*"``, always present) and ``fallback = True``.

    Returns
    -------
    DataFrame
        Index ``(category, screen)``; columns ``median, scale, q25, q75, n, fallback``.
    """
    frame = _with_category(screens, tenders)
    rows = []
    for screen in columns:
        values = frame[["category", screen]].replace([np.inf, -np.inf], np.nan).dropna()
        all_vals = values[screen]
        cats = [("*", all_vals)] + [(c, g[screen]) for c, g in values.groupby("category", sort=True)]
        for category, vals in cats:
            med = float(vals.median()) if len(vals) else np.nan
            mad = float((vals - med).abs().median()) if len(vals) else np.nan
            rows.append({"category": category, "screen": screen, "median": med, "scale": 1.4826 * mad,
                         "q25": float(vals.quantile(0.25)) if len(vals) else np.nan,
                         "q75": float(vals.quantile(0.75)) if len(vals) else np.nan,
                         "n": len(vals), "fallback": False})
    out = pd.DataFrame(rows)
    small = (out["category"] != "*") & (out["n"] < min_tenders)
    if small.any():
        market = out.loc[out["category"] == "*"].set_index("screen")
        for column in ("median", "scale", "q25", "q75"):
            out.loc[small, column] = out.loc[small, "screen"].map(market[column]).to_numpy()
        out.loc[small, "fallback"] = True
    return out.set_index(["category", "screen"]).sort_index()


def band_medians(screens: pd.DataFrame, tenders: pd.DataFrame,
                 columns: tuple[str, ...] = ("cv", "spread", "diff_pct", "rd")) -> dict[tuple[str, int, str], float]:
    """Median of each screen among a category's tenders of one bid-count band (:func:`bid_band`):
    ``(category, band, screen) → median``, the medians beside a percentile that
    :func:`category_percentiles` ranked within its band. An infinite RD is left out, as in
    :func:`category_baselines`; a group without a finite value has no entry."""
    frame = _with_category(screens, tenders).assign(band=lambda f: bid_band(f["n_bids"]))
    out: dict[tuple[str, int, str], float] = {}
    for screen in columns:
        finite = frame.loc[np.isfinite(frame[screen].astype(float)), ["category", "band", screen]]
        for (category, band), median in finite.groupby(["category", "band"])[screen].median().items():
            out[(str(category), int(band), screen)] = float(median)
    return out


def _categories(tenders: pd.DataFrame) -> pd.Series:
    """tender_id → its category, :data:`NO_CATEGORY` for a tender without one."""
    return tenders.drop_duplicates("tender_id").set_index("tender_id")["category"].fillna(NO_CATEGORY).astype(str)


def _with_category(screens: pd.DataFrame, tenders: pd.DataFrame) -> pd.DataFrame:
    out = screens.copy()
    out["category"] = out["tender_id"].map(_categories(tenders)).fillna(NO_CATEGORY).astype(str)
    return out


def category_percentiles(screens: pd.DataFrame, tenders: pd.DataFrame, min_tenders: int = 20,
                         columns: tuple[str, ...] = ("cv", "spread", "rd"),
                         reference: set[str] | None = None) -> pd.DataFrame:
    """Within-category *suspicion* percentile of each screen, in [0, 1].

    For a screen where low values are suspicious (CV, spread) tenders are ranked from the
    highest value up (so the lowest CV in its category gets ≈ 1); for RD (high
    suspicious) from the lowest up. The percentile is the mid-rank ``(rank − ½) / n``
    (ties get the average rank), which averages 0.5 in any market. Categories with fewer
    than ``min_tenders`` tenders with a defined screen are ranked against the whole market.
    Undefined screens stay NaN.

    ``reference``: tender ids the ranking is made against (default: every tender). A tender
    is then placed among the reference tenders of its category — ``(below + ½ · equal) / n``
    of them, the same mid-rank when the reference is everything — and ``min_tenders``
    counts reference tenders (with fewer than that in the whole market, every tender is the
    reference). Tender risk leaves suspected rings' tenders out, so that a cartel holding
    much of its category does not set its own baseline.

    Each screen is ranked among the tenders of the category with as many valid bids
    (:func:`bid_band`; ``n_bids`` in ``screens``) where the category has ``min_tenders`` of them,
    else among all of the category's.

    Returns
    -------
    DataFrame
        ``tender_id, category``, one ``p_<screen>`` column per screen, and ``band``: the bid-count
        band every defined screen of the tender was ranked in, 0 where one was ranked among the
        whole category (or ``screens`` has no ``n_bids``).
    """
    frame = _with_category(screens, tenders)
    out = frame[["tender_id", "category"]].copy()
    in_reference = np.ones(len(frame), bool) if reference is None else frame["tender_id"].isin(reference).to_numpy()
    bands = bid_band(frame["n_bids"]) if "n_bids" in frame.columns else None
    banded = np.ones(len(frame), bool) if bands is not None else np.zeros(len(frame), bool)
    for screen in columns:
        direction = SUSPICIOUS_DIRECTION.get(screen, -1)
        values = (frame[screen] * direction).to_numpy(float)  # high = suspicious
        out[f"p_{screen}"], own_band = _placed_among(values, frame["category"], in_reference, min_tenders, bands)
        banded &= own_band | np.isnan(values)
    out["band"] = np.where(banded, bands if bands is not None else 0, 0)
    return out


#: tenders with this many valid bids or more are one band of :func:`bid_band`
TOP_BAND = 6


def bid_band(n_bids: pd.Series) -> pd.Series:
    """The bid-count band a tender's screens are ranked in: its number of valid bids, up to
    :data:`TOP_BAND` (and more). A screen's spread across a category's honest tenders shrinks as
    bids are added — with two bids CV and spread are one gap, with seven they average out — so
    unranked by band, two-bid tenders fill the most cover-bid-like fifth (48.5 % of honest
    two-bid tenders there against 3.4 % of those with seven or more, on an unseen bid table)."""
    return n_bids.clip(upper=TOP_BAND).fillna(0).astype(int)


#: a category whose lowest valid bid won less than this share of its awarded tenders beyond what a draw
#: among the bidders gives is not read as a lowest-price market (:func:`award_rules`)
LOWEST_WINS_MIN = 0.5


#: joins a category and its tenders' declared award criteria in the name of an award group (:func:`award_groups`)
GROUP_JOIN = " · "


def award_groups(tenders: pd.DataFrame) -> pd.DataFrame:
    """The group each tender's award rule is read in (:func:`award_rules`): its category, and where
    the record declares how the tender's winner is chosen (``award_criteria``: OCDS
    ``tender/awardCriteria``, the 评标办法), its category under those criteria — a category mixing
    lowest-price tenders with scored ones is two award rules, and reading them as one blurs both.

    Criteria are one where they differ only in case, width or blanks (``priceOnly``, ``PriceOnly``,
    ``ｐｒｉｃｅＯｎｌｙ``, ``price Only``; ``经评审的 最低投标价法``): a group is told by its most common wording. A
    group's name is ``"<category> · <criteria>"``, or the category alone where none are declared; a
    name two groups would share (a category itself named ``works · priceOnly``) takes ``(2)``.

    Returns
    -------
    DataFrame
        Index ``tender_id``; ``category`` (:data:`NO_CATEGORY` for none), ``criteria`` (the group's
        wording; None where none are declared) and ``group`` (its name).

    Examples
    --------
    >>> import pandas as pd
    >>> tenders = pd.DataFrame({"tender_id": ["T1", "T2", "T3", "T4"], "category": ["works"] * 4,
    ...                         "award_criteria": [None, " ratedCriteria ", "RatedCriteria", "ratedCriteria"]})
    >>> award_groups(tenders)["group"].tolist()
    ['works', 'works · ratedCriteria', 'works · ratedCriteria', 'works · ratedCriteria']

    Memoised on the ``tenders`` frame (by identity): award rules, rings and tender risk each ask for it.
    """
    return memo("award_groups", (tenders,), None, lambda: _award_groups_of(tenders))


def _award_groups_of(tenders: pd.DataFrame) -> pd.DataFrame:
    unique = tenders.drop_duplicates("tender_id").set_index("tender_id")
    category = unique["category"].fillna(NO_CATEGORY).astype(str) if "category" in unique \
        else pd.Series(NO_CATEGORY, index=unique.index, dtype=object)
    raw = unique["award_criteria"] if "award_criteria" in unique else pd.Series(None, index=unique.index, dtype=object)
    wording = pd.Series(["" if v is None or (not isinstance(v, str) and pd.isna(v))
                         else " ".join(unicodedata.normalize("NFKC", str(v)).split())
                         for v in raw.to_numpy(dtype=object)], index=unique.index, dtype=object)
    key = wording.str.replace(" ", "", regex=False).str.casefold()  # 经评审的 最低投标价法 is 经评审的最低投标价法
    # each key told by its most common wording (ties: the first in sort order)
    counts = pd.DataFrame({"key": key, "wording": wording}).loc[key != ""].value_counts().reset_index()
    counts = counts.sort_values(["key", "count", "wording"], ascending=[True, False, True])
    told = counts.drop_duplicates("key").set_index("key")["wording"]
    criteria = key.map(told).astype(object)
    criteria = criteria.where(key != "", None)
    pairs = sorted(set(zip(category, key, strict=True)))
    names: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for cat, k in pairs:
        name = base = cat if not k else f"{cat}{GROUP_JOIN}{told[k]}"
        n = 2
        while name in taken:
            name, n = f"{base} ({n})", n + 1
        taken.add(name)
        names[(cat, k)] = name
    group = pd.Series([names[pair] for pair in zip(category, key, strict=True)], index=unique.index, dtype=object)
    return pd.DataFrame({"category": category, "criteria": criteria, "group": group})


def award_rules(bids: pd.DataFrame, tenders: pd.DataFrame, min_tenders: int = 20) -> pd.DataFrame:
    """How often the lowest valid bid won the awarded tenders of each category (and declared award
    criteria, :func:`award_groups`): whether its bids can be read by the price screens, which assume
    the lowest price wins.

    Indicator: over the group's tenders with at least two valid bids (:func:`valid_bids`) and a
    winner among them (``is_winner`` on ``bids``, as :meth:`detectors.market.MarketData.with_winners`
    fills it), the ``lowest_won`` — a winning bid is the lowest amount, a tie included — of the
    ``awarded``, against the ``drawn`` a draw among each tender's bidders would give (``Σ m_t / n_t``,
    ``m_t`` of its ``n_t`` valid bids at the lowest amount). The share beyond that draw,

        beyond = (lowest_won − drawn) / (awarded − drawn)

    (Cohen's kappa for one rater against chance) is near 1 under a lowest-price rule (a winner's
    bid is second lowest only where the lowest was set aside after the opening) and near 0 where
    the award is as good as a draw for the lowest bid: under an average-bid or benchmark rule the
    bid just under the benchmark wins, which is the lowest about as often as any other. Reading the
    raw share instead would depend on how many bid: with three bids a benchmark rule lets the lowest
    win about half the time, and a draw a third. A group is ``lowest_price`` unless ``beyond``
    is below :data:`LOWEST_WINS_MIN`. A group with fewer than ``min_tenders`` awarded tenders
    (``fallback``) is not read on so few alone: it is not lowest-price only where its market
    (``market_beyond``: the tenders of every category declaring the same criteria where those have
    ``min_tenders`` awards, ``market_criteria``; else, and for a group declaring none, the whole
    market's) is below the floor too and its own, where it has any award, is not above it — a small group
    whose lowest bid won 5 of 5 is read as lowest-price in any market. A market without any award
    is read as lowest-price (NaN shares). A consortium's bid (rows of one ``bid_id``) won where any
    of its rows is marked the winner. Declared criteria group the awards but do not decide: an
    Italian average-bid auction is legally a lowest-price award, its lowest bids excluded as
    abnormally low.

    Returns
    -------
    DataFrame
        Index ``group`` (:func:`award_groups`; the category where no criteria are declared), one row
        per group of ``tenders``; columns ``category, criteria, awarded, lowest_won, drawn, share``
        (``lowest_won / awarded``, NaN without awards), ``beyond, market_share, market_drawn`` (the
        market's ``drawn / awarded``), ``market_beyond, market_criteria, fallback, lowest_price``.

    Examples
    --------
    >>> import pandas as pd
    >>> bids = pd.DataFrame({"tender_id": ["T1", "T1", "T2", "T2", "T2"], "firm_id": ["A", "B", "A", "B", "C"],
    ...                      "amount": [90.0, 100.0, 90.0, 100.0, 110.0],
    ...                      "is_winner": [False, True, True, False, False]})
    >>> tenders = pd.DataFrame({"tender_id": ["T1", "T2"], "category": ["works", "works"]})
    >>> rules = award_rules(bids, tenders, min_tenders=1)
    >>> int(rules.at["works", "lowest_won"]), int(rules.at["works", "awarded"]), float(round(rules.at["works", "drawn"], 3))
    (1, 2, 0.833)
    >>> float(round(rules.at["works", "beyond"], 3)), bool(rules.at["works", "lowest_price"])  # (1 − 5/6) / (2 − 5/6)
    (0.143, False)
    """
    priced = _priced(joint_awards(bids))
    # per tender, on factorised ids (string group-bys over every bid were half a second at demo scale 10)
    codes, ids = pd.factorize(priced["tender_id"])
    amount = priced["amount"].to_numpy(dtype=float)
    won = priced["is_winner"].fillna(False).astype(bool).to_numpy() if "is_winner" in priced \
        else np.zeros(len(priced), bool)
    lowest = np.full(len(ids), np.inf)
    np.minimum.at(lowest, codes, amount)
    at_low = amount <= lowest[codes]
    n_bids = np.bincount(codes, minlength=len(ids))
    awarded = (n_bids >= 2) & (np.bincount(codes, weights=won, minlength=len(ids)) > 0)
    won_low = np.bincount(codes, weights=won & at_low, minlength=len(ids)) > 0
    drawn = np.bincount(codes, weights=at_low, minlength=len(ids)) / np.maximum(n_bids, 1)
    groups = award_groups(tenders)
    frame = pd.DataFrame({"lowest_won": won_low[awarded].astype(int), "drawn": drawn[awarded],
                          "group": pd.Index(ids[awarded]).map(groups["group"])})
    frame["group"] = frame["group"].fillna(NO_CATEGORY)  # bids of a tender the tenders frame lacks
    counts = frame.groupby("group").agg(awarded=("lowest_won", "size"), lowest_won=("lowest_won", "sum"),
                                        drawn=("drawn", "sum"))
    out = counts.reindex(sorted(set(groups["group"]) | set(counts.index)), fill_value=0)
    out = out.astype({"awarded": int, "lowest_won": int, "drawn": float})
    out.index.name = "group"
    named = groups.drop_duplicates("group").set_index("group")
    out.insert(0, "category", [named["category"].get(g, g) for g in out.index])
    out.insert(1, "criteria", [named["criteria"].get(g) for g in out.index])

    def beyond(won: Any, drawn: Any, awarded: Any) -> Any:  # (won − drawn) / (awarded − drawn), NaN without awards
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(awarded > 0, (won - drawn) / (awarded - drawn), np.nan)

    # the market a small group is read with: the tenders of every category declaring the same
    # criteria where they have min_tenders awards, else (and for a group declaring none) all of them
    counted = out[["awarded", "lowest_won", "drawn"]]
    market_of = out["criteria"].map(lambda c: "" if c is None else str(c))
    same = counted.groupby(market_of).transform("sum")
    out["market_criteria"] = (market_of != "") & (same["awarded"] >= min_tenders)
    total = pd.DataFrame(np.where(out["market_criteria"].to_numpy(bool)[:, None], same.to_numpy(float),
                                  counted.sum().to_numpy(float)[None, :]), index=out.index, columns=counted.columns)
    out["fallback"] = out["awarded"] < min_tenders
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(out["awarded"] > 0, out["lowest_won"] / out["awarded"], np.nan)
        out["market_share"] = np.where(total["awarded"] > 0, total["lowest_won"] / total["awarded"], np.nan)
        out["market_drawn"] = np.where(total["awarded"] > 0, total["drawn"] / total["awarded"], np.nan)
    out["beyond"] = beyond(out["lowest_won"], out["drawn"], out["awarded"])
    out["market_beyond"] = beyond(total["lowest_won"], total["drawn"], total["awarded"])
    own_below = out["beyond"] < LOWEST_WINS_MIN
    small_below = (out["market_beyond"] < LOWEST_WINS_MIN) & (own_below | out["beyond"].isna())
    out["lowest_price"] = ~np.where(out["fallback"], small_below, own_below)
    return out[["category", "criteria", "awarded", "lowest_won", "drawn", "share", "beyond", "market_share",
                "market_drawn", "market_beyond", "market_criteria", "fallback", "lowest_price"]]


def decided_shares(rules: pd.DataFrame, group: str) -> tuple[float, float]:
    """The shares a group of :func:`award_rules` was read on: (won by the lowest, given by a draw)
    of its own awards, or of the market's for a group with too few (``fallback``)."""
    rule = rules.loc[group]
    if rule["fallback"]:
        return float(rule["market_share"]), float(rule["market_drawn"])
    return float(rule["share"]), float(rule["drawn"] / rule["awarded"])


#: what a category :func:`award_rules` reads as not lowest-price may be, for a sentence
NOT_LOWEST_PRICE_CAUSES = "an average-bid or scored award, or lowest bids set aside after the opening"


def beyond_draw_told(drawn: str) -> str:
    """Where the share of awards the lowest bid won stands (:func:`award_rules`), for a sentence,
    with ``drawn`` the share a draw gives, as told: ``less than halfway between the 11 % a draw among
    each tender's bidders gives and the nearly 100 % of a lowest-price award``."""
    return f"less than halfway between the {drawn} a draw among each tender's bidders gives and the nearly " \
        "100 % of a lowest-price award"


def market_award_rules(data: Any, min_tenders: int = 20) -> pd.DataFrame:
    """:func:`award_rules` of a market (a :class:`detectors.market.MarketData`, its winners filled by
    ``with_winners``), memoised on the market's bids and tenders: rings and tender risk read one."""
    return memo("award_rules", (data.bids, data.tenders), min_tenders,
                lambda: award_rules(data.with_winners().bids, data.tenders, min_tenders))


def joint_awards(bids: pd.DataFrame) -> pd.DataFrame:
    """``bids`` with ``is_winner`` set on every row of a consortium's bid (rows sharing a ``bid_id``
    in a tender) where any of them is marked the winner, so that the partner row :func:`valid_bids`
    keeps for the price carries the award."""
    if "is_winner" not in bids or "bid_id" not in bids:
        return bids
    joint = bids["bid_id"].notna() & bids.duplicated(["tender_id", "bid_id"], keep=False)  # rows of one bid
    if not joint.any():
        return bids
    won = bids["is_winner"].fillna(False).astype(bool)
    anyone = won.loc[joint].groupby([bids.loc[joint, "tender_id"], bids.loc[joint, "bid_id"]]).transform("max")
    won = won.copy()
    won.loc[joint] = anyone.astype(bool)
    return bids.assign(is_winner=won)


def not_lowest_price(rules: pd.DataFrame, tenders: pd.DataFrame) -> set[str]:
    """The tenders (ids) of the groups (:func:`award_groups`) :func:`award_rules` reads as not awarded
    to the lowest bid."""
    other = set(rules.index[~rules["lowest_price"]])
    if not other:
        return set()
    group = award_groups(tenders)["group"]
    return set(group.index[group.isin(other)])


def suspicion(screens: pd.DataFrame, tenders: pd.DataFrame, min_tenders: int = 20,
              reference: set[str] | None = None, unread: set[str] | None = None) -> pd.DataFrame:
    """A tender's price risk: the mean of the suspicion percentiles it has among :data:`RISK_SCREENS`.

    ``screens`` come from :func:`tender_screens` (the budget ratio is added when missing);
    percentiles as in :func:`category_percentiles`. A tender without a budget is read on CV,
    spread and RD; one with two bids on CV and spread. ≈ 0.5 for a typical competitive tender.
    The tenders in ``unread`` (:func:`not_lowest_price`: a category not awarded to the lowest bid)
    are neither ranked nor ranked against: their percentiles and risk are NaN.

    Returns
    -------
    DataFrame
        ``tender_id, category``, one ``p_<screen>`` column per risk screen, and ``risk``.
    """
    if "budget_ratio" not in screens:
        screens = with_budget_ratio(screens, tenders)
    if unread:
        kept = ~screens["tender_id"].isin(unread)
        screens = screens.assign(**{screen: screens[screen].where(kept) for screen in RISK_SCREENS})
    out = category_percentiles(screens, tenders, min_tenders, columns=RISK_SCREENS, reference=reference)
    out["risk"] = out[[f"p_{screen}" for screen in RISK_SCREENS]].mean(axis=1, skipna=True)
    return out


#: significant digits screens are ranked on (:func:`_placed_among`)
RANK_DIGITS = 12


def _significant(values: np.ndarray, digits: int) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits (0, ±inf and NaN unchanged)."""
    out = values.astype(float).copy()
    finite = np.isfinite(out) & (np.abs(out) >= np.finfo(float).tiny)  # 0 and subnormals as they are
    scale = 10.0 ** np.floor(np.log10(np.abs(out[finite])))
    out[finite] = np.round(out[finite] / scale, digits - 1) * scale
    return out


def _placed_among(values: np.ndarray, category: pd.Series, in_reference: np.ndarray, min_tenders: int,
                  bands: pd.Series | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mid-rank of each value among the defined reference values of its category and bid-count band
    (:func:`bid_band`) — or, with fewer than ``min_tenders`` of those, of its category, or the
    market's, or (with fewer than ``min_tenders`` reference values in the whole market) every value's;
    and whether each was ranked in its own band.

    ``(below + ½ · equal) / n``: with every value as the reference this is the mid-rank
    percentile ``(rank − ½) / n``, 0.5 on average under any distribution (a market of one
    tender says 0.5, not 1). Undefined values stay NaN. Values are compared to
    :data:`RANK_DIGITS` significant digits: the same bids give the same screen only up to the
    last bit of a float (RD √2 is 1.414213562373095 or …0951 by the order of the sums), and
    such noise must not decide a tie."""
    values = _significant(values, RANK_DIGITS)
    usable = in_reference & ~np.isnan(values)
    market = np.sort(values[usable] if usable.sum() >= min_tenders else values[~np.isnan(values)])
    out = np.full(len(values), np.nan)
    band = np.zeros(len(values), int) if bands is None else bands.to_numpy()
    own_band = np.zeros(len(values), bool)
    for _, rows in category.groupby(category, sort=False).indices.items():
        ref = np.sort(values[rows][usable[rows]])
        if len(ref) < min_tenders:
            ref = market
        if not len(ref):
            continue
        for b in np.unique(band[rows]):
            at = rows[band[rows] == b]
            own = np.sort(values[at][usable[at]])
            among = own if len(own) >= min_tenders else ref
            own_band[at] = bands is not None and len(own) >= min_tenders
            below = np.searchsorted(among, values[at], side="left")
            equal = np.searchsorted(among, values[at], side="right") - below
            out[at] = (below + 0.5 * equal) / len(among)
    out[np.isnan(values)] = np.nan
    return out, own_band
