"""``python -m sim``: the tokensim command line."""

from sim.cli import main

main()
