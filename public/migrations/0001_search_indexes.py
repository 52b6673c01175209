"""The public search's indexes (issue 12 item 3, ADR 0014): Chinese substrings of project and enterprise names.

- `yeji_grams(text)`: the name's single characters and pairs of characters (lower case), an IMMUTABLE function; a GIN
  index on `yeji_grams(prj_name)` answers a 1- or 2-character query (`@>`), which no trigram index can, and any
  longer query where trigrams do not work (a database whose LC_CTYPE is "C" makes no trigram of a Chinese
  character: `show_trgm('青秀山景区')` is `{}` there).
- pg_trgm: GIN trigram indexes (`gin_trgm_ops`) on the same names for queries of 3 characters or more (ILIKE).
  When the extension cannot be created (not installed, no privilege) the migration says so in the log and goes on
  without them: the search then uses the character-pair index for every length (public.search.trigram_ready).
"""

from __future__ import annotations

import logging

from django.db import migrations, transaction

log = logging.getLogger("public.search")

GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION yeji_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}'::text[]) FROM (
    SELECT substr(lower(t), i, 1) AS g FROM generate_series(1, char_length(t)) AS i
    UNION ALL
    SELECT substr(lower(t), i, 2) FROM generate_series(1, char_length(t) - 1) AS i
  ) AS grams
$$;
"""
QUERY_GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION yeji_query_grams(q text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN char_length(q) < 2 THEN ARRAY[lower(q)]
  ELSE (SELECT array_agg(DISTINCT substr(lower(q), i, 2)) FROM generate_series(1, char_length(q) - 1) AS i) END
$$;
"""

#: (index name, table, column): a character-pair index and a trigram index of each.
NAMES = (
    ("project_name", "projects_project", "prj_name"),
    ("enterprise_name", "accounts_enterprise", "name"),
)


def gram_indexes() -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS yeji_{key}_grams ON {table} USING gin (yeji_grams({col}))"
        for key, table, col in NAMES
    ]


def trigram_indexes() -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS yeji_{key}_trgm ON {table} USING gin ({col} gin_trgm_ops)"
        for key, table, col in NAMES
    ]


def create_trigram_extension(connection) -> bool:
    """CREATE EXTENSION pg_trgm; False (and a warning in the log) when the server refuses it."""
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception as error:  # noqa: BLE001 — any refusal: not installed, no privilege
        log.warning(
            "pg_trgm is not available (%s): public search goes on with its character-pair index only, "
            "slower for long name queries",
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
        )
        return False
    return True


def forwards(apps, schema_editor) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(GRAMS_FUNCTION)
        cursor.execute(QUERY_GRAMS_FUNCTION)
        for sql in gram_indexes():
            cursor.execute(sql)
    if create_trigram_extension(connection):
        with connection.cursor() as cursor:
            for sql in trigram_indexes():
                cursor.execute(sql)
            cursor.execute("SELECT coalesce(array_length(show_trgm('青秀山'), 1), 0)")
            if not cursor.fetchone()[0]:
                log.warning(
                    "pg_trgm makes no trigram of Chinese characters in this database (its LC_CTYPE treats them as "
                    "no letters): public search uses its character-pair index for every query length"
                )


def backwards(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        for key, _table, _col in NAMES:
            cursor.execute(f"DROP INDEX IF EXISTS yeji_{key}_trgm")
            cursor.execute(f"DROP INDEX IF EXISTS yeji_{key}_grams")
        cursor.execute("DROP FUNCTION IF EXISTS yeji_grams(text)")
        cursor.execute("DROP FUNCTION IF EXISTS yeji_query_grams(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("projects", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
