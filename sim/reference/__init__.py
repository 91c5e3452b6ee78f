"""Collateral valuation and margin in Python: the references the contracts are checked against."""
