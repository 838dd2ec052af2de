"""`python -m voc_synth` runs the CLI."""

from .cli import main

main()
