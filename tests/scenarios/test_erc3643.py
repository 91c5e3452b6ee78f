"""A scenario on an ERC-3643 (T-REX) token: the same actors, the same rules where T-REX has
them, the same summary as on tokensim's token; what T-REX cannot play is refused at load."""

from __future__ import annotations

import pytest
import yaml

from sim.contracts import LifecycleToken, SecurityToken
from sim.contracts.erc3643 import Erc3643Token
from sim.contracts.trex import TREX_VERSION
from sim.engine import Run
from sim.scenario import ScenarioError, load, shipped, validate

NAME = "reg_s_category1_erc3643"
SHIPPED = shipped()
DIFFERS = ("wall_seconds", "versions", "state_digest")
"""What two runs on two tokens may not share: time, versions, and the digest of the chain
state (other contracts at other addresses)."""


def _on_our_token(tmp_path):
    scenario = load(SHIPPED[NAME])
    ours = scenario.model_copy(update={"security": scenario.security.model_copy(update={"standard": "tokensim"})})
    simulation = Run(ours, backend="revm")
    result = simulation.run(out_dir=tmp_path)
    return result.summary, simulation


def _without(summary):
    return {k: v for k, v in summary.items() if k not in DIFFERS}


def test_the_scenario_runs_on_t_rex(runs):
    summary, _, simulation = runs(NAME)
    token = simulation.world.service("security").token
    assert summary["status"] == "done"
    assert isinstance(token, Erc3643Token) and isinstance(token, LifecycleToken)
    assert token.token.version() == "4.1.3"  # T-REX 4.1.6 (TREX_VERSION) reports the string its source carries
    assert token.suite.identity_registry.isVerified(token.adapter.address) is False  # the adapter holds nothing


def test_its_summary_equals_the_summary_on_our_token(runs, tmp_path):
    trex, _, _ = runs(NAME)
    ours, simulation = _on_our_token(tmp_path)
    assert isinstance(simulation.world.service("security").token, SecurityToken)
    assert _without(trex) == _without(ours)


def test_the_shared_rules_bound_on_t_rex(runs):
    summary, records, _ = runs(NAME)
    codes = {r.get("code") for r in records if r["outcome"] == "refused"}
    assert {1, 14, 16} <= codes  # paused, blocked country, balance cap: T-REX's modules, our codes
    assert summary["metrics"]["settled"] > 300
    recovered = [r for r in records if r["act"] == "recover_wallet" and r["outcome"] == "ok"]
    assert len(recovered) == 2  # through each investor's ONCHAINID key


def test_an_unverified_investor_cannot_subscribe_on_t_rex(runs):
    _, records, simulation = runs(NAME)
    refused = [r for r in records if r["act"] == "subscribe" and r.get("code") == 7]
    assert refused  # KYC pending: no claim on the identity, T-REX's registry says unverified
    pending = [p for p in simulation.world.participants if p.identity is not None and not p.identity.verified]
    assert {r["investor"] for r in refused} <= {p.label for p in pending}


# ------------------------------------------------------------ refused at load


def _scenario(tmp_path, **security):
    doc = yaml.safe_load(SHIPPED[NAME].read_text())
    doc["security"].update(security)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path, doc


@pytest.mark.parametrize(("kind", "entry", "rule"), [
    ("lockup", {"lockup": {"rule": "rule_144", "reporting_issuer": False}}, "holding periods"),
    ("holder_limit", {"holder_limit": {"rule": "506b"}}, "holder counts"),
    ("accredited_only", {"kind": "accredited_only"}, "accredited-investor status"),
    ("investment_limit", {"investment_limit": {"rule": "reg_cf"}}, "investment limits"),
])
def test_a_rule_t_rex_has_no_module_for_is_refused_at_load_naming_rule_and_standard(tmp_path, kind, entry, rule):
    path, doc = _scenario(tmp_path)
    doc["security"]["compliance"].append(entry)
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ScenarioError) as refused:
        load(path)
    message = str(refused.value)
    assert f"security.compliance.3.{kind}" in message
    assert rule in message and f"standard erc3643 (T-REX {TREX_VERSION})" in message


def test_the_same_rule_loads_on_our_token(tmp_path):
    path, doc = _scenario(tmp_path, standard="tokensim")
    doc["security"]["compliance"].append({"lockup": {"rule": "rule_144", "reporting_issuer": False}})
    path.write_text(yaml.safe_dump(doc))
    assert load(path).security.standard == "tokensim"


def test_an_omnibus_custodian_is_refused_at_load_on_t_rex(tmp_path):
    path, doc = _scenario(tmp_path)
    doc["custodians"] = [{"name": "bank", "mode": "omnibus"}]
    doc["investors"][1]["custody"] = "bank"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ScenarioError, match=r"custodians\.0\.mode: standard erc3643: omnibus custody"):
        load(path)


def test_our_token_stays_the_default(tmp_path):
    path, doc = _scenario(tmp_path)
    del doc["security"]["standard"]
    path.write_text(yaml.safe_dump(doc))
    assert load(path).security.standard == "tokensim"


def test_the_cli_refuses_a_t_rex_scenario_when_t_rex_is_missing_and_writes_nothing(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from sim.cli import app

    monkeypatch.setenv("TOKENSIM_TREX_PATH", str(tmp_path / "nowhere"))
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(SHIPPED[NAME]), "--out", str(out)])
    assert result.exit_code == 2
    assert "make trex" in result.output and not out.exists()



def test_a_bond_without_its_accreditation_rule_pays_and_redeems_alike_on_both_tokens(tmp_path):
    """tokenized_bond_maturity less accredited_only (T-REX has no module for it): coupons to
    the holders of record and redemption at maturity, T-REX's batchBurn ending the supply
    at zero, give the same summary on both tokens."""
    doc = yaml.safe_load(SHIPPED["tokenized_bond_maturity"].read_text())
    doc["security"]["compliance"] = [c for c in doc["security"]["compliance"] if c.get("kind") != "accredited_only"]
    summaries = {}
    for standard in ("tokensim", "erc3643"):
        doc["security"]["standard"] = standard
        scenario = validate(doc, source=f"tokenized_bond_maturity on {standard}")
        summaries[standard] = Run(scenario, backend="revm").run(out_dir=tmp_path / standard).summary
    trex = summaries["erc3643"]["metrics"]
    assert trex["supply"] == 0 and trex["redeemed_usd"] > 0 and trex["coupons_usd"] > 0
    assert _without(summaries["erc3643"]) == _without(summaries["tokensim"])
