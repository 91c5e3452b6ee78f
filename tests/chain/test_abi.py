"""Contract handles: what Python values go in, what comes out."""

from __future__ import annotations

import pytest

from sim.chain import Artifact
from sim.chain.abi import AbiFunction, address_str
from sim.contracts import Identity
from sim.errors import ConfigError

TAG = b"t".ljust(32, b"\x00")


@pytest.fixture
def probe(chain, deployer):
    return chain.deploy("ChainProbe", 1, sender=deployer)


def test_views_return_values_and_transactions_return_receipts(chain, probe, deployer):
    assert probe.value() == 1
    receipt = probe.setValue(2, TAG, sender=deployer)
    assert receipt.status == 1 and receipt.return_value == 1
    assert receipt.tx_hash.startswith("0x") and len(receipt.tx_hash) == 66


def test_transactions_need_an_explicit_sender(probe):
    with pytest.raises(ConfigError, match="ChainProbe.setValue sends a transaction: pass sender="):
        probe.setValue(2, TAG)


def test_call_simulates_without_sending(chain, probe, deployer):
    assert probe.setValue.call(5, TAG, sender=deployer) == 1
    assert probe.value() == 1


def test_arguments_by_name(chain, probe, deployer):
    probe.setValue(newValue=9, tag=TAG, sender=deployer)
    assert probe.value() == 9


def test_wrong_argument_count_names_the_signature(probe):
    with pytest.raises(ConfigError, match=r"setValue\(uint256,bytes32\) takes 2 argument\(s\) \(newValue, tag\), got 1"):
        probe.setValue(2, sender="0x" + "11" * 20)


def test_unencodable_value_is_a_clear_error(probe, deployer):
    with pytest.raises(ConfigError, match=r"setValue\(uint256,bytes32\): cannot encode arguments"):
        probe.setValue(-1, TAG, sender=deployer)


def test_unknown_function_is_an_attribute_error(probe):
    with pytest.raises(AttributeError, match="ChainProbe has no function 'nope'"):
        probe.nope  # noqa: B018


def test_struct_output_is_a_named_tuple(identity_registry, make_investor):
    investor = make_investor(jurisdiction="CA")
    record = identity_registry.identityOf(investor)
    assert type(record).__name__ == "Identity"
    assert record.jurisdiction == b"CA" and record._asdict()["usPerson"] is False


def test_struct_input_as_dict_tuple_or_object(chain, identity_registry, deployer):
    struct = Identity(investor_id="s").to_struct(chain.now())
    wallets = [chain.new_account() for _ in range(3)]
    identity_registry.registerIdentity(wallets[0], struct, sender=deployer)
    identity_registry.registerIdentity(wallets[1], tuple(struct.values()), sender=deployer)
    record = identity_registry.identityOf(wallets[0])
    identity_registry.registerIdentity(wallets[2], record, sender=deployer)
    assert identity_registry.identityOf(wallets[2]) == record


def test_struct_missing_field_is_named(chain, identity_registry, deployer):
    struct = Identity(investor_id="s").to_struct(chain.now())
    del struct["expiry"]
    with pytest.raises(ConfigError, match="struct is missing field"):
        identity_registry.registerIdentity(chain.new_account(), struct, sender=deployer)


def test_addresses_come_back_checksummed(chain, probe):
    lower = chain.accounts[2].lower()
    assert probe.context(sender=lower)[2] == chain.accounts[2]


def test_short_text_fits_fixed_bytes():
    fn = AbiFunction({"name": "f", "type": "function", "inputs": [{"name": "j", "type": "bytes2"}], "outputs": []})
    assert fn.encode(["US"]).endswith(b"US".ljust(32, b"\x00"))
    with pytest.raises(ConfigError, match="does not fit in bytes2"):
        fn.encode(["USA"])


def test_address_forms_are_normalised():
    raw = bytes.fromhex("ab" * 20)
    assert address_str(raw) == address_str("0x" + "ab" * 20) == "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"
    with pytest.raises(ConfigError, match="not an address"):
        address_str("alice")


def test_deploying_a_users_artifact_from_file(chain, tmp_path, deployer):
    from sim.chain.artifacts import load

    shipped = load("ChainProbe")
    path = tmp_path / "MyToken.json"
    path.write_text(
        '{"contractName": "MyProbe", "abi": %s, "bytecode": {"object": "%s"}}'
        % (__import__("json").dumps(list(shipped.abi)), shipped.bytecode.hex())
    )
    mine = chain.deploy(Artifact.from_file(path), 5, sender=deployer)
    assert mine.value() == 5 and repr(mine).startswith("<MyProbe 0x")


@pytest.mark.parametrize(
    ("content", "message"),
    [("{", "not valid JSON"), ('{"bytecode": "0x"}', r"not a contract artifact \(missing 'abi'\)"), ('{"abi": [], "bytecode": "0x__$lib$__"}', "not hex")],
)
def test_bad_artifacts_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "Bad.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        Artifact.from_file(path)


def test_unknown_shipped_contract_lists_the_known_ones(chain, deployer):
    with pytest.raises(ConfigError, match="no shipped contract named 'Nope'; known: .*SecurityToken"):
        chain.deploy("Nope", sender=deployer)
