"""Benchmarks, run on demand (never by the test suite): see bench/board.py."""
