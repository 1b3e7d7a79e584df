"""Start a process of `make run` again when it exits on its own, so one crash does not stop the product.

    python -m statuspage.run.respawn -- python -m celery -A statuspage worker ...

honcho, which runs the processes of `make run`, stops all of them as soon as one exits: a worker that
dies would take the web, beat and the fleet with it. Wrapped in this, a command that exits while nobody
asked it to stop is logged and started again, after a pause that doubles with each exit in a row (from
--min-delay-s up to a minute) so a crash loop does not spin. honcho stops a process by signalling its
process group, which the command shares with us: on SIGTERM or SIGINT we let the command stop, do not
start it again, and exit with its code.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time

MAX_DELAY_S = 60.0
# A run at least this long was healthy: the next exit is not part of a crash loop.
HEALTHY_RUN_S = 60.0


class Supervisor:
    def __init__(self, argv: list[str], min_delay_s: float) -> None:
        self.argv = argv
        self.min_delay_s = min_delay_s
        self.stopping = False

    def stop(self, signum: int, frame: object) -> None:
        # Not forwarded: the command got the same signal from honcho's killpg, and a second SIGTERM
        # would cut a Celery worker's warm shutdown short.
        self.stopping = True

    def run(self) -> int:
        delay = self.min_delay_s
        restarts = 0
        while True:
            started = time.monotonic()
            code = exit_status(subprocess.call(self.argv))
            if self.stopping:
                return code
            lasted = time.monotonic() - started
            delay = self.min_delay_s if lasted >= HEALTHY_RUN_S else delay
            restarts += 1
            log(f"exited with code {code} after {lasted:.0f}s; restart {restarts} in {delay:g}s")
            if not self.pause(delay):
                return code
            delay = min(delay * 2, MAX_DELAY_S)

    def pause(self, seconds: float) -> bool:
        """Wait before a restart; False when a stop arrives meanwhile."""
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.1, seconds))
        return not self.stopping


def exit_status(returncode: int) -> int:
    """The status a shell reports: 128 + the signal for a command a signal ended (-15 -> 143)."""
    return 128 - returncode if returncode < 0 else returncode


def log(message: str) -> None:
    print(f"respawn: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m statuspage.run.respawn", description=__doc__)
    parser.add_argument("--min-delay-s", type=float, default=1.0, help="pause before the first restart")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command and its arguments")
    options = parser.parse_args(argv)
    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    if not command:
        parser.error("no command given")
    supervisor = Supervisor(command, options.min_delay_s)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, supervisor.stop)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
