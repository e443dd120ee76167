"""Benchmarks of the viewer against the alternatives, measured in one run: `python -m bench`."""
