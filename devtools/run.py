"""`make run`: migrate, load the demo data, then start web, worker and beat under honcho (Ctrl-C stops all)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def ensure_database() -> None:
    """Create the database named by DATABASE_URL when the server does not have it yet (a fresh server)."""
    import environ
    import psycopg2

    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    params = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or config.get("OPTIONS", {}).get("host"),
        "port": config.get("PORT") or None,
    }
    conn = psycopg2.connect(**{k: v for k, v in params.items() if v})
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
            if cursor.fetchone() is None:
                print(f"· creating database {config['NAME']}", flush=True)
                cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    finally:
        conn.close()


def main() -> int:
    port = os.environ.get("PORT", "8000")
    ensure_database()
    manage("migrate", "--noinput", "--verbosity", "0")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    manage("seed_demo")
    manage("auto_approve_overdue")  # what ran over while nothing ran is approved before anybody looks (G5/P1)
    print(
        f"\n  业绩补录平台 is starting on http://127.0.0.1:{port}/\n"
        f"    admin (bureaus, provincial staff): http://127.0.0.1:{port}/admin/\n"
        f"    health:                            http://127.0.0.1:{port}/healthz\n"
        f"    API docs:                          http://127.0.0.1:{port}/api/docs/\n"
        "    mock national platform:            http://127.0.0.1:8001/healthz "
        "(push: python manage.py push_to_national)\n"
        "  Press Ctrl-C to stop everything.\n",
        flush=True,
    )
    env = dict(os.environ, YEJI_PORT=port)
    bin_dir = Path(sys.executable).parent
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    os.chdir(ROOT)
    os.execvpe(str(bin_dir / "honcho"), ["honcho", "start", "-f", "Procfile"], env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
