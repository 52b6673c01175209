"""The indexes of the public search (public/migrations/0001_search_indexes.py, ADR 0014): trigrams work for Chinese
in this database, the planner takes the character-pair index for 1–2 characters and the trigram index for more, and a
server without pg_trgm is told in the log, never a crash."""

from __future__ import annotations

import importlib
import logging

import pytest
from django.db import connection

from public import search

pytestmark = pytest.mark.django_db
migration = importlib.import_module("public.migrations.0001_search_indexes")


def scalar(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_pg_trgm_makes_trigrams_of_chinese_here():
    """LC_CTYPE C.UTF-8 (our servers and the embedded PostgreSQL of `make run`) treats CJK as letters; "C" would not."""
    assert scalar("SELECT datctype FROM pg_database WHERE datname = current_database()") != "C"
    assert len(scalar("SELECT show_trgm('青秀山景区')")) >= 5
    assert search.trigram_ready()


def test_the_character_pairs():
    assert set(scalar("SELECT yeji_grams('青秀山A')")) == {"青", "秀", "山", "a", "青秀", "秀山", "山a"}
    assert scalar("SELECT yeji_query_grams('青')") == ["青"]
    assert set(scalar("SELECT yeji_query_grams('青秀山')")) == {"青秀", "秀山"}


def test_every_index_is_there():
    names = {row[0] for row in _rows("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'yeji%%'")}
    assert names >= {
        "yeji_project_name_grams",
        "yeji_project_name_trgm",
        "yeji_enterprise_name_grams",
        "yeji_enterprise_name_trgm",
    }


def _rows(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("query", "index"),
    [("桥", "yeji_project_name_grams"), ("青秀", "yeji_project_name_grams"), ("青秀山", "yeji_project_name_trgm")],
)
def test_the_planner_takes_the_index_that_answers_the_length(query, index):
    from projects.models import Project

    assert index in plan(Project.objects.filter(search.name_condition("prj_name", query)))


def test_without_trigrams_every_length_takes_the_character_pairs(monkeypatch):
    from projects.models import Project

    monkeypatch.setattr(search, "trigram_ready", lambda: False)
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX yeji_project_name_trgm")  # as where it makes no trigram of Chinese (rolled back)
    assert "yeji_project_name_grams" in plan(Project.objects.filter(search.name_condition("prj_name", "青秀山景区")))


def test_a_server_without_pg_trgm_is_told_in_the_log_not_a_crash(caplog):
    class Refusing:
        alias = connection.alias

        def cursor(self):
            raise RuntimeError('could not open extension control file "pg_trgm.control"')

    with caplog.at_level(logging.WARNING, logger="public.search"):
        assert migration.create_trigram_extension(Refusing()) is False
    assert "pg_trgm is not available" in caplog.text and "pg_trgm.control" in caplog.text
    assert scalar("SELECT 1") == 1  # the transaction goes on
