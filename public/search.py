"""Public search (J5 公示): which projects anyone may find, by which filters, in which order (ADR 0014).

Only what is published is ever found: a project appears when at least one claim on it is published
(`Record.objects.published()`: approved, never a working copy, never fraud), and the record-level filters (enterprise,
completion year, grade) ask that same published claim. Name substrings use the indexes of
public/migrations/0001_search_indexes.py: a 1- or 2-character query the character-pair index (`yeji_grams`), a longer
one the trigram index (ILIKE) where pg_trgm makes trigrams of Chinese characters, else the character-pair index too.
Counts stop at COUNT_CAP: a frequent word matches most of a million projects, and counting them all would cost more
than the page itself.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, Func, OuterRef, Q, QuerySet, Value

from accounts.models import Enterprise, Region, RegionLevel
from projects.models import Project, Record

log = logging.getLogger("public.search")

PAGE_SIZE = 20
COUNT_CAP = 1000
#: an 18-character unified social credit code (GB 32100 alphabet: no I, O, S, V, Z)
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
#: a piece of a credit code: letters and digits only, 6 at least
CODE_PIECE_RE = re.compile(r"^[0-9A-Za-z]{6,17}$")
#: 项目编号: 16 digits (accounts.validators.validate_prj_num); anything else names no project
PRJ_NUM_RE = re.compile(r"^[0-9]{16}$")


def like_pattern(text: str) -> str:
    """%text% with LIKE's wildcards and escape character in `text` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class ILikeContains(Func):
    """`column ILIKE '%text%'` (the trigram index's operator; Django's icontains writes UPPER(column) LIKE …)."""

    output_field = BooleanField()

    def __init__(self, column: str, text: str):
        super().__init__(column, Value(like_pattern(text)))

    def as_sql(self, compiler, conn, **extra):
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        pattern_sql, pattern_params = compiler.compile(self.source_expressions[1])
        return f"({column_sql} ILIKE {pattern_sql})", [*column_params, *pattern_params]


class GramsContain(Func):
    """`yeji_grams(column) @> yeji_query_grams(text)`, and for 3 characters or more `AND column ILIKE '%text%'`: the
    character-pair index finds the candidates, ILIKE keeps those that hold the whole text in one piece."""

    output_field = BooleanField()

    def __init__(self, column: str, text: str):
        super().__init__(column, Value(text), Value(like_pattern(text)))

    def as_sql(self, compiler, conn, **extra):
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        text_sql, text_params = compiler.compile(self.source_expressions[1])
        grams = f"yeji_grams({column_sql}) @> yeji_query_grams({text_sql})"
        if len(self.source_expressions[1].value) <= 2:
            # a character or a pair is in the name's grams exactly when the name holds it: no second check (and the
            # planner estimates one condition from the index's statistics, not two as if independent)
            return f"({grams})", [*column_params, *text_params]
        pattern_sql, pattern_params = compiler.compile(self.source_expressions[2])
        return f"({grams} AND {column_sql} ILIKE {pattern_sql})", [
            *column_params,
            *text_params,
            *column_params,
            *pattern_params,
        ]


_trigram_ready: dict[str, bool] = {}


def trigram_ready() -> bool:
    """Does this database have pg_trgm, making trigrams of Chinese characters? Asked once per database and process;
    a "no" is logged once (the search then takes the character-pair index for every length)."""
    key = connection.settings_dict["NAME"]
    if key not in _trigram_ready:
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")
            ready = bool(cursor.fetchone()[0])
            if ready:
                cursor.execute("SELECT coalesce(array_length(show_trgm('青秀山'), 1), 0) > 0")
                ready = bool(cursor.fetchone()[0])
        if not ready:
            log.warning(
                "public search: pg_trgm is missing or makes no trigram of Chinese characters in database %s; "
                "name queries use the character-pair index only",
                key,
            )
        _trigram_ready[key] = ready
    return _trigram_ready[key]


def name_condition(column: str, text: str) -> Func:
    """The condition "column holds `text`", written for the index that answers it fastest."""
    if len(text) >= 3 and trigram_ready():
        return ILikeContains(column, text)
    return GramsContain(column, text)


@dataclass(frozen=True)
class Filters:
    """What the public searches by; every value already checked (public.forms.SearchForm)."""

    name: str = ""
    enterprise: str = ""
    region: str = ""  # a province, city or county code
    year: int | None = None  # completion year (竣工验收)
    category: str = ""  # 项目分类 01/02/99
    grade: str = ""  # A/B/C/D

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.enterprise or self.region or self.year or self.category or self.grade)


def enterprises_matching(text: str) -> QuerySet:
    """The enterprises a query names: by its whole credit code, a piece of it, or a piece of its name."""
    if CREDIT_CODE_RE.match(text.upper()):
        return Enterprise.objects.filter(credit_code=text.upper())
    by_name = Enterprise.objects.filter(name_condition("name", text))
    if CODE_PIECE_RE.match(text):
        return Enterprise.objects.filter(Q(credit_code__startswith=text.upper()) | Q(pk__in=by_name.values("pk")))
    return by_name


def counties_under(code: str) -> list[str]:
    """The county codes inside a region (itself, when it is a county); [] for an unknown code."""
    return list(
        Region.objects.filter(
            Q(code=code) | Q(parent_id=code) | Q(parent__parent_id=code), level=RegionLevel.COUNTY
        ).values_list("code", flat=True)
    )


def published_claims(filters: Filters) -> QuerySet:
    """The published records the record-level filters keep (all published records without such filters)."""
    claims = Record.objects.published()
    if filters.enterprise:
        claims = claims.filter(enterprise__in=enterprises_matching(filters.enterprise).values("pk"))
    if filters.year:
        claims = claims.filter(
            finish_check__e_date__gte=f"{filters.year}-01-01", finish_check__e_date__lte=f"{filters.year}-12-31"
        )
    if filters.grade:
        from grading.eligibility import GRADE_FIELD

        claims = claims.filter(**{GRADE_FIELD: filters.grade})
    return claims


def projects(filters: Filters, *, many: bool = False) -> QuerySet:
    """The published projects the filters find, newest first (not yet sliced). `many`: the name matches more than
    COUNT_CAP projects — written as a plain ILIKE, which the planner estimates well and tests row by row while it walks
    the projects newest first (the index condition is for finding few among many)."""
    qs = Project.objects.filter(Exists(published_claims(filters).filter(project_id=OuterRef("pk"))))
    if filters.name:
        qs = qs.filter(ILikeContains("prj_name", filters.name) if many else name_condition("prj_name", filters.name))
    if filters.region:
        qs = qs.filter(county_id__in=counties_under(filters.region))
    if filters.category:
        qs = qs.filter(prj_type=filters.category)
    return qs.order_by("-pk")


def capped_count(qs: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows, counted up to `cap` + 1: (count, whether there are more than `cap`)."""
    n = qs.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


#: a name estimated in at least this share of the projects is counted by walking the newest projects (see below)
FREQUENT_SHARE = 0.1


def name_share(text: str) -> float:
    """The planner's estimate of the share of projects whose name holds `text`'s characters (from the character-pair
    index's statistics: exact for common pairs, an upper bound for longer texts)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM projects_project WHERE yeji_grams(prj_name) @> yeji_query_grams(%s)",
            [text],
        )
        rows = cursor.fetchone()[0][0]["Plan"]["Plan Rows"]
        cursor.execute("SELECT greatest(reltuples, 1) FROM pg_class WHERE oid = 'projects_project'::regclass")
        return rows / cursor.fetchone()[0]


def frequent_name_count(filters: Filters) -> tuple[int, bool]:
    """(COUNT_CAP, True) when a frequent name (工程, 小区: a tenth of all projects or more) finds more than COUNT_CAP
    among the newest projects — read newest first, row by row, a few thousand rows at most; (0, False) otherwise,
    and the caller counts through the index. Counting such a name through the index would read a posting list of
    hundreds of thousands of entries for a page that shows 20."""
    share = name_share(filters.name)
    if share < FREQUENT_SHARE:
        return 0, False
    newest = Project.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    window = int(4 * COUNT_CAP / share)
    walk = projects(filters, many=True).filter(pk__gt=newest - window)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off")
        found = walk.order_by().values("pk")[: COUNT_CAP + 1].count()
        cursor.execute("SET LOCAL enable_bitmapscan = on; SET LOCAL enable_seqscan = on")
    return (COUNT_CAP, True) if found > COUNT_CAP else (0, False)


@dataclass(frozen=True)
class ResultPage:
    projects: list[Project]
    count: int
    capped: bool
    number: int
    pages: int

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_count(count: int) -> int:
    return max(1, -(-count // PAGE_SIZE))


def search(filters: Filters, page: int = 1) -> ResultPage:
    """One page of results with their region, published claims, enterprises and grades: three queries and the
    region names' (select_related) — whatever the page size. In one transaction without parallel workers (a page of 20
    is no work to share: starting workers costs more than it saves) …"""
    from .present import claims_prefetch

    with transaction.atomic(), connection.cursor() as cursor:
        # …and nested loops only: every query here looks for few rows among many through indexes; a hash of all the
        # records of a year (the planner's choice for region + year) is the slowest way to find the first thousand.
        cursor.execute(
            "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL enable_hashjoin = off; "
            "SET LOCAL enable_mergejoin = off"
        )
        qs = projects(filters)
        count, capped = frequent_name_count(filters) if filters.name else (0, False)
        if not capped:
            count, capped = capped_count(qs)
        pages = page_count(count)
        number = min(max(page, 1), pages)
        start = (number - 1) * PAGE_SIZE
        if capped:
            # More than COUNT_CAP matches: the newest 20 are found soonest walking the projects newest first and
            # testing each row (ILIKE, a few µs) — not by fetching and sorting every match from an index, which the
            # planner would do, multiplying the index condition's selectivity by its ILIKE check's.
            qs = projects(filters, many=True)
            cursor.execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off")
        related = qs.select_related("county__parent__parent").prefetch_related(claims_prefetch())
        rows = list(related[start : start + PAGE_SIZE])
    return ResultPage(rows, count, capped, number, pages)


def published_project(prj_num: str) -> Project | None:
    """The project of this number when some claim on it is published; None otherwise (never a draft's project)."""
    from .present import claims_prefetch, detail_prefetches

    if not PRJ_NUM_RE.match(prj_num or ""):
        return None
    return (
        Project.objects.filter(prj_num=prj_num)
        .filter(Exists(Record.objects.published().filter(project_id=OuterRef("pk"))))
        .select_related("county__parent__parent")
        .prefetch_related(claims_prefetch(detail=True), *detail_prefetches())
        .first()
    )


def published_record(pk: int) -> Record | None:
    if not 0 < pk < 2**63:  # a bigint holds no larger id
        return None
    return Record.objects.published().select_related("project").filter(pk=pk).first()
