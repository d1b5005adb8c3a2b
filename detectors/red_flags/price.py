"""The percentage difference between the winning bid and the lowest losing bid (R024, R058).

Cardinal's ``SecondLowestBidRatio`` (``src/indicators/util.rs``), per comparison unit: a
process whose prices are compared, whose awards are all final and which has exactly one
active award. Without award→bid links the award must name one supplier; the winning
amount is that supplier's lowest valid bid and the losing amount the lowest valid bid of
anyone else, among bids by a single tenderer in the main currency. The ratio
``(losing − winning) / winning`` is kept when the losing amount is not below the winning
one (otherwise the award was not on price).

Beyond Cardinal: with ``per_lot`` a tender whose awards and bids name lots is compared lot
by lot (one ratio per lot); with ``use_related_bids`` an award's relatedBids say which
bid won, so consortium bids are compared too (their whole membership is the tenderer).
Bids in another currency are never mixed in; they are counted in the meta. A winning
amount of 0 gives no ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from detectors.red_flags.common import Common, complete_awards_if_all_final, main_currency, price_comparison
from detectors.red_flags.frames import AwardRecord, BidRecord, Process


@dataclass(frozen=True)
class PriceRatio:
    ocid: str
    lot: str | None
    ratio: float
    winner: tuple[str, ...]
    loser: tuple[str, ...]
    winning_amount: float
    losing_amount: float
    currency: str


@dataclass
class PriceRatios:
    ratios: list[PriceRatio]
    currency: str | None
    other_currency_bids: int
    consortium_bids_excluded: int


def units(process: Process, complete: list[AwardRecord], common: Common
          ) -> list[tuple[str | None, list[AwardRecord], list[BidRecord]]]:
    """Comparison units: the whole process, or each lot when awards and bids name lots."""
    if common.per_lot and process.lots and any(a.lots for a in complete) and any(b.lots for b in process.bids):
        return [(lot, [a for a in complete if lot in a.lots], [b for b in process.bids if lot in b.lots])
                for lot in process.lots]
    return [(None, complete, list(process.bids))]


def _lowest(bids: list[BidRecord]) -> BidRecord | None:
    best = None
    for bid in bids:  # strict <: on ties the first published bid stays
        if best is None or bid.amount < best.amount:  # type: ignore[operator]
            best = bid
    return best


def price_ratios(processes: list[Process], common: Common, context: dict[str, Any]) -> PriceRatios:
    if "price_ratios" in context:
        return context["price_ratios"]  # type: ignore[no-any-return]
    currency = main_currency(processes, common)
    out = PriceRatios([], currency, 0, 0)
    for process in processes:
        if not price_comparison(process, common):
            continue
        complete = complete_awards_if_all_final(process)
        if complete is None:
            continue
        for lot, awards, bids in units(process, complete, common):
            if len(awards) != 1:
                continue
            award = awards[0]
            valid = [b for b in bids if b.status == "valid" and b.amount is not None and b.currency is not None
                     and b.tenderers]
            in_currency = [b for b in valid if b.currency == currency]
            out.other_currency_bids += len(valid) - len(in_currency)
            if common.use_related_bids and award.related_bids:
                linked = set(award.related_bids)
                winners = [b for b in in_currency if b.bid_id in linked]
                # a winner's other bid (a variant) is not a losing competitor's
                winning_firms = {t for b in winners for t in b.tenderers} | set(award.suppliers)
                losers = [b for b in in_currency if b.bid_id not in linked and not set(b.tenderers) & winning_firms]
            else:
                if len(award.suppliers) != 1:
                    continue
                single = [b for b in in_currency if len(b.tenderers) == 1]
                out.consortium_bids_excluded += len(in_currency) - len(single)
                winners = [b for b in single if b.tenderers[0] == award.suppliers[0]]
                losers = [b for b in single if b.tenderers[0] != award.suppliers[0]]
            winner, loser = _lowest(winners), _lowest(losers)
            if winner is None or loser is None or winner.amount is None or loser.amount is None:
                continue
            if loser.amount >= winner.amount and winner.amount != 0:
                out.ratios.append(PriceRatio(process.ocid, lot, (loser.amount - winner.amount) / winner.amount,
                                             winner.tenderers, loser.tenderers, winner.amount, loser.amount,
                                             currency or ""))
    context["price_ratios"] = out
    return out
