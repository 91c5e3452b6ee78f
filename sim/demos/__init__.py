"""Demos that narrate a token's life step by step, for teaching and first runs.

- ``issuance``: a Reg D 506(b) issuance, act by act on a bare chain;
- ``settlement``: a run of ``custodian_omnibus_t1`` told step by step: delivery versus
  payment, a netted cycle, a fail and its penalty, a buy-in, then its report.
"""
