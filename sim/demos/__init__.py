"""Demos that narrate a token's life step by step, for teaching and first runs."""
