"""tokensim's pytest plugin: fixtures for testing security tokens on a real EVM.

Installed with tokensim (a ``pytest11`` entry point), so any project that installs
tokensim can write::

    def test_lockup_ends_after_six_months(chain, make_investor, make_security_token, deployer):
        token = make_security_token(modules=[Lockup.rule_144()])
        alice, bob = make_investor(), make_investor()
        token.mint(alice, 100, sender=deployer)
        with reverts(solidity.LockupActive, holder=alice):
            token.transfer(bob, 1, sender=alice)

Isolation: every fixture that touches the chain runs inside a chain snapshot that is
reverted when the fixture is torn down, and every test body runs inside one more. A
module-scoped token deployed once is therefore fresh for each test, and nothing one
test does (transfers, clock moves) is seen by the next. Mark a test
``@pytest.mark.ignore_isolation`` to keep what it does (for the tests that follow in
the same fixture scope).

Module-scoped fixtures build their tokens and investors with ``make_shared_security_token``
and ``make_shared_investor``. The cheats Foundry and ape users expect are on ``chain``:
``prank``/``impersonate``, ``deal`` and ``expect_emit`` (``sim.chain.Chain``).

Options: ``--chain-backend NAME`` picks the backend (default ``eth-tester``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from sim.chain import BACKENDS, Chain
from sim.contracts import (
    AccreditedOnly,
    Identity,
    IdentityRegistry,
    Investor,
    Jurisdictions,
    Lockup,
    ModuleSpec,
    SecurityToken,
    deploy_cash_token,
    deploy_identity_registry,
    deploy_security_token,
)
from sim.contracts.token import CashToken
from sim.testing.reverts import reverts as _reverts

SANCTIONED_JURISDICTIONS = ["CU", "IR", "KP", "SY"]
"""Blocked by the default token: jurisdictions under comprehensive US sanctions (OFAC)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tokensim", "tokensim chain fixtures")
    group.addoption(
        "--chain-backend",
        default="eth-tester",
        help=f"EVM backend for the `chain` fixture: {', '.join(BACKENDS)} (default: eth-tester)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ignore_isolation: do not revert the chain after this test (or the fixtures set up for it)",
    )
    backend = config.getoption("--chain-backend")
    if backend not in BACKENDS:
        raise pytest.UsageError(
            f"--chain-backend: unknown backend {backend!r}; expected one of: {', '.join(BACKENDS)}"
        )


# ------------------------------------------------------------------ isolation


class _Isolation:
    """The chain of the session and the snapshots that isolate fixtures and tests.

    Snapshots form a stack in the order they were taken. Releasing one reverts the chain
    to it, which also undoes everything snapshotted after it. Normally that is only
    narrower fixtures, already torn down; but a broader fixture (say session-scoped)
    first requested while a narrower one (say module-scoped) was alive was set up inside
    the narrower snapshot, and the revert undoes its deployment. Such fixtures are torn
    down first, so pytest sets them up again when next requested, instead of handing out
    a contract that no longer exists.
    """

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self._stack: list[tuple[int, pytest.FixtureDef | None, Any]] = []

    def enter(self, fixturedef: pytest.FixtureDef | None = None, request: Any = None) -> tuple:
        entry = (self.chain.snapshot(), fixturedef, request)
        self._stack.append(entry)
        return entry

    def release(self, entry: tuple) -> None:
        if entry not in self._stack:
            return  # already undone by the release of an earlier snapshot
        position = self._stack.index(entry)
        later = self._stack[position + 1 :]
        del self._stack[position:]
        for _, fixturedef, request in reversed(later):
            if fixturedef is not None:
                fixturedef.finish(request)
        self.chain.revert(entry[0])


_ISOLATION_KEY = pytest.StashKey[_Isolation]()


def _isolated(node: Any) -> bool:
    return node.get_closest_marker("ignore_isolation") is None


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest) -> Any:
    isolation = request.config.stash.get(_ISOLATION_KEY, None)
    if isolation is None or fixturedef.argname == "chain" or not _isolated(request.node):
        return (yield)
    entry = isolation.enter(fixturedef, request)
    fixturedef.addfinalizer(lambda: isolation.release(entry))
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    isolation = item.config.stash.get(_ISOLATION_KEY, None)
    uses_chain = "chain" in getattr(item, "fixturenames", ())
    if isolation is None or not uses_chain or not _isolated(item):
        return (yield)
    entry = isolation.enter()
    try:
        return (yield)
    finally:
        isolation.release(entry)


# -------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def chain(request: pytest.FixtureRequest) -> Iterator[Chain]:
    """The EVM chain of the test session (backend from ``--chain-backend``).

    A ``sim.chain.Chain``: deploy with ``chain.deploy(...)``, move time with
    ``chain.warp(t)`` / ``chain.advance(seconds)``, read ``chain.now()``. Every test and
    fixture runs in a snapshot, so changes never leak between tests.
    """
    chain = Chain(request.config.getoption("--chain-backend"))
    request.config.stash[_ISOLATION_KEY] = _Isolation(chain)
    yield chain
    del request.config.stash[_ISOLATION_KEY]
    chain.close()


@pytest.fixture(scope="session")
def accounts(chain: Chain) -> list[str]:
    """The chain's pre-funded accounts (checksum addresses); ``accounts[0]`` is ``deployer``."""
    return chain.accounts


@pytest.fixture(scope="session")
def deployer(accounts: list[str]) -> str:
    """The account that deploys the system: issuer, admin, verifier and transfer agent."""
    return accounts[0]


@pytest.fixture(scope="session")
def identity_registry(chain: Chain, deployer: str) -> IdentityRegistry:
    """An ``IdentityRegistry`` administered by ``deployer``, who is also its verifier.

    Income and net worth are recorded exactly unless an investor asks for bands (the
    privacy option, floors ``sim.contracts.DEFAULT_BAND_FLOORS_USD``).
    """
    return deploy_identity_registry(chain, admin=deployer)


def _investor_factory(chain: Chain, identity_registry: IdentityRegistry, deployer: str) -> Callable[..., Investor]:
    counter = itertools.count(1)

    def make(
        investor_type: str = "accredited",
        jurisdiction: str = "US",
        *,
        income_usd: int = 0,
        net_worth_usd: int = 0,
        bands: bool = False,
        reg_cf_limit_cents: int | None = None,
        reg_a_limit_cents: int | None = None,
        counted_with: str | bytes | None = None,
        us_person: bool | None = None,
        investor_id: str | bytes | None = None,
        verified: bool = True,
        expiry: int | None = None,
        wallet: str | None = None,
    ) -> Investor:
        address = wallet if wallet is not None else chain.new_account()
        identity = Identity(
            investor_id=investor_id if investor_id is not None else f"investor-{next(counter)}-{address}",
            investor_type=investor_type,
            jurisdiction=jurisdiction,
            us_person=us_person,
            income_usd=income_usd,
            net_worth_usd=net_worth_usd,
            bands=bands,
            reg_cf_limit_cents=reg_cf_limit_cents,
            reg_a_limit_cents=reg_a_limit_cents,
            counted_with=counted_with,
            verified=verified,
            expiry=expiry,
        )
        return identity_registry.register(address, identity, sender=deployer)

    return make


@pytest.fixture
def make_investor(chain: Chain, identity_registry: IdentityRegistry, deployer: str) -> Callable[..., Investor]:
    """Factory of registered investors: ``make_investor(investor_type, jurisdiction, ...)``.

    Creates a new wallet and registers its identity (verified by ``deployer``); returns
    an ``Investor``, a checksum address with ``.identity``. Arguments (all optional):

    - ``investor_type``: ``"accredited"`` (default), ``"retail"``, ``"qualified_purchaser"``,
      ``"institutional"``;
    - ``jurisdiction``: ISO alpha-2 code, default ``"US"``; ``us_person`` defaults to
      ``jurisdiction == "US"``;
    - ``income_usd``, ``net_worth_usd``: exact figures in whole US dollars, what the Reg CF
      and Reg A limits are computed from;
    - ``bands``: record only the band of each figure (privacy option: limits come out low);
    - ``reg_cf_limit_cents``, ``reg_a_limit_cents``: the intermediary's attested limits
      (17 CFR 227.303(b)(1)), recorded instead of income and net worth;
    - ``counted_with``: the investor id of the purchaser this one is counted with under
      Rule 506(b) (a relative sharing the home, an entity more than 50% theirs, 17 CFR
      230.501(e)(1));
    - ``investor_id``: a label shared by wallets of one person (default: unique);
    - ``verified`` (default True), ``expiry`` (Unix time; default 20 years on);
    - ``wallet``: register this address instead of a new one.
    """
    return _investor_factory(chain, identity_registry, deployer)


@pytest.fixture(scope="module")
def make_shared_investor(chain: Chain, identity_registry: IdentityRegistry, deployer: str) -> Callable[..., Investor]:
    """``make_investor`` for module-scoped fixtures: the same arguments; the investors it
    registers exist for the whole test module (and are fresh in every test, by snapshot).
    """
    return _investor_factory(chain, identity_registry, deployer)


def default_token_modules() -> list[ModuleSpec]:
    """The rules of the ``security_token`` fixture: a Rule 506(c) private placement.

    Accredited investors only (17 CFR 230.506(c)), a six-month Rule 144 holding period
    by lot (reporting issuer, 17 CFR 230.144(d)(1)(i)), and no holders in comprehensively
    sanctioned jurisdictions.
    """
    return [
        AccreditedOnly(),
        Lockup.rule_144(reporting_issuer=True),
        Jurisdictions(block=SANCTIONED_JURISDICTIONS),
    ]


@pytest.fixture
def make_security_token(chain: Chain, identity_registry: IdentityRegistry, deployer: str) -> Callable[..., SecurityToken]:
    """Factory of security tokens: ``make_security_token(modules=[...], ...)``.

    Deploys a ``SecurityToken`` with its ``Compliance`` on ``identity_registry``, the
    given compliance modules (specs from ``sim.contracts``, e.g. ``Lockup.rule_144()``,
    ``HolderLimit.rule_506b()``, or dicts with a ``kind``; default: none), ``deployer``
    as admin and agent unless ``admin=`` / ``agent=`` say otherwise. Other keywords:
    ``name``, ``symbol``, ``decimals`` (default 0). Bad module parameters raise
    ``ConfigError`` before anything is deployed.
    """
    return _token_factory(chain, identity_registry, deployer)


@pytest.fixture(scope="module")
def make_shared_security_token(
    chain: Chain, identity_registry: IdentityRegistry, deployer: str
) -> Callable[..., SecurityToken]:
    """``make_security_token`` for module-scoped fixtures: the same arguments; a token it
    deploys is deployed once per test module and is fresh in every test (snapshots)::

        @pytest.fixture(scope="module")
        def token(make_shared_security_token):
            return make_shared_security_token(modules=[Lockup.rule_144()])
    """
    return _token_factory(chain, identity_registry, deployer)


@pytest.fixture
def make_trex_token(chain: Chain, deployer: str) -> Callable[..., Any]:
    """Factory of ERC-3643 tokens, T-REX 4.1.6 (``sim.contracts.trex``):
    ``make_trex_token(allow_countries=["US"], max_balance=..., supply_limit=...)`` deploys
    T-REX's suite and token with ``deployer`` as owner and agent unless ``admin=`` /
    ``agent=`` say otherwise; ``token.register(wallet, "US")`` gives a wallet an ONCHAINID
    identity with a signed KYC claim; ``token.restriction(sender, to, amount)`` is the
    ERC-1404 code our own token would give. T-REX is loaded from ``make trex``'s install
    (or ``TOKENSIM_TREX_PATH``); without it ``TrexNotInstalled`` says what to run.
    """
    from sim.contracts.trex import deploy_trex_token

    def make(**options: Any) -> Any:
        options.setdefault("admin", deployer)
        return deploy_trex_token(chain, **options)

    return make


def _token_factory(chain: Chain, identity_registry: IdentityRegistry, deployer: str) -> Callable[..., SecurityToken]:
    def make(modules: Sequence[ModuleSpec | dict[str, Any]] = (), **options: Any) -> SecurityToken:
        options.setdefault("admin", deployer)
        return deploy_security_token(chain, registry=identity_registry, modules=modules, **options)

    return make


@pytest.fixture(scope="session")
def security_token(chain: Chain, identity_registry: IdentityRegistry, deployer: str) -> SecurityToken:
    """A Rule 506(c) security token ("Tokenized Share", TSH, 0 decimals).

    Rules (``default_token_modules``): accredited recipients only, a six-month Rule 144
    lock-up per acquisition lot, sanctioned jurisdictions blocked. ``deployer`` is admin
    and transfer agent. Fresh in every test (snapshot isolation).
    """
    return deploy_security_token(
        chain, registry=identity_registry, admin=deployer, modules=default_token_modules()
    )


@pytest.fixture(scope="session")
def cash_token(chain: Chain, deployer: str) -> CashToken:
    """A cash token for the payment leg ("US Dollar Token", USDT, 6 decimals), no allow-list.

    ``deployer`` is admin and minter.
    """
    return deploy_cash_token(chain, admin=deployer)


@pytest.fixture(scope="session")
def reverts() -> Callable[..., Any]:
    """``reverts(ErrorClass, **fields)``: assert the block reverts with that typed error.

    ``ErrorClass`` is a class (``solidity.LockupActive``, ``Error``, ``Panic``) or a custom
    error's name; each keyword must equal the error's attribute of that name::

        with reverts(solidity.LockupActive, holder=alice, needed=10) as refused:
            token.transfer(bob, 10, sender=alice)
        refused.value.nextRelease
    """
    return _reverts
