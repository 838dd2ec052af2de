"""`python -m voc_synth.bench` runs the benchmark (see `voc_synth.bench`)."""

from voc_synth.bench.cli import main

if __name__ == "__main__":
    main()
