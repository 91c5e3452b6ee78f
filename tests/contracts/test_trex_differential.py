"""Our security token against T-REX (ERC-3643) as an independent peer, on the rules both have.

Both tokens run on one chain with the same rules: KYC (a verified identity to receive),
recipients' jurisdictions allowed (US and GB), at most 1,000 units per holder, at most
2,000 in issue; agents that pause, freeze wallets and freeze part of a balance. Hypothesis
plays random sequences of mints, transfers, freezes, partial freezes, pauses and identity
changes (KYC revoked and restored, a move to another country) on both. After every step:

- each operation is allowed by both or refused by both, with the same restriction code
  (ours from ``detectTransferRestriction``; T-REX's derived from its read functions);
- what each refused, it refused on chain too (the write reverts), and what it allowed went
  through: balances and supplies stay equal.

T-REX comes from the pinned npm package (``make trex``; sim/contracts/trex.py). Runs on revm
in ``make test`` (``TOKENSIM_HYPOTHESIS_EXAMPLES`` raises the examples), and a few sequences
on eth-tester. Differences outside these shared rules are listed in docs/testing-tokens.md.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from sim.chain import Chain
from sim.contracts import AGENT_ROLE, Identity, Restriction, deploy_security_token
from sim.contracts.identity import deploy_identity_registry
from sim.contracts.trex import TrexNotInstalled, TrexToken, country_code, deploy_trex_token, trex_root
from sim.errors import ConfigError, ContractRevert

EXAMPLES = int(os.environ.get("TOKENSIM_HYPOTHESIS_EXAMPLES", "25"))
HOLDERS = ("us1", "us2", "gb", "fr", "late")  # "fr" is outside the allow-list; "late" is never verified at first
ALLOWED = ("US", "GB")
MAX_BALANCE = 1_000
SUPPLY_LIMIT = 2_000
HOME = {"us1": "US", "us2": "US", "gb": "GB", "fr": "FR", "late": "US"}


class Pair:
    """Both tokens and their holders on one chain."""

    def __init__(self, backend: str) -> None:
        chain = self.chain = Chain(backend)
        admin = self.admin = chain.deployer
        self.registry = deploy_identity_registry(chain, admin=admin)
        self.ours = deploy_security_token(chain, registry=self.registry, admin=admin, symbol="OUR", modules=[
            {"kind": "jurisdiction", "allow": list(ALLOWED)},
            {"kind": "max_balance", "max_balance": MAX_BALANCE},
            {"kind": "supply_limit", "supply_limit": SUPPLY_LIMIT},
        ])
        self.trex: TrexToken = deploy_trex_token(chain, admin=admin, symbol="TRX", allow_countries=ALLOWED,
                                                 max_balance=MAX_BALANCE, supply_limit=SUPPLY_LIMIT)
        self.wallets = {name: chain.new_account() for name in HOLDERS}
        for name, wallet in self.wallets.items():
            self.ours_register(name, HOME[name], verified=name != "late")
            self.trex.register(wallet, HOME[name], verified=name != "late")
        self.base = chain.snapshot()

    def ours_register(self, name: str, country: str, *, verified: bool) -> None:
        identity = Identity(investor_id=f"diff-{name}", investor_type="accredited", jurisdiction=country,
                            verified=verified)
        self.registry.register(self.wallets[name], identity, sender=self.admin)


@pytest.fixture(scope="module", params=["revm", "eth-tester"])
def pair(request):
    return Pair(request.param)


def test_our_token_and_t_rex_allow_and_refuse_the_same_operations_with_the_same_code(pair):
    p, w = pair, pair.wallets
    on_revm = p.chain.backend.name == "revm"
    examples, steps = (4 * EXAMPLES, 40) if on_revm else (max(2, EXAMPLES // 12), 15)
    seen: Counter[Restriction] = Counter()

    class SameRules(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            p.chain.revert(p.base)
            p.base = p.chain.snapshot()
            self.country = dict(HOME)
            self.verified = {name: name != "late" for name in HOLDERS}
            for name in ("us1", "us2", "gb"):  # every sequence starts with holdings to move
                p.ours.mint(w[name], 600, sender=p.admin)
                p.trex.mint(w[name], 600)

        def _both(self, ours_call, trex_call, ours_code: int, trex_code: int) -> None:
            assert ours_code == trex_code, f"ours {Restriction(ours_code).name}, T-REX {Restriction(trex_code).name}"
            seen[Restriction(ours_code)] += 1
            for call in (ours_call, trex_call):
                if ours_code == Restriction.SUCCESS:
                    call()
                else:
                    with pytest.raises(ContractRevert):
                        call()

        @rule(to=st.sampled_from(HOLDERS), amount=st.integers(1, 1_200))
        def mint(self, to, amount):
            ours = p.ours.detectTransferRestriction("0x" + "00" * 20, w[to], amount)
            self._both(lambda: p.ours.mint(w[to], amount, sender=p.admin), lambda: p.trex.mint(w[to], amount),
                       ours, p.trex.restriction(None, w[to], amount))

        @rule(sender=st.sampled_from(HOLDERS), to=st.sampled_from(HOLDERS), amount=st.integers(1, 1_200))
        def transfer(self, sender, to, amount):
            if sender == to:  # ours lets a holder send to itself (its holding is unchanged); T-REX's
                return        # balance limit counts it as received: a listed difference
            ours = p.ours.detectTransferRestriction(w[sender], w[to], amount)
            self._both(lambda: p.ours.transfer(w[to], amount, sender=w[sender]),
                       lambda: p.trex.transfer(w[to], amount, sender=w[sender]),
                       ours, p.trex.restriction(w[sender], w[to], amount))

        @rule(to=st.sampled_from(HOLDERS), over=st.sampled_from((0, 1)))
        def mint_to_a_limit(self, to, over):
            """Exactly up to the nearer limit (balance or supply), or one unit past it."""
            room = min(MAX_BALANCE - p.ours.balanceOf(w[to]), SUPPLY_LIMIT - p.ours.totalSupply())
            if room + over > 0:
                self.mint(to, room + over)

        @rule(sender=st.sampled_from(HOLDERS), to=st.sampled_from(HOLDERS), over=st.sampled_from((0, 1)))
        def transfer_to_the_balance_limit(self, sender, to, over):
            """Exactly what fills the recipient to the balance limit, or one unit more."""
            amount = MAX_BALANCE - p.ours.balanceOf(w[to]) + over
            if amount > 0:
                self.transfer(sender, to, amount)

        @rule(sender=st.sampled_from(HOLDERS), to=st.sampled_from(HOLDERS))
        def transfer_whole_balance(self, sender, to):
            """All of it: refused while part of it is frozen."""
            amount = p.ours.balanceOf(w[sender])
            if amount:
                self.transfer(sender, to, amount)

        @rule(holder=st.sampled_from(HOLDERS), frozen=st.booleans())
        def freeze_wallet(self, holder, frozen):
            p.ours.setAddressFrozen(w[holder], frozen, sender=p.admin)
            p.trex.freeze(w[holder], frozen)

        @rule(sender=st.sampled_from(HOLDERS), to=st.sampled_from(HOLDERS), amount=st.integers(1, 600))
        def transfer_to_a_frozen_wallet(self, sender, to, amount):
            """Freeze the recipient, then send to it: refused with the first check that fails
            (the recipient's freeze unless the pause, the sender's freeze or balance comes first)."""
            if sender != to:
                self.freeze_wallet(to, True)
                self.transfer(sender, to, amount)

        @rule(holder=st.sampled_from(HOLDERS), amount=st.integers(1, 600), unfreeze=st.booleans())
        def freeze_part(self, holder, amount, unfreeze):
            frozen = p.ours.frozenTokens(w[holder])
            if unfreeze:
                amount = min(amount, frozen)
                if amount:
                    p.ours.unfreezePartialTokens(w[holder], amount, sender=p.admin)
                    p.trex.unfreeze_partial(w[holder], amount)
            elif frozen + amount <= p.ours.balanceOf(w[holder]):  # T-REX refuses freezing beyond the balance
                p.ours.freezePartialTokens(w[holder], amount, sender=p.admin)
                p.trex.freeze_partial(w[holder], amount)

        @rule(paused=st.booleans())
        def pause(self, paused):
            if paused != p.ours.paused():
                (p.ours.pause if paused else p.ours.unpause)(sender=p.admin)
                p.trex.pause() if paused else p.trex.unpause()

        @rule(holder=st.sampled_from(HOLDERS))
        def toggle_kyc(self, holder):
            self.verified[holder] = not self.verified[holder]
            p.ours_register(holder, self.country[holder], verified=self.verified[holder])
            if self.verified[holder]:
                p.trex.restore_kyc(w[holder])  # the claim issuer signs a KYC claim again
            else:
                p.trex.revoke_kyc(w[holder])

        @rule(holder=st.sampled_from(HOLDERS), country=st.sampled_from(("US", "GB", "FR", "DE")))
        def move(self, holder, country):
            self.country[holder] = country
            p.ours_register(holder, country, verified=self.verified[holder])
            p.trex.set_jurisdiction(w[holder], country)

        @invariant()
        def balances_and_supply_agree(self):
            assert p.ours.totalSupply() == p.trex.totalSupply()
            for wallet in w.values():
                assert p.ours.balanceOf(wallet) == p.trex.balanceOf(wallet)

    run_state_machine_as_test(SameRules, settings=settings(
        max_examples=examples, stateful_step_count=steps, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
    if on_revm:  # the sequences reached every shared rule, allowing and refusing
        assert set(seen) >= {Restriction.SUCCESS, Restriction.PAUSED, Restriction.SENDER_FROZEN,
                             Restriction.RECIPIENT_FROZEN, Restriction.INSUFFICIENT_BALANCE, Restriction.FROZEN_TOKENS,
                             Restriction.RECIPIENT_NOT_VERIFIED, Restriction.JURISDICTION, Restriction.MAX_BALANCE,
                             Restriction.SUPPLY_LIMIT}, seen


def test_a_country_is_recorded_on_t_rex_as_its_iso_numeric_code(pair):
    pair.chain.revert(pair.base)
    pair.base = pair.chain.snapshot()
    assert pair.trex.identity_registry.investorCountry(pair.wallets["us1"]) == country_code("US") == 840
    assert pair.trex.identity_registry.investorCountry(pair.wallets["gb"]) == country_code("GB") == 826
    assert country_code("fr") == 250


def test_without_t_rex_installed_the_error_says_what_to_run(tmp_path):
    with pytest.raises(TrexNotInstalled, match=r"T-REX is not installed at .*: run `make trex`"):
        trex_root(tmp_path)


def test_another_t_rex_version_is_refused_naming_both(tmp_path):
    package = tmp_path / "@tokenysolutions" / "t-rex" / "package.json"
    package.parent.mkdir(parents=True)
    package.write_text('{"name": "@tokenysolutions/t-rex", "version": "4.0.0"}')
    with pytest.raises(TrexNotInstalled, match=r"is T-REX 4\.0\.0, tokensim drives 4\.1\.6"):
        trex_root(tmp_path)


def test_a_jurisdiction_that_is_not_an_iso_code_is_refused():
    with pytest.raises(ConfigError, match=r"jurisdiction\(='XX'\) is not an ISO 3166-1 alpha-2 code"):
        country_code("XX")
