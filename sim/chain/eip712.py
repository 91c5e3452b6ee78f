"""EIP-712 typed-data hashes, for signed intents (orders, purchase intents).

A contract that verifies signed intents (OpenZeppelin ``EIP712``) publishes its domain
(ERC-5267 ``eip712Domain()``: name, version, chain id, its own address); an intent is a
struct of static fields hashed with its type string. The digest a wallet signs is
``keccak256(0x1901 || domainSeparator || structHash)``::

    domain = Domain.of(venue_registry)            # reads eip712Domain() once
    digest = domain.digest(ORDER_TYPE, ORDER_FIELDS, values)
    signature = chain.sign(seller, digest)

Only structs of static ABI types (address, bool, uintN, intN, bytesN) are supported: what
the project's intents use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import eth_abi
from eth_hash.auto import keccak

from sim.chain.abi import tuple_encoder

DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"


@lru_cache(maxsize=None)
def type_fields(type_string: str) -> list[str]:
    """The ABI types of a struct's fields, from its EIP-712 type string."""
    body = re.fullmatch(r"\w+\((.*)\)", type_string)
    if body is None:
        raise ValueError(f"not an EIP-712 struct type: {type_string!r}")
    return [field.split(" ")[0] for field in body.group(1).split(",") if field]


def struct_hash(type_string: str, values: tuple[Any, ...]) -> bytes:
    """``hashStruct``: keccak of the type hash and the ABI-encoded (static) fields."""
    return keccak(_type_hash(type_string) + tuple_encoder(tuple(type_fields(type_string)))(values))


@lru_cache(maxsize=None)
def _type_hash(type_string: str) -> bytes:
    return keccak(type_string.encode())


@dataclass(frozen=True)
class Domain:
    """An EIP-712 domain: its separator, from which every digest of the domain follows."""

    separator: bytes

    @classmethod
    def of(cls, contract: Any) -> Domain:
        """The domain a deployed contract publishes through ERC-5267 ``eip712Domain()``."""
        _, name, version, chain_id, verifying, _, _ = contract.eip712Domain()
        encoded = eth_abi.encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [keccak(DOMAIN_TYPE.encode()), keccak(name.encode()), keccak(version.encode()), chain_id, verifying],
        )
        return cls(keccak(encoded))

    def digest(self, type_string: str, values: tuple[Any, ...]) -> bytes:
        """The hash a wallet signs for the struct ``values`` of ``type_string``."""
        return keccak(b"\x19\x01" + self.separator + struct_hash(type_string, values))


__all__ = ["DOMAIN_TYPE", "Domain", "struct_hash", "type_fields"]
