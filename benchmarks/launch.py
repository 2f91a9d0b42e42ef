"""Start a command from a small process and report its wall time and peak memory.

Run as a script: `python -S launch.py RESULT.json TIMEOUT_S -- COMMAND...`.

Why a go-between: on Linux a process's peak resident size (`ru_maxrss`) starts at that
of the process it was forked from, so a child of the benchmark (hundreds of MB) would
report the benchmark's memory, not its own. Forked from this small script instead, the
command reports its own peak. It is killed after TIMEOUT_S seconds. Standard library
only, so that it starts in milliseconds.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def main() -> None:
    result_path, timeout_s, separator, *command = sys.argv[1:]
    if separator != "--" or not command:
        raise SystemExit("usage: launch.py RESULT.json TIMEOUT_S -- COMMAND...")
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    killed = []

    def stop(signum: int, frame: object) -> None:
        killed.append(True)
        os.kill(pid, signal.SIGKILL)

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, float(timeout_s))
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    signal.setitimer(signal.ITIMER_REAL, 0)
    with open(result_path, "w", encoding="utf-8") as result:
        json.dump(
            {
                "seconds": seconds,
                "peak_kb": usage.ru_maxrss,
                "exit_code": None if killed else os.waitstatus_to_exitcode(status),
            },
            result,
        )


if __name__ == "__main__":
    main()
