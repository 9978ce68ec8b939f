"""Daphne processes forked from one that has loaded Parley already, so that a test can
kill one (SIGKILL) and have another serving again in milliseconds rather than the seconds
a fresh interpreter takes to import Django and the app.

Run as `python -m tests.faults.daphne_forks` with the live server's environment (see
tests/servers.Daphne). Each line on stdin is a port: a child is forked that serves the
ASGI application there; its pid is written back on stdout. Killing children is the
test's business (os.kill); this process only forks, and ends when stdin closes."""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    from config.asgi import application  # Django set up, every app loaded, before forking

    # Children killed are reaped at once, so the test sees them gone.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin:
        port = int(line)
        pid = os.fork()
        if pid == 0:
            serve(application, port)
            os._exit(0)
        print(pid, flush=True)


def serve(application: object, port: int) -> None:
    sys.stdin.close()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    # Imported here: daphne.server installs Twisted's asyncio reactor on import, and each
    # child runs a reactor of its own.
    from daphne.endpoints import build_endpoint_description_strings
    from daphne.server import Server

    Server(
        application=application,
        endpoints=build_endpoint_description_strings(host="127.0.0.1", port=port),
        verbosity=0,
    ).run()


if __name__ == "__main__":
    main()
