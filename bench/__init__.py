"""Benchmarks: synthetic data at scale and ratios against raw baselines (python -m bench.run)."""
