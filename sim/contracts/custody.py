"""Custody: the omnibus vault's handle and deployment."""

from __future__ import annotations

from typing import Any

from eth_hash.auto import keccak

from sim.chain.chain import Chain
from sim.chain.contract import Contract

OPERATOR_ROLE = keccak(b"OPERATOR_ROLE")


class CustodyVault(Contract):
    """Handle on a ``CustodyVault``."""

    def breaks(self, token: Any) -> int:
        """On-chain balance minus ledger total for ``token`` (0 when reconciled)."""
        ledger, on_chain = self.reconcile(token)
        return on_chain - ledger




def deploy_vault(chain: Chain, *, name: str, admin: Any, operator: Any = None) -> CustodyVault:
    """Deploy an omnibus vault; ``operator`` (default ``admin``) runs the sub-ledger."""
    vault = chain.deploy("CustodyVault", name, admin, sender=admin)
    vault.grantRole(OPERATOR_ROLE, operator if operator is not None else admin, sender=admin)
    return vault  # type: ignore[return-value]
