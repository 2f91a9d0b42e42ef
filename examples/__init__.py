"""Example requests with the plans they produce; `python -m examples.build` rewrites them."""
