"""The benchmark: `python -m devtools.bench` (see `run`)."""
