"""The mock's storage: one SQLite file of its own (NATIONAL_MOCK_DB), shared by its worker processes."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (
    account TEXT NOT NULL, table_name TEXT NOT NULL, row_id TEXT NOT NULL,
    version INTEGER NOT NULL, prj_num TEXT NOT NULL, natural_num TEXT NOT NULL, national_id TEXT NOT NULL,
    data TEXT NOT NULL, receipts INTEGER NOT NULL DEFAULT 1, writes INTEGER NOT NULL DEFAULT 1,
    received_at REAL NOT NULL, updated_at REAL NOT NULL,
    PRIMARY KEY (account, table_name, row_id)
);
CREATE INDEX IF NOT EXISTS rows_prj ON rows (prj_num, table_name);
CREATE INDEX IF NOT EXISTS rows_natural ON rows (table_name, natural_num);
CREATE TABLE IF NOT EXISTS sequences (prj_num TEXT NOT NULL, code TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (prj_num, code));
CREATE TABLE IF NOT EXISTS false_marks (
    account TEXT NOT NULL, row_id TEXT NOT NULL, prj_num TEXT NOT NULL, corp_code TEXT NOT NULL,
    corp_name TEXT NOT NULL, reason TEXT NOT NULL, mark_date TEXT NOT NULL, receipts INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (account, row_id)
);
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, account TEXT NOT NULL, table_name TEXT NOT NULL,
    rows INTEGER NOT NULL, accepted INTEGER NOT NULL, rejected INTEGER NOT NULL, duplicates INTEGER NOT NULL,
    fault TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def db_path() -> Path:
    default = Path.cwd() / "var" / "national_mock.sqlite3"
    return Path(os.environ.get("NATIONAL_MOCK_DB") or default)


_local = threading.local()


def connection() -> sqlite3.Connection:
    """This thread's connection (the server runs threads in several processes)."""
    conn = getattr(_local, "conn", None)
    if conn is None or getattr(_local, "pid", 0) != os.getpid():
        path = db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=60, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=60000")
        conn.executescript(SCHEMA)
        _local.conn, _local.pid = conn, os.getpid()
    return conn


@contextlib.contextmanager
def write():
    """One write transaction (BEGIN IMMEDIATE: the workers take turns)."""
    conn = connection()
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def get_setting(key: str, default=None):
    row = connection().execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return json.loads(row["value"]) if row else default


def set_setting(key: str, value) -> None:
    with write() as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value, ensure_ascii=False)),
        )


def reset() -> None:
    with write() as conn:
        for table in ("rows", "sequences", "false_marks", "calls", "settings"):
            conn.execute(f"DELETE FROM {table}")  # our own table names


def log_call(conn, account: str, table: str, rows: int, accepted: int, rejected: int, duplicates: int, fault: str):
    conn.execute(
        "INSERT INTO calls (at, account, table_name, rows, accepted, rejected, duplicates, fault) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (time.time(), account, table, rows, accepted, rejected, duplicates, fault),
    )


def next_sequence(conn, prj_num: str, code: str) -> int:
    conn.execute(
        "INSERT INTO sequences (prj_num, code, n) VALUES (?, ?, 1) ON CONFLICT (prj_num, code) DO UPDATE SET n = n + 1",
        (prj_num, code),
    )
    return conn.execute("SELECT n FROM sequences WHERE prj_num = ? AND code = ?", (prj_num, code)).fetchone()["n"]
