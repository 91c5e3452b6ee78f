"""The clearing agent: from trades to settled (or failed) DvP instructions.

Trades come from the venue through a hand-off (``clear_trades`` takes each in the instant
it is made). Two clients of the same omnibus custodian trading with each other settle
inside the custodian's books. For every other trade the clearing agent instructs the DvP contract with the settle-by time of
the trade's cycle, and each party affirms its side at once (its securities or cash go on
hold). Then:

- T+0 (``settlement_days: 0``): the instruction settles immediately, atomically; if a
  party could not affirm or a token refuses, it is cancelled: no trade settles one leg.
- T+n: on each settlement date's cut-off the cycle's affirmed instructions settle in
  batches, gross or multilaterally netted, of at most ``max_batch_instructions`` each (a
  transaction must fit a block's gas). One second after the cut-off, every instruction
  still pending past its settle-by time is marked failed on chain and rolled to the next
  cycle; the party that did not affirm accrues the daily penalty. An hour before each
  cut-off the agent chases parties that have not affirmed. After ``buy_in_after_days``
  days of fail, a seller's fail is bought in from the dealer at the oracle price plus
  the dealer's premium (the seller owes the excess), and other fails are cancelled.

Omnibus custodians book the final instructions of their vault into its sub-ledger;
segregated custodians update their books as settlements land.

Faults: a participant in default (``participant_default``) affirms nothing more (recorded
once per instruction as a ``withheld`` affirmation): what it had affirmed before settles
from the holds it placed then, every later instruction of it fails, accrues the penalty
and is bought in (its sales) or cancelled (its purchases) by the rule above; a trade
between two clients of one omnibus custodian, one of them in default, is not settled
(``settle_internal`` withheld). When an omnibus custodian fails (``custodian_failure``) the
clearing agent cancels every open instruction of its vault, releasing the other party's
hold; the trustee books them later.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.calendar import DAY, HOUR, add_business_days, day_start, next_cycle
from sim.chain.reverts import decode_revert
from sim.engine.actor import Actor, describe
from sim.errors import ContractRevert

if TYPE_CHECKING:
    from sim.engine.handoff import Handoff
    from sim.engine.part import Part
    from sim.engine.world import Participant
    from sim.parts.securities.custodian import Custodians
    from sim.parts.securities.investors import Investors
    from sim.parts.securities.system import System
    from sim.scenario import Scenario


@dataclass
class Instruction:
    id: int
    trade: int
    seller: Participant
    buyer: Participant
    shares: int
    cash_cents: int
    settle_by: int
    seller_affirmed: bool = False
    buyer_affirmed: bool = False
    withheld: bool = False
    withheld_recorded: bool = False
    fail_days: int = 0
    in_default_recorded: set[bool] = field(default_factory=set)  # sides (as_seller) already recorded withheld


class ClearingAgent(Actor):
    """The clearing agent (actor ``clearing``).

    Args:
        part: the securities lifecycle.
        system: its contracts.
        trades: where the venue's trades arrive.
        investors: the investors (their own affirmations, the dealer for buy-ins).
        custodians: who affirms, books and settles internally for custody clients.
    """

    name = "clearing"

    def __init__(
        self, part: Part, system: System, scenario: Scenario, trades: Handoff, investors: Investors,
        custodians: Custodians,
    ) -> None:
        super().__init__(part)
        self.system = system
        self.config = scenario.clearing
        self.trading = scenario.trading
        self.trades_in = trades
        self.investors = investors
        self.custodians = custodians
        self.pending: dict[int, Instruction] = {}
        self.trades = 0
        self.withhold_share = 0.0
        self.withhold_until = 0
        self.failed_ids: set[int] = set()

    # -------------------------------------------------------------------- trades

    def clear_trades(self) -> Iterator[Any]:
        """Take each trade from the venue as it is made, and clear it."""
        while True:
            trade = yield self.trades_in.get()
            self.on_trade(trade.buyer, trade.seller, trade.shares, trade.price_cents)

    def on_trade(self, buyer: Participant, seller: Participant, shares: int, price_cents: int) -> None:
        system = self.system
        self.trades += 1
        trade = self.trades
        cash_cents = shares * price_cents
        self.record(
            "trade", trade=trade, buyer=buyer.label, seller=seller.label, shares=shares,
            price_cents=price_cents, cash_cents=cash_cents,
        )
        if buyer.party == seller.party:
            defaulter = next((p for p in (seller, buyer) if self.investors.in_default(p)), None)
            if defaulter is not None:  # it pays nothing and delivers nothing: neither leg moves
                self.record("settle_internal", "withheld", reason="Participant in default", trade=trade,
                            investor=defaulter.label)
                return
            self.custodians.of(buyer).settle_internally(trade, seller, buyer, shares, cash_cents)
            return
        settle_by = self._settle_by()
        ref = trade.to_bytes(32, "big")
        receipt, refused = self.quietly(
            lambda: system.dvp.instruct(
                seller.party, buyer.party, system.settlement_token, shares * system.token_unit, system.cash,
                system.cash_units(cash_cents), settle_by, ref, sender=system.clearing,
            )
        )
        if refused is not None:
            self.record("instruct", "refused", **describe(refused), trade=trade)
            return
        ins = Instruction(receipt.return_value, trade, seller, buyer, shares, cash_cents, settle_by)
        self.pending[ins.id] = ins
        self.record("instruct", trade=trade, instruction=ins.id, settle_by=settle_by - self.world.start)
        ins.withheld = self.env.now < self.withhold_until and float(self.rng.random()) < self.withhold_share
        self._affirm(ins, True)
        self._affirm(ins, False)
        if self.config.settlement_days == 0:
            self._settle_now(ins)

    def _settle_by(self) -> int:
        now = self.world.now()
        if self.config.settlement_days == 0:
            return now
        cutoff = day_start(now) + self.config.cutoff_hour_utc * HOUR
        if self.config.business_days_only:
            return add_business_days(cutoff, self.config.settlement_days)
        return cutoff + self.config.settlement_days * DAY

    def _affirm(self, ins: Instruction, as_seller: bool) -> None:
        if (ins.seller_affirmed if as_seller else ins.buyer_affirmed):
            return
        party = ins.seller if as_seller else ins.buyer
        fields = {"instruction": ins.id, "investor": party.label, "side": "sell" if as_seller else "buy"}
        if self.investors.in_default(party):
            if as_seller not in ins.in_default_recorded:  # it stopped paying: not a contract refusal
                ins.in_default_recorded.add(as_seller)
                self.record("affirm", "withheld", reason="Participant in default", **fields)
            return
        if as_seller and ins.withheld and self.env.now < self.withhold_until:
            if not ins.withheld_recorded:  # the seller does not deliver: not a contract refusal
                ins.withheld_recorded = True
                self.record("affirm", "withheld", reason="Seller does not deliver (fault)", **fields)
            return
        if not party.active:
            self.record("affirm", "refused", reason="Wallet key lost", **fields)
            return
        system = self.system
        if party.mode == "omnibus":
            call = lambda: party.custody.vault.affirm(system.dvp, ins.id, party.wallet, sender=party.custody.operator)  # noqa: E731
        else:
            call = lambda: system.dvp.affirm(ins.id, as_seller, sender=party.wallet)  # noqa: E731
        acting = self.custodians.of(party) if party.custody is not None else self.investors
        if acting.act("affirm", call, **fields):
            if as_seller:
                ins.seller_affirmed = True
            else:
                ins.buyer_affirmed = True

    def _settle_now(self, ins: Instruction) -> None:
        system = self.system
        if ins.seller_affirmed and ins.buyer_affirmed:
            receipt, refused = self.quietly(lambda: system.dvp.settle(ins.id, sender=system.clearing))
            if refused is None:
                self._outcomes(receipt, [ins.id])
                if ins.id not in self.pending:
                    return
        self._cancel(ins, "Not settled at once (T+0)")

    # ------------------------------------------------------------------- cycles

    def settle_cycles(self):
        """Each settlement cycle: chase affirmations, settle the batch, fail what is late."""
        if self.config.settlement_days == 0:
            return
        while True:
            cycle = next_cycle(self.world.now() + 1, self.config.cutoff_hour_utc,
                               business_days_only=self.config.business_days_only)
            chase = cycle - HOUR
            if chase > self.world.now():
                yield self.env.timeout(chase - self.world.now())
                for ins in list(self.pending.values()):
                    self._affirm(ins, True)
                    self._affirm(ins, False)
            yield self.env.timeout(cycle - self.world.now())
            self._settle_batch(cycle)
            yield self.env.timeout(1)
            self._fail_late(cycle)

    def _settle_batch(self, cycle: int) -> None:
        system = self.system
        due = [
            ins.id for ins in self.pending.values()
            if ins.settle_by == cycle and ins.seller_affirmed and ins.buyer_affirmed
        ]
        size = self.config.max_batch_instructions
        for start in range(0, len(due), size):
            chunk = due[start : start + size]
            receipt, refused = self.quietly(
                lambda chunk=chunk: system.dvp.settleBatch(chunk, self.config.netting, sender=system.clearing)
            )
            if refused is not None:
                self.record("settle_batch", "refused", **describe(refused), instructions=len(chunk))
                continue
            (batch,) = receipt.events_named("BatchSettled")
            failed_netting = receipt.events_named("NettingFailed")
            fields = {"instructions": len(chunk), "settled": batch.settled, "transfers": batch.transfers,
                      "netted": batch.netted}
            if failed_netting:
                fields.update({"netting_failed": describe(decode_revert(failed_netting[0].reason))["reason"]})
            self.record("settle_batch", **fields)
            self._outcomes(receipt, chunk)

    def _outcomes(self, receipt, ids: list[int]) -> None:
        for event in receipt.events_named("SettlementRefused"):
            ins = self.pending[event.id]
            self.record("settle", "refused", **describe(decode_revert(event.reason)), instruction=ins.id, trade=ins.trade)
        for event in receipt.events_named("Settled"):
            ins = self.pending.pop(event.id)
            self.record(
                "settle", instruction=ins.id, trade=ins.trade, shares=ins.shares, cash_cents=ins.cash_cents,
                netted=event.netted, late_days=ins.fail_days,
            )
            self._land(ins, settled=True)

    def _fail_late(self, cycle: int) -> None:
        system = self.system
        rolled_to = next_cycle(cycle + 1, self.config.cutoff_hour_utc, business_days_only=self.config.business_days_only)
        for ins in [i for i in self.pending.values() if i.settle_by < self.world.now()]:
            receipt, refused = self.quietly(lambda: system.dvp.markFailed(ins.id, rolled_to, sender=system.clearing))
            if refused is not None:
                self.record("fail", "refused", **describe(refused), instruction=ins.id)
                continue
            (event,) = receipt.events_named("InstructionFailed")
            ins.fail_days = event.failDays
            ins.settle_by = rolled_to
            self.failed_ids.add(ins.id)
            failing = self.world.participants.by_wallet(event.failingParty)
            failing_label = failing.label if failing else (
                "none" if int(event.failingParty, 16) == 0 else self.custodians.label_of(event.failingParty)
            )
            self.record(
                "fail", instruction=ins.id, trade=ins.trade, fail_days=ins.fail_days,
                failing_party=failing_label, penalty_cents=system.cents(event.penalty),
            )
            if ins.fail_days >= self.config.buy_in_after_days:
                if not ins.seller_affirmed:
                    self._buy_in(ins)
                else:
                    self._cancel(ins, "Failed past the close-out date")

    def _buy_in(self, ins: Instruction) -> None:
        system = self.system
        dealer = self.investors.dealer
        if dealer is None:
            self._cancel(ins, "Seller failed to deliver; no dealer for a buy-in")
            return
        premium = self.trading.market_maker.premium_pct
        price_cents = round(system.latest_cents() * (1 + premium / 100))
        replacement = ins.shares * price_cents
        receipt, refused = self.quietly(
            lambda: system.dvp.buyIn(ins.id, system.cash_units(replacement), sender=system.clearing)
        )
        if refused is not None:
            self.record("buy_in", "refused", **describe(refused), instruction=ins.id)
            return
        cost = receipt.events_named("BoughtIn")[0].cost
        del self.pending[ins.id]
        self.record(
            "buy_in", instruction=ins.id, trade=ins.trade, seller=ins.seller.label, buyer=ins.buyer.label,
            shares=ins.shares, cash_cents=replacement, cost_cents=system.cents(cost),
        )
        self._land(ins, settled=False)
        self.trades += 1
        trade = self.trades
        self.record(
            "trade", trade=trade, buyer=ins.buyer.label, seller=dealer.label, shares=ins.shares,
            price_cents=price_cents, cash_cents=replacement, buy_in=ins.id,
        )
        replacement_receipt, refused = self.quietly(
            lambda: system.dvp.instruct(
                dealer.party, ins.buyer.party, system.settlement_token, ins.shares * system.token_unit, system.cash,
                system.cash_units(replacement), self.world.now(), trade.to_bytes(32, "big"), sender=system.clearing,
            )
        )
        if refused is not None:
            self.record("instruct", "refused", **describe(refused), trade=trade)
            return
        new = Instruction(replacement_receipt.return_value, trade, dealer, ins.buyer, ins.shares, replacement, self.world.now())
        self.pending[new.id] = new
        self.record("instruct", trade=trade, instruction=new.id, settle_by=new.settle_by - self.world.start)
        self._affirm(new, True)
        self._affirm(new, False)
        self._settle_now(new)

    def _cancel(self, ins: Instruction, reason: str) -> None:
        system = self.system
        refused: ContractRevert | None
        _, refused = self.quietly(lambda: system.dvp.cancel(ins.id, sender=system.clearing))
        if refused is not None:
            self.record("cancel", "refused", **describe(refused), instruction=ins.id)
            return
        self.pending.pop(ins.id, None)
        self.record("cancel", reason=reason, instruction=ins.id, trade=ins.trade)
        self._land(ins, settled=False)

    def cancel_all(self, reason: str) -> None:
        for ins in list(self.pending.values()):
            self._cancel(ins, reason)

    def _land(self, ins: Instruction, *, settled: bool) -> None:
        """Tell the custodians of both parties the instruction is final."""
        system = self.system
        for party, sign, affirmed in ((ins.seller, -1, ins.seller_affirmed), (ins.buyer, 1, ins.buyer_affirmed)):
            if party.mode == "omnibus":
                if affirmed:  # the vault reserved and affirmed: book the outcome
                    self.custodians.of(party).book(ins.id)
            elif settled:
                self.custodians.moved(party, "token", sign * ins.shares * system.token_unit)
                self.custodians.moved(party, "cash", -sign * system.cash_units(ins.cash_cents))

    # -------------------------------------------------------------------- faults

    def custodian_failed(self, vault: str) -> None:
        """A ``custodian_failure``: cancel every open instruction the vault ``vault`` is party to."""
        for ins in [i for i in self.pending.values() if vault in (i.seller.party, i.buyer.party)]:
            self._cancel(ins, "Custodian failed")

    def withhold_deliveries(self, share: float, until: int) -> None:
        """A settlement-fail fault: ``share`` of new sales are not delivered until ``until``."""
        self.withhold_share = share
        self.withhold_until = until
