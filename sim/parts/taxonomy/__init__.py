"""The taxonomy: a token's class, its launch under a safe harbor, its venues, rulings.

``part.py`` is the part; each actor has its own module: ``developer`` (notice, sales,
disclosures, exit report, refunds, grants), ``venues`` (the operators), ``traders`` (the
market and its price), ``monitor`` (missed disclosures, fair access), ``regulator``
(rulings); ``ledger.py`` is what they share (balances, class history).
"""
