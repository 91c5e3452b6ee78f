"""The pytest plugin isolates tests and fixtures with chain snapshots (proven with pytester)."""

from __future__ import annotations

import textwrap

HEADER = """
import pytest
from sim.contracts import Lockup
"""


def run(pytester, body: str, *args: str):
    pytester.makepyfile(test_isolation=HEADER + textwrap.dedent(body))
    return pytester.runpytest_inprocess("-q", "-p", "no:randomly", *args)


def test_state_changes_do_not_leak_between_tests(pytester):
    result = run(
        pytester,
        """
        def test_first(security_token, make_investor, deployer):
            security_token.mint(make_investor(), 10, sender=deployer)
            assert security_token.totalSupply() == 10

        def test_second(security_token):
            assert security_token.totalSupply() == 0
        """,
    )
    result.assert_outcomes(passed=2)


def test_clock_moves_do_not_leak_between_tests(pytester):
    result = run(
        pytester,
        """
        START = {}

        def test_first(chain):
            START["now"] = chain.now()
            chain.advance(365 * 86_400)

        def test_second(chain):
            assert chain.now() == START["now"]
        """,
    )
    result.assert_outcomes(passed=2)


def test_module_fixture_is_deployed_once_and_fresh_in_every_test(pytester):
    result = run(
        pytester,
        """
        ADDRESSES = []

        @pytest.fixture(scope="module")
        def token(make_security_token_module):
            return make_security_token_module

        @pytest.fixture(scope="module")
        def make_security_token_module(chain, identity_registry, deployer):
            from sim.contracts import deploy_security_token
            return deploy_security_token(chain, registry=identity_registry, admin=deployer)

        @pytest.mark.parametrize("run", range(3))
        def test_mint(token, make_investor, deployer, run):
            ADDRESSES.append(token.address)
            token.mint(make_investor(), 5, sender=deployer)
            assert token.totalSupply() == 5

        def test_once():
            assert len(set(ADDRESSES)) == 1 and len(ADDRESSES) == 3
        """,
    )
    result.assert_outcomes(passed=4)


def test_the_shared_factories_deploy_once_per_module_and_stay_fresh(pytester):
    """``make_shared_security_token`` and ``make_shared_investor`` serve module-scoped
    fixtures: one deployment for the module, its state reset for every test."""
    result = run(
        pytester,
        """
        from sim.contracts import Lockup

        ADDRESSES = []

        @pytest.fixture(scope="module")
        def token(make_shared_security_token):
            return make_shared_security_token(modules=[Lockup(days=30)], symbol="MOD")

        @pytest.fixture(scope="module")
        def alice(make_shared_investor, token, deployer):
            investor = make_shared_investor("accredited")
            token.mint(investor, 100, sender=deployer)
            return investor

        @pytest.mark.parametrize("run", range(3))
        def test_burn(token, alice, deployer, run):
            ADDRESSES.append((token.address, alice))
            assert token.balanceOf(alice) == 100
            token.burn(alice, 60, sender=deployer)
            assert token.symbol() == "MOD" and token.totalSupply() == 40

        def test_once():
            assert len(set(ADDRESSES)) == 1 and len(ADDRESSES) == 3
        """,
    )
    result.assert_outcomes(passed=4)


def test_function_fixture_changes_are_undone(pytester):
    result = run(
        pytester,
        """
        @pytest.fixture
        def rich(security_token, make_investor, deployer):
            investor = make_investor()
            security_token.mint(investor, 1_000, sender=deployer)
            return investor

        def test_with_fixture(security_token, rich):
            assert security_token.balanceOf(rich) == 1_000

        def test_without_fixture(security_token):
            assert security_token.totalSupply() == 0
        """,
    )
    result.assert_outcomes(passed=2)


def test_ignore_isolation_keeps_the_tests_changes(pytester):
    result = run(
        pytester,
        """
        @pytest.mark.ignore_isolation
        def test_first(chain):
            chain.advance(1_000)
            pytest.shared = chain.now()

        def test_second(chain):
            assert chain.now() == pytest.shared
        """,
    )
    result.assert_outcomes(passed=2)


def test_session_fixture_first_used_inside_a_module_scope_survives_that_scope(pytester):
    """A session fixture set up while a module fixture was alive is rebuilt, not stale."""
    pytester.makepyfile(
        test_a=HEADER + textwrap.dedent(
            """
            @pytest.fixture(scope="module")
            def module_token(chain, identity_registry, deployer):
                from sim.contracts import deploy_security_token
                return deploy_security_token(chain, registry=identity_registry, admin=deployer)

            def test_uses_module_fixture(module_token):
                assert module_token.totalSupply() == 0

            def test_first_use_of_cash(module_token, cash_token, deployer, chain):
                cash_token.mint(chain.new_account(), 1, sender=deployer)
            """
        ),
        test_b=HEADER + textwrap.dedent(
            """
            def test_cash_still_exists(cash_token, deployer, chain):
                holder = chain.new_account()
                cash_token.mint(holder, 7, sender=deployer)
                assert cash_token.balanceOf(holder) == 7
            """
        ),
    )
    result = pytester.runpytest_inprocess("-q", "-p", "no:randomly")
    result.assert_outcomes(passed=3)


def test_unknown_backend_is_a_usage_error(pytester):
    pytester.makepyfile(test_x="def test_x(chain): pass\n")
    result = pytester.runpytest_inprocess("--chain-backend", "geth-in-a-box")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*--chain-backend: unknown backend 'geth-in-a-box'; expected one of: eth-tester*"])


def test_fixtures_are_listed_with_docstrings(pytester):
    result = pytester.runpytest_inprocess("--fixtures")
    for name in ("chain", "accounts", "deployer", "identity_registry", "make_investor", "make_shared_investor",
                 "make_security_token", "make_shared_security_token", "security_token", "cash_token", "reverts"):
        result.stdout.fnmatch_lines([f"{name}*-- *sim/testing/plugin.py*"])
    result.stdout.fnmatch_lines(["*Factory of registered investors*"])
