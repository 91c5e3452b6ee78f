"""Markets: price paths and order matching."""
