"""Benchmarks, synthetic data, load and fault rigs: outside the product packages."""
