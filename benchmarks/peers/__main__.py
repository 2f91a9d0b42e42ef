"""Run one peer on one request file in its own process: `python -m benchmarks.peers NAME FILE`.

The benchmark starts each peer this way so that a peer that overruns its time limit (a
model too big to even build in time) can be stopped, and so that its peak memory is its
own. The outcome is written as JSON to `--out`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.peers import PEERS
from solver.input_errors import parse_request


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers")
    parser.add_argument("peer", choices=sorted(PEERS))
    parser.add_argument("input", type=Path)
    parser.add_argument("--time-limit", type=float, required=True, metavar="S")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    request = parse_request(args.input.read_bytes())
    outcome = PEERS[args.peer](request, args.time_limit)
    args.out.write_text(json.dumps(outcome.to_json()), encoding="utf-8")


if __name__ == "__main__":
    main()
