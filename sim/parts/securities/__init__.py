"""The securities lifecycle: issuance, trading, clearing, custody, distributions, faults.

``part.py`` is the part (what it deploys, starts, samples and reports); each actor has its
own module: ``issuer``, ``investors``, ``venue``, ``clearing``, ``custodian``,
``price_feed``, ``faults``, ``compliance``; ``system.py`` deploys the contracts.
"""
