"""Collateral and margin: assets and their prices, margin accounts, perpetuals, calls, liquidation.

``part.py`` is the part; each actor has its own module: ``price_feed`` (prices, marks,
shocks), ``funding`` (the keeper), ``desk`` (the margin desk), ``liquidator``,
``account_holders`` (the clients' orders and answers to calls).
"""
