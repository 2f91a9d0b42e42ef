"""Benchmarks: the planner beside the cost of reading its input and beside its peers.

`python -m benchmarks.run` is the one command; see benchmarks/README.md.
"""
