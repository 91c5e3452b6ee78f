"""Revert data becomes typed exceptions in one place (sim.chain.reverts)."""

from __future__ import annotations

import pickle

import eth_abi
import pytest
from eth_hash.auto import keccak

from sim.chain import Artifact, register_artifact
from sim.chain.reverts import decode_revert, registry
from sim.errors import (
    ContractRevert,
    CustomError,
    Error,
    ExecutionHalted,
    Panic,
    TransferRestricted,
    UnknownRevert,
)
from sim.chain.reverts import solidity


def _encode_error(signature: str, types: list[str], values: list) -> bytes:
    return keccak(signature.encode())[:4] + eth_abi.encode(types, values)


def test_error_string_decodes_to_Error_with_reason():
    data = _encode_error("Error(string)", ["string"], ["not allowed"])
    error = decode_revert(data)
    assert type(error) is Error and error.reason == "not allowed" and error.data == data


def test_panic_decodes_with_code_and_meaning():
    error = decode_revert(_encode_error("Panic(uint256)", ["uint256"], [0x11]))
    assert type(error) is Panic
    assert (error.code, error.meaning) == (0x11, "arithmetic overflow or underflow")


def test_custom_error_decodes_to_its_class_with_named_fields():
    holder = "0x" + "ab" * 20
    data = _encode_error(
        "LockupActive(address,uint256,uint256,uint64)",
        ["address", "uint256", "uint256", "uint64"],
        [holder, 5, 10, 1_800_000_000],
    )
    error = decode_revert(data)
    assert type(error) is solidity.LockupActive
    assert isinstance(error, TransferRestricted) and isinstance(error, CustomError)
    assert error.holder == "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"
    assert (error.unlocked, error.needed, error.nextRelease) == (5, 10, 1_800_000_000)
    assert error.code == 10
    assert str(error).startswith("LockupActive(holder=")


def test_unknown_selector_keeps_the_raw_data():
    error = decode_revert(b"\xde\xad\xbe\xef" + b"\x00" * 32)
    assert type(error) is UnknownRevert and error.data.startswith(b"\xde\xad")


def test_malformed_payload_of_a_known_selector_is_unknown_not_a_crash():
    error = decode_revert(keccak(b"Error(string)")[:4] + b"\x01")
    assert type(error) is UnknownRevert


def test_halt_without_data_is_ExecutionHalted():
    error = decode_revert(b"", halt_reason="OutOfGas")
    assert type(error) is ExecutionHalted and error.reason == "OutOfGas"


def test_every_custom_error_in_the_artifacts_has_a_class():
    from sim.chain.artifacts import shipped

    names = {e["name"] for a in shipped() for e in a.abi if e.get("type") == "error"}
    assert names <= set(registry.names())
    for name in names:
        assert getattr(solidity, name).__name__ == name


def test_unknown_error_name_raises_AttributeError():
    with pytest.raises(AttributeError, match="no Solidity custom error named 'NoSuchError'"):
        solidity.NoSuchError  # noqa: B018


def test_errors_pickle_and_compare_by_fields():
    error = decode_revert(
        _encode_error("HolderLimitReached(uint256,uint256)", ["uint256", "uint256"], [35, 35])
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and copy.values == error.values and copy.data == error.data


def test_all_reverts_share_one_root():
    for cls in (Error, Panic, ExecutionHalted, UnknownRevert, CustomError, solidity.SenderFrozen):
        assert issubclass(cls, ContractRevert)


def test_an_issuers_own_artifact_adds_its_errors():
    artifact = Artifact.from_dict(
        {
            "contractName": "IssuerToken",
            "abi": [
                {
                    "type": "error",
                    "name": "IssuerBlackout",
                    "inputs": [{"name": "until", "type": "uint64", "internalType": "uint64"}],
                }
            ],
            "bytecode": "0x",
        }
    )
    register_artifact(artifact)
    error = decode_revert(_encode_error("IssuerBlackout(uint64)", ["uint64"], [99]))
    assert type(error) is solidity.IssuerBlackout and error.until == 99
