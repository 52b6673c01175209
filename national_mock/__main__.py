"""`python -m national_mock [--port 8001] [--host 127.0.0.1] [--workers 2]` — the mock under gunicorn."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m national_mock")
    parser.add_argument("--host", default=os.environ.get("NATIONAL_MOCK_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("NATIONAL_MOCK_PORT", "8001")))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    options = parser.parse_args(argv)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "national_mock.app:application",
        "--bind",
        f"{options.host}:{options.port}",
        "--workers",
        str(options.workers),
        "--threads",
        str(options.threads),
        "--worker-class",
        "gthread",
        "--timeout",
        "120",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]
    env = {k: v for k, v in os.environ.items() if k not in ("GUNICORN_CMD_ARGS", "WEB_CONCURRENCY")}  # the web's
    os.execve(sys.executable, command, env)


if __name__ == "__main__":
    main()
