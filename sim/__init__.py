"""tokensim: a security-token and tokenized-collateral lifecycle simulator."""
