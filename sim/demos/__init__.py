"""Demos that narrate a token's life step by step, for teaching and first runs.

- ``issuance``: a Reg D 506(b) issuance, act by act on a bare chain;
- ``settlement``, ``collateral``, ``safe_harbor``: each plays a shipped scenario
  (``custodian_omnibus_t1``, ``cross_margin_hedged_book``, ``safe_harbor_fails``) and tells
  its event log step by step: the rule in plain words, what the chain did, why; then points
  at the run's report.html. ``_narration`` is what they share.
"""
