"""The actors of a run, one module each: issuer, investors, venue, clearing, custodian, oracle, faults."""
