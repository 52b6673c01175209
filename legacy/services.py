"""The old system's migration (J2): its reviewers and records brought into the platform, once.

吉建办〔2020〕108号: "所有经原系统审批通过的业绩，将按照审核部门层级自动划分为A/B/C级，
且在原系统关闭之后无需重复申报和审核".

- 审核人员 → officials (accounts.User, role reviewer) of the authority of their region, with their real name and real
  department (J9); the authority and the department are created when the platform lacks them; the password is
  unusable until staff set one (the old system's passwords never leave it). An account name already taken by
  somebody else is refused; one already taken by the same official is linked, never duplicated.
- 审核通过 → an approved record: every stage (and a new project) carries the reviewing department, the old
  reviewer's real name, the grade of the department's level by grading's own rule (`grades.level_for_authority`: A
  provincial, B city, C county) and the data source of its date; the log row says it was migrated
  (TransitionBy.MIGRATION), with the old reviewer as actor; no review queue holds it (it is not pending), and the
  outbox gets it at once like any approval (review.signals.records_approved → sync), so the next
  `push_to_national` sends it when it meets the national standard (grading.eligibility, J8).
- 待审核 → submitted now, to the responsible authority of today (P2: the migrated reviewers count), with a fresh
  review deadline from the import (review.services' own deadline: G5, J1), so the old system's waiting time is not
  held against the new reviewers.
- 审核不通过 → rejected, with the old reason in its log row: the enterprise edits it and submits it again, as any
  rejected record (G7 does not lock a rejection).

Every record and account is keyed on its province and the old system's id (legacy.LegacyRecord, LegacyReviewer; each
province's old system numbered alike): importing the same file again finds them all and changes nothing. The province
is the importing provincial office's, or, for a superuser, the row's own (a record's project county's province, a
reviewer's region's). The file is checked whole first; `Mode.ALL` writes nothing when any
row has a problem, `Mode.VALID_ROWS` writes the rows without, and the writes are set-based (bulk_create per table
and batch, one outbox INSERT), in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import pghistory
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import (
    AUTHORITY_LEVEL_OF_REGION,
    Authority,
    Department,
    Enterprise,
    Qualification,
    Region,
    RegionLevel,
    Role,
    User,
)
from accounts.roles import GROUP_NAMES
from grading import grades
from projects.campaigns import admission, national_reach
from projects.inputs import NotReadable, read_date
from projects.models import (
    Attachment,
    Campaign,
    Censor,
    CensorStaff,
    Project,
    ProjectCorp,
    Record,
    RecordPerson,
    RecordStatus,
    UnitProject,
)
from review import signals
from review.models import RecordTransition, TransitionBy
from review.selectors import responsible_authority
from review.services import STAGE_FIELDS, STAGE_MODELS, approval_stamp  # the stage tables, what an approval writes
from review.services import record_deadline as submission_deadline_of  # the deadline submit gives (G5, J1)
from review.workdays import SHANGHAI
from transfer import record_rows
from transfer.book import Book, Mode, Problem, Progress, Report, Table, no_progress

from . import layout
from .models import LegacyRecord, LegacyReviewer, LegacyStatus, provincial_province

#: rows per bulk INSERT and between two progress calls
BATCH = 500
HISTORY_JOB = "legacy.import_legacy"

_CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
_DATETIME_RE = re.compile(
    r"^(?P<date>\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?:[ T](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?$"
)


class LegacyFileRefused(Exception):
    """The file as a whole cannot be imported (no records sheet, …): the report's problems say why."""


# ------------------------------------------------------------------------------------------------------------------
# Reading the old system's columns
# ------------------------------------------------------------------------------------------------------------------


def read_datetime(text: str) -> dt.datetime:
    """A time as the old system wrote it, Beijing time: 2020-08-15 10:30[:00], 2020/8/15 10:30, or a day alone
    (then its start). Raises NotReadable."""
    text = (text or "").strip()
    match = _DATETIME_RE.match(text)
    if match is None:
        day = read_date(text)  # the portal's forms: 2020年8月15日, 20200815 …
        return dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    day = read_date(match["date"])
    try:
        return dt.datetime(
            day.year,
            day.month,
            day.day,
            int(match["h"] or 0),
            int(match["m"] or 0),
            int(match["s"] or 0),
            tzinfo=SHANGHAI,
        )
    except ValueError as exc:
        raise NotReadable(text) from exc


@dataclass
class ReviewerRow:
    row: int
    old_id: str
    username: str
    name: str
    authority_name: str
    department: str
    level: str
    region: str
    title: str = ""
    phone: str = ""
    province: str = ""  # whose old system the id is of (accounts.Region code): the key is (province, old_id)


#: the enterprise kind a participating unit's role (TBCORPROLEDIC) or a tender's type (TBTENDERCLASSDIC) names
KIND_OF_ROLE = {"1": "survey", "2": "design", "3": "construction", "4": "supervision"}
KIND_OF_TENDER = {"001": "survey", "002": "design", "003": "construction", "004": "supervision"}


@dataclass
class RecordData:
    """A record of the file as transfer.record_rows reads it, with the enterprise's name (for an enterprise the
    platform does not know yet) and its kind, read off its own 参建单位 row or its tender."""

    rows: record_rows.RecordRows
    enterprise_name: str = ""

    @property
    def enterprise_code(self) -> str:
        return self.rows.credit_code

    @property
    def prj_num(self) -> str:
        return self.rows.prj_num

    @property
    def county(self) -> str:
        return self.rows.county

    @property
    def enterprise_kinds(self) -> list[str]:
        for corp in self.rows.rows["corps"]:
            if corp.values.get("corp_code") == self.enterprise_code and corp.values.get("corp_role") in KIND_OF_ROLE:
                return [KIND_OF_ROLE[corp.values["corp_role"]]]
        kind = KIND_OF_TENDER.get(self.rows.stages.get("tender", {}).get("tender_class") or "")
        return [kind] if kind else ["construction"]

    @property
    def project(self) -> dict:
        return {**self.rows.stages["project"], "county_id": self.county}

    def stage(self, part: str) -> dict | None:
        """The values of a one-to-one stage, None when the file writes none of its cells."""
        return dict(self.rows.stages[part]) if part in self.rows.filled else None

    def part_rows(self, part: str) -> list[record_rows.PartRow]:
        return self.rows.rows[part]


@dataclass
class LegacyRow:
    """One row of the records sheet: the old system's columns and the record's data (transfer.record_rows)."""

    row: int
    old_id: str
    status: str  # LegacyStatus
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    department: str
    level: str  # AuthorityLevel or ""
    region: str
    reviewer_id: str
    reviewer_name: str
    opinion: str
    attachments: dict[str, str]
    data: RecordData | None = None
    province: str = ""  # whose old system the id is of (accounts.Region code): the key is (province, old_id)

    @property
    def reviewer_key(self) -> tuple[str, str]:
        return (self.province, self.reviewer_id)


@dataclass
class _Sink:
    """The problems of one sheet, by row."""

    sheet: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        self.problems.append(Problem(self.sheet, row, column, message))


def _cell(cells: dict, header: str) -> str:
    return (cells.get(header) or "").strip()


def _required(sink: _Sink, row: int, cells: dict, header: str) -> str:
    value = _cell(cells, header)
    if not value:
        sink.add(row, header, _("“%(column)s” is required.") % {"column": header})
    return value


def _level(sink: _Sink, row: int, header: str, text: str) -> str:
    if not text:
        return ""
    level = layout.LEVEL_WORDS.get(text.replace(" ", ""))
    if level is None:
        sink.add(
            row,
            header,
            _("“%(value)s” is not a level: write 省级, 市级 or 县级.") % {"value": text},
        )
        return ""
    return level


def _region(sink: _Sink, row: int, header: str, code: str, regions: dict[str, Region]) -> Region | None:
    if not code:
        return None
    region = regions.get(code)
    if region is None:
        sink.add(
            row,
            header,
            _("“%(value)s” is not an administrative region code (GB/T 2260, six digits).") % {"value": code},
        )
    return region


def _datetime(sink: _Sink, row: int, header: str, text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        return read_datetime(text)
    except NotReadable:
        sink.add(
            row,
            header,
            _("“%(value)s” is not a time: write it as %(example)s.") % {"value": text, "example": layout.DATETIME_HINT},
        )
        return None


def _level_and_region(
    sink: _Sink, row: int, level_cell: tuple[str, str], region_cell: tuple[str, str], regions: dict[str, Region]
) -> tuple[str, Region | None]:
    """A level and a region code (each as (header, text)) read, and the level checked against the region's."""
    level = _level(sink, row, *level_cell)
    region = _region(sink, row, *region_cell, regions)
    if region is not None and level and AUTHORITY_LEVEL_OF_REGION[region.level] != level:
        sink.add(
            row,
            level_cell[0],
            _("The level “%(level)s” does not match the region %(region)s, which is %(expected)s.")
            % {
                "level": level_cell[1],
                "region": str(region),
                "expected": layout.LEVEL_NAMES[AUTHORITY_LEVEL_OF_REGION[region.level]],
            },
        )
    return level, region


def _read_reviewers(book: Book, regions: dict[str, Region], sink: _Sink) -> list[ReviewerRow]:
    table = book.tables.get(layout.REVIEWERS_SHEET)
    rows: list[ReviewerRow] = []
    if table is None:
        return rows
    usernames: dict[str, int] = {}
    for number, cells in table.rows:
        before = len(sink.problems)
        values = {
            header: _required(sink, number, cells, header)
            for header in (
                layout.R_OLD_ID,
                layout.R_USERNAME,
                layout.R_NAME,
                layout.R_AUTHORITY,
                layout.R_DEPARTMENT,
                layout.R_LEVEL,
                layout.R_REGION,
            )
        }
        level, region = _level_and_region(
            sink, number, (layout.R_LEVEL, values[layout.R_LEVEL]), (layout.R_REGION, values[layout.R_REGION]), regions
        )
        username = values[layout.R_USERNAME]
        if username and username in usernames:
            sink.add(
                number,
                layout.R_USERNAME,
                _("The account “%(username)s” is also on row %(row)s: each reviewer needs an account of their own.")
                % {"username": username, "row": usernames[username]},
            )
        usernames.setdefault(username, number)
        if len(sink.problems) == before:
            rows.append(
                ReviewerRow(
                    row=number,
                    old_id=values[layout.R_OLD_ID],
                    username=username[:150],
                    name=values[layout.R_NAME][:50],
                    authority_name=values[layout.R_AUTHORITY][:100],
                    department=values[layout.R_DEPARTMENT][:100],
                    level=level,
                    region=region.code,
                    title=_cell(cells, layout.R_TITLE)[:50],
                    phone=_cell(cells, layout.R_PHONE)[:30],
                )
            )
    return rows


def _read_legacy_columns(number: int, cells: dict, regions: dict[str, Region], sink: _Sink) -> LegacyRow | None:
    before = len(sink.problems)
    old_id = _required(sink, number, cells, layout.OLD_ID)
    status_text = _required(sink, number, cells, layout.OLD_STATUS)
    status = layout.STATUS_WORDS.get(status_text.replace(" ", "")) if status_text else None
    if status_text and status is None:
        sink.add(
            number,
            layout.OLD_STATUS,
            _("“%(value)s” is not a state of the old system: write 审核通过, 待审核 or 审核不通过.")
            % {"value": status_text},
        )
    submitted_at = _datetime(sink, number, layout.SUBMITTED_AT, _required(sink, number, cells, layout.SUBMITTED_AT))
    decided = status in (LegacyStatus.APPROVED, LegacyStatus.REJECTED)
    reviewed_text = _required(sink, number, cells, layout.REVIEWED_AT) if decided else _cell(cells, layout.REVIEWED_AT)
    reviewed_at = _datetime(sink, number, layout.REVIEWED_AT, reviewed_text)
    if submitted_at and reviewed_at and reviewed_at < submitted_at:
        sink.add(number, layout.REVIEWED_AT, _("The review time is before the submission time."))
    now = timezone.now()
    for header, value in ((layout.SUBMITTED_AT, submitted_at), (layout.REVIEWED_AT, reviewed_at)):
        if value and value > now:
            sink.add(number, header, _("This time is in the future."))
    if decided:
        department = _required(sink, number, cells, layout.DEPARTMENT)
        level_text = _required(sink, number, cells, layout.DEPARTMENT_LEVEL)
        region_code = _required(sink, number, cells, layout.DEPARTMENT_REGION)
        reviewer_id = _required(sink, number, cells, layout.REVIEWER_ID)
    else:
        department = _cell(cells, layout.DEPARTMENT)
        level_text = _cell(cells, layout.DEPARTMENT_LEVEL)
        region_code = _cell(cells, layout.DEPARTMENT_REGION)
        reviewer_id = _cell(cells, layout.REVIEWER_ID)
    level, region = _level_and_region(
        sink, number, (layout.DEPARTMENT_LEVEL, level_text), (layout.DEPARTMENT_REGION, region_code), regions
    )
    opinion = _cell(cells, layout.OPINION)
    if status == LegacyStatus.REJECTED and not opinion:
        sink.add(number, layout.OPINION, _("A rejected record needs the reason the old system gave (审核意见)."))
    if len(sink.problems) != before:
        return None
    return LegacyRow(
        row=number,
        old_id=old_id[:50],
        status=status,
        submitted_at=submitted_at,
        reviewed_at=reviewed_at,
        department=department[:100],
        level=level,
        region=region.code if region else "",
        reviewer_id=reviewer_id,
        reviewer_name=_cell(cells, layout.REVIEWER_NAME)[:50],
        opinion=opinion,
        attachments={kind: _cell(cells, header) for kind, header in layout.ATTACHMENT_COLUMNS.items()},
    )


# ------------------------------------------------------------------------------------------------------------------
# The plan: what the file asks, checked against the database
# ------------------------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    reviewers: list[ReviewerRow] = field(default_factory=list)
    records: list[LegacyRow] = field(default_factory=list)
    unchanged_reviewers: int = 0
    unchanged_records: int = 0
    #: the old reviewers known before this file (LegacyReviewer), by (province, old id) → user
    known_reviewers: dict[tuple[str, str], User] = field(default_factory=dict)
    #: usernames of the file that are already the same official's account → that user (linked, not created)
    linked_users: dict[str, User] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)  # province code → campaign
    bad_rows: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))


def _campaign_for(province: str, cache: dict[str, Campaign | None]) -> Campaign | None:
    """The province's campaign the old system's records join: its active one with the latest notice."""
    if province not in cache:
        cache[province] = (
            Campaign.objects.filter(province_id=province, is_active=True)
            .prefetch_related("openings", "tracks__qualifications")
            .order_by("-notice_date", "-pk")
            .first()
        )
    return cache[province]


def _province_code(code: str, provinces: set[str]) -> str:
    """The province (its accounts.Region code) of a region code; "" when the code names none."""
    province = f"{code[:2]}0000"
    return province if len(code) == 6 and province in provinces else ""


def _known(model, keys: set[tuple[str, str]]) -> dict[tuple[str, str], LegacyRecord | LegacyReviewer]:
    """The rows of `model` (LegacyRecord, LegacyReviewer) migrated before with one of the (province, old id) keys."""
    found = model.objects.filter(
        province_id__in={p for p, _o in keys} or [""], old_id__in={o for _p, o in keys} or [""]
    )
    if model is LegacyReviewer:
        found = found.select_related("user__authority", "user__department")
    return {key: row for row in found if (key := (row.province_id, row.old_id)) in keys}


def _plan(book: Book, report: Report, user=None) -> Plan:
    plan = Plan()
    main_name = layout.records_sheet_name()
    if main_name not in book.tables:
        raise LegacyFileRefused(
            _("The file has no sheet “%(sheet)s”: it is not the old system's export of records.") % {"sheet": main_name}
        )
    main = book.tables[main_name]
    regions = {r.code: r for r in Region.objects.all()}
    provinces = {code for code, r in regions.items() if r.level == RegionLevel.PROVINCE}
    # whose old system the file is: the importing provincial office's; a superuser's file says it row by row
    acting = None if getattr(user, "is_superuser", False) else provincial_province(user)

    reviewer_sink = _Sink(layout.REVIEWERS_SHEET)
    reviewers = _read_reviewers(book, regions, reviewer_sink)
    for r in reviewers:
        r.province = acting or _province_code(r.region, provinces)
    all_reviewer_ids = {r.old_id for r in reviewers}
    known = {key: lr.user for key, lr in _known(LegacyReviewer, {(r.province, r.old_id) for r in reviewers}).items()}
    plan.unchanged_reviewers = sum(1 for r in reviewers if (r.province, r.old_id) in known)
    fresh = [r for r in reviewers if (r.province, r.old_id) not in known]
    taken = {
        u.username: u
        for u in User.objects.filter(username__in=[r.username for r in fresh] or [""]).select_related("authority")
    }
    for r in fresh:
        user = taken.get(r.username)
        if user is None:
            plan.reviewers.append(r)
        elif (
            user.role in (Role.REVIEWER, Role.PROVINCIAL)
            and not user.is_superuser  # the administrators' accounts are never an old system's reviewer
            and user.authority_id
            and user.authority.region_id == r.region
        ):
            plan.linked_users[r.username] = user  # the same official, already on the platform: linked, not doubled
            plan.reviewers.append(r)
        else:
            reviewer_sink.add(
                r.row,
                layout.R_USERNAME,
                _(
                    "The account “%(username)s” already belongs to somebody else on the platform: give this reviewer "
                    "another account name."
                )
                % {"username": r.username},
            )
    file_reviewers = {(r.province, r.old_id): r for r in plan.reviewers}
    report.problems.extend(reviewer_sink.problems)

    sink = _Sink(main_name)
    legacy_rows: dict[int, LegacyRow] = {}
    for number, cells in main.rows:
        row = _read_legacy_columns(number, cells, regions, sink)
        if row is not None:
            legacy_rows[number] = row
    # the row's province: the provincial office's, or (a superuser's file) the project county's as the file writes it
    county_header = record_rows.layout(record_rows.RECORDS).column("project", "county").header
    cells_of = dict(main.rows)
    for number, row in legacy_rows.items():
        row.province = acting or _province_code((cells_of[number].get(county_header) or "").strip(), provinces)
    done = set(_known(LegacyRecord, {(r.province, r.old_id) for r in legacy_rows.values()}))
    skipped = {number for number, r in legacy_rows.items() if (r.province, r.old_id) in done}
    parsed = record_rows.parse_book(_without(book, main_name, skipped))
    report.problems.extend(parsed.problems)
    name_header = record_rows.layout(record_rows.RECORDS).column(record_rows.KEY_PART, "enterprise_name").header
    data: dict[int, RecordData] = {}
    for rec in parsed.records:
        report.problems.extend(rec.problems)
        if not rec.ok:
            continue
        county = regions.get(rec.county)
        if county is None or county.level != RegionLevel.COUNTY:
            report.problems.append(
                Problem(
                    main_name,
                    rec.row,
                    county_header,
                    _("“%(value)s” is not the code of a county-level region (GB/T 2260, six digits).")
                    % {"value": rec.county},
                )
            )
            continue
        data[rec.row] = RecordData(rec, enterprise_name=(cells_of[rec.row].get(name_header) or "").strip())

    referenced = {r.reviewer_key for r in legacy_rows.values() if r.reviewer_id}
    known |= {key: lr.user for key, lr in _known(LegacyReviewer, referenced - known.keys()).items()}
    plan.known_reviewers = known
    campaigns: dict[str, Campaign | None] = {}
    for number, row in legacy_rows.items():
        if number in skipped:
            plan.unchanged_records += 1
            continue
        row.data = data.get(number)
        if row.data is None:
            continue  # its problems are reported already (transfer.record_rows, the county)
        before = len(sink.problems)
        if row.reviewer_id:
            reviewer = file_reviewers.get(row.reviewer_key)
            region = reviewer.region if reviewer else None
            if reviewer is None and row.reviewer_key in known:
                user = known[row.reviewer_key]
                region = user.authority.region_id if user.authority_id else None
            if region is None:
                in_sheet = row.reviewer_id in all_reviewer_ids
                sink.add(
                    number,
                    layout.REVIEWER_ID,
                    _("The reviewer %(id)s has a problem on the sheet “%(sheet)s”: correct it there.")
                    % {"id": row.reviewer_id, "sheet": layout.REVIEWERS_SHEET}
                    if in_sheet
                    else _("The reviewer %(id)s is neither on the sheet “%(sheet)s” nor migrated before.")
                    % {"id": row.reviewer_id, "sheet": layout.REVIEWERS_SHEET},
                )
            elif row.region and region != row.region:
                sink.add(
                    number,
                    layout.REVIEWER_ID,
                    _(
                        "The reviewer %(id)s belongs to the authority of region %(region)s, not to the reviewing "
                        "department's region %(department)s."
                    )
                    % {"id": row.reviewer_id, "region": region, "department": row.region},
                )
        county = row.data.county
        if county is not None and row.region and not county.startswith(_prefix(row.region)):
            sink.add(
                number,
                layout.DEPARTMENT_REGION,
                _(
                    "The reviewing department (region %(region)s) has no jurisdiction over the project's county "
                    "%(county)s."
                )
                % {"region": row.region, "county": county},
            )
        campaign = _campaign_for(f"{county[:2]}0000", campaigns) if county else None
        if county and campaign is None:
            sink.add(
                number,
                "",
                _("No active backfill campaign of the province %(province)s takes this record.")
                % {"province": f"{county[:2]}0000"},
            )
        if campaign is not None:
            plan.campaigns[county[:2]] = campaign
        if len(sink.problems) == before:
            plan.records.append(row)
    report.problems.extend(sink.problems)
    _check_claims(plan, sink, report)
    return plan


def _key_text(text: str | None) -> str:
    """A credit code or project number as transfer.record_rows reads it (no spaces, upper case)."""
    return "".join((text or "").split()).upper()


def _without(book: Book, main_name: str, done: set[int]) -> Book:
    """The book without the records already migrated (their rows' numbers in `done`) and their rows of the part
    sheets: a second run reads them, finds them by their province and old id and reads no further."""
    if not done:
        return book
    main = record_rows.layout(record_rows.RECORDS)
    credit = main.column(record_rows.KEY_PART, "credit_code").header
    prj_num = main.column(record_rows.KEY_PART, "prj_num").header
    table = book.tables[main_name]
    kept, skipped = [], set()
    for number, cells in table.rows:
        if number in done:
            skipped.add((_key_text(cells.get(credit)), _key_text(cells.get(prj_num))))
        else:
            kept.append((number, cells))
    tables = {name: t for name, t in book.tables.items()}
    tables[main_name] = Table(table.name, table.headers, kept)
    for part in record_rows.ROW_PARTS:
        lay = record_rows.layout(part)
        part_table = book.tables.get(lay.name)
        if part_table is None:
            continue
        credit = lay.column(record_rows.KEY_PART, "credit_code").header
        prj_num = lay.column(record_rows.KEY_PART, "prj_num").header
        rows = [
            (number, cells)
            for number, cells in part_table.rows
            if (_key_text(cells.get(credit)), _key_text(cells.get(prj_num))) not in skipped
        ]
        tables[lay.name] = Table(part_table.name, part_table.headers, rows)
    return Book(tables, book.source)


def _prefix(code: str) -> str:
    from accounts.scoping import region_prefix

    return region_prefix(code)


def _check_claims(plan: Plan, sink: _Sink, report: Report) -> None:
    """An enterprise claims a project once (projects.Record's constraint): in the file and against the platform."""
    seen: dict[tuple[str, str], int] = {}
    keep = []
    pairs = {(r.data.enterprise_code, r.data.prj_num) for r in plan.records}
    existing = set(
        Record.objects.claims()
        .filter(
            enterprise__credit_code__in={e for e, _p in pairs} or [""],
            project__prj_num__in={p for _e, p in pairs} or [""],
        )
        .values_list("enterprise__credit_code", "project__prj_num")
    )
    for row in plan.records:
        key = (row.data.enterprise_code, row.data.prj_num)
        if key in existing:
            problem = Problem(
                sink.sheet,
                row.row,
                "",
                _("The enterprise %(code)s already has a record of the project %(prj_num)s on the platform.")
                % {"code": key[0], "prj_num": key[1]},
            )
        elif key in seen:
            problem = Problem(
                sink.sheet,
                row.row,
                "",
                _(
                    "Row %(row)s is already a record of the same enterprise and project: an enterprise claims a "
                    "project once."
                )
                % {"row": seen[key]},
            )
        else:
            seen[key] = row.row
            keep.append(row)
            continue
        report.problems.append(problem)
    plan.records = keep


# ------------------------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------------------------


def import_legacy(book: Book, *, user, mode: Mode, progress: Progress = no_progress, file_name: str = "") -> Report:
    """Check the old system's file `book` and, unless `mode` is CHECK, write it (see the module's notes). `user` is
    the acting official (provincial staff of the records' province, or a superuser); `file_name` is kept on every
    migrated row."""
    report = Report(total=book.rows())
    try:
        plan = _plan(book, report, user)
    except LegacyFileRefused as exc:
        report.problems.append(Problem("", 0, "", str(exc)))
        return report
    _check_user(user, plan, report)
    report.unchanged = plan.unchanged_records + plan.unchanged_reviewers
    if mode == Mode.CHECK or report.file_refused or (mode == Mode.ALL and report.problems):
        return report
    total = len(plan.records) + len(plan.reviewers)
    with transaction.atomic(), pghistory.context(job=HISTORY_JOB, file=file_name):
        with connection.cursor() as cursor:
            # the history triggers read this setting: set, it raises no exception per row (bench/load_records.py)
            cursor.execute("SET LOCAL pgtrigger.ignore = '{}'")
        now = timezone.now()
        users = _write_reviewers(plan, file_name=file_name, now=now)
        if total:
            progress(len(plan.reviewers), total, len(report.problems))
        written = _write_records(plan, users, file_name=file_name, now=now, progress=progress, report=report)
    report.written = written + len(plan.reviewers)
    return report


def _check_user(user, plan: Plan, report: Report) -> None:
    """Only the provincial office of the records' province (or a superuser) migrates them (LegacyRecord.scope)."""
    if user is None or getattr(user, "is_superuser", False):
        return
    prefix = (
        user.authority.region_id[:2] if getattr(user, "role", None) == Role.PROVINCIAL and user.authority_id else None
    )
    provinces = set(plan.campaigns) | {r.region[:2] for r in plan.reviewers}
    foreign = sorted(p for p in provinces if p != prefix)
    if foreign:
        report.problems.append(
            Problem(
                "",
                0,
                "",
                _(
                    "Only the provincial office of the province migrates its old system's data: this file holds data "
                    "of the province %(province)s."
                )
                % {"province": f"{foreign[0]}0000"},
            )
        )


def _write_reviewers(plan: Plan, *, file_name: str, now: dt.datetime) -> dict[tuple[str, str], User]:
    """The reviewers' authorities, departments, accounts and keys; returns (province, old id) → user of every
    reviewer the records may name (known before, and written now)."""
    users = dict(plan.known_reviewers)
    if not plan.reviewers:
        return users
    authorities = {a.region_id: a for a in Authority.objects.filter(region_id__in={r.region for r in plan.reviewers})}
    regions = {r.code: r for r in Region.objects.filter(code__in={r.region for r in plan.reviewers})}
    for r in sorted(plan.reviewers, key=lambda r: len(_prefix(r.region))):  # provinces first: parents exist
        if r.region in authorities:
            continue
        region = regions[r.region]
        parent = Authority.objects.filter(region_id=region.parent_id).first() if region.parent_id else None
        name = r.authority_name
        if Authority.objects.filter(name=name).exists():  # names are unique: the region says which one
            name = f"{name}（{region.code}）"
        authorities[r.region] = Authority.objects.create(name=name, level=r.level, region=region, parent=parent)
    departments: dict[tuple[int, str], Department] = {}
    for r in plan.reviewers:
        authority = authorities[r.region]
        key = (authority.pk, r.department)
        if key not in departments:
            departments[key] = Department.objects.get_or_create(authority=authority, name=r.department)[0]
    unusable = make_password(None)
    new_users = []
    for r in plan.reviewers:
        if r.username in plan.linked_users:
            continue
        authority = authorities[r.region]
        new_users.append(
            User(
                username=r.username,
                password=unusable,  # no password until staff set one (the old system's stay there)
                role=Role.REVIEWER,
                authority=authority,
                department=departments[(authority.pk, r.department)],
                real_name=r.name,
                title=r.title,
                phone=r.phone,
                is_staff=True,  # User.save() would set it: officials work in the admin
                is_active=True,
            )
        )
    User.objects.bulk_create(new_users, batch_size=BATCH)
    group, _created = Group.objects.get_or_create(name=GROUP_NAMES[Role.REVIEWER])
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in new_users], batch_size=BATCH
    )
    by_username = {u.username: u for u in new_users} | plan.linked_users
    LegacyReviewer.objects.bulk_create(
        [
            LegacyReviewer(
                province_id=r.province,
                old_id=r.old_id,
                user=by_username[r.username],
                file_name=file_name[:255],
                imported_at=now,
            )
            for r in plan.reviewers
        ],
        batch_size=BATCH,
    )
    for r in plan.reviewers:
        users[(r.province, r.old_id)] = by_username[r.username]
    return users


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _enterprises(rows: list[LegacyRow]) -> dict[str, Enterprise]:
    """The records' enterprises by credit code: those of the platform, and the old system's others created (name and
    kind as the file says; their clerks' accounts are issued by the provincial office as for any enterprise)."""
    wanted: dict[str, RecordData] = {}
    for row in rows:
        wanted.setdefault(row.data.enterprise_code, row.data)
    found = {
        e.credit_code: e
        for e in Enterprise.objects.filter(credit_code__in=wanted).prefetch_related("applied_qualifications")
    }
    missing = [
        Enterprise(name=(data.enterprise_name or code)[:200], credit_code=code, kinds=data.enterprise_kinds)
        for code, data in wanted.items()
        if code not in found
    ]
    Enterprise.objects.bulk_create(missing, batch_size=BATCH)
    for e in missing:
        e._prefetched_objects_cache = {"applied_qualifications": Qualification.objects.none()}
        found[e.credit_code] = e
    return found


def _track(campaign: Campaign, enterprise: Enterprise, today: dt.date, cache: dict):
    """The campaign's track of the enterprise (G2/G3, `projects.campaigns.admission` as of the import day): migrated
    records are on the track a submission today would take."""
    key = (campaign.pk, enterprise.pk)
    if key not in cache:
        cache[key] = admission(enterprise=enterprise, campaign=campaign, on=today).track
    return cache[key]


@dataclass(frozen=True)
class Review:
    """What an approval in the old system writes into every stage (review.services._fill_stages' fields)."""

    department: str
    person: str
    grade: str
    submitted_on: dt.date

    def stage(self, key: str, values: dict) -> dict:
        stamp = approval_stamp(
            key, values, depart=self.department, person=self.person, level=self.grade, submitted_on=self.submitted_on
        )
        return {**values, **stamp}


@dataclass
class _Context:
    users: dict[tuple[str, str], User]  # (province, old id) → user
    enterprises: dict[str, Enterprise]
    authorities: dict[str, Authority]
    projects: dict[str, Project]
    counties: dict[str, Region]
    campaigns: dict[str, Campaign]
    today: dt.date
    now: dt.datetime
    file_name: str
    tracks: dict = field(default_factory=dict)
    responsible: dict[str, Authority] = field(default_factory=dict)  # county code → P2 authority today
    deadlines: dict[int, dt.datetime] = field(default_factory=dict)  # campaign id → deadline of a submission now

    def responsible_for(self, county: str) -> Authority:
        if county not in self.responsible:
            self.responsible[county] = responsible_authority(self.counties[county])  # P2, migrated reviewers count
        return self.responsible[county]

    def deadline(self, campaign: Campaign) -> dt.datetime:
        if campaign.pk not in self.deadlines:
            self.deadlines[campaign.pk] = submission_deadline_of(Record(campaign=campaign), self.now)
        return self.deadlines[campaign.pk]


def _write_records(
    plan: Plan,
    users: dict[tuple[str, str], User],
    *,
    file_name: str,
    now: dt.datetime,
    progress: Progress,
    report: Report,
) -> int:
    if not plan.records:
        return 0
    ctx = _Context(
        users=users,
        enterprises=_enterprises(plan.records),
        authorities={
            a.region_id: a for a in Authority.objects.filter(region_id__in={r.region for r in plan.records if r.region})
        },
        projects={p.prj_num: p for p in Project.objects.filter(prj_num__in={r.data.prj_num for r in plan.records})},
        counties={c.code: c for c in Region.objects.filter(code__in={r.data.county for r in plan.records})},
        campaigns=plan.campaigns,
        today=now.astimezone(SHANGHAI).date(),
        now=now,
        file_name=file_name,
    )
    approved_ids: list[int] = []
    done = 0
    total = len(plan.records) + len(plan.reviewers)
    for chunk in _chunks(plan.records, BATCH):
        approved_ids += _write_chunk(chunk, ctx)
        done += len(chunk)
        progress(len(plan.reviewers) + done, total, len(report.problems))
    # the outbox, set-based, in this transaction (sync/): pushed by the next push_to_national like any approval
    signals.records_approved.send(sender=Record, ids=approved_ids, at=now)
    return done


def _review(row: LegacyRow, ctx: _Context) -> Review | None:
    """J2: an approval of the old system, graded by the level of the reviewing department with grading's own rule."""
    if row.status != LegacyStatus.APPROVED:
        return None
    reviewer = ctx.users.get(row.reviewer_key)
    return Review(
        department=row.department,
        person=(reviewer.real_name if reviewer else "") or row.reviewer_name,
        grade=grades.level_for_authority(ctx.authorities[row.region]),
        submitted_on=row.submitted_at.astimezone(SHANGHAI).date(),
    )


def _write_chunk(chunk: list[LegacyRow], ctx: _Context) -> list[int]:
    """One batch of records with every row they bring, one INSERT per table; returns the approved ones' ids."""
    reviews = [_review(row, ctx) for row in chunk]

    new_projects: list[tuple[Project, LegacyRow]] = []
    regraded: dict[int, Project] = {}
    for row, review in zip(chunk, reviews, strict=True):
        project = ctx.projects.get(row.data.prj_num)
        if project is None:
            values = row.data.project
            project = Project(**(review.stage("project", values) if review else values))
            ctx.projects[row.data.prj_num] = project
            new_projects.append((project, row))
        elif review is not None:
            # a project the platform (or an earlier row) has: its data stays, and, as at any approval, the latest
            # decision speaks for its 基本信息 (review.services._fill_stages)
            date = grades.STAGE_DATE_FIELDS["project"]
            for name, value in review.stage("project", {date: getattr(project, date)}).items():
                setattr(project, name, value)
            if project.pk is not None:  # one created in this chunk is saved below with it
                project.updated_at = ctx.now
                regraded[project.pk] = project
    Project.objects.bulk_create([p for p, _row in new_projects], batch_size=BATCH)
    Project.objects.bulk_update(list(regraded.values()), STAGE_FIELDS, batch_size=BATCH)
    unit_rows = [
        (project, part.seq, UnitProject(project=project, **part.values))
        for project, row in new_projects
        for part in row.data.part_rows("units")
    ]
    UnitProject.objects.bulk_create([unit for _p, _seq, unit in unit_rows], batch_size=BATCH)
    unit_of = {(project.pk, seq): unit for project, seq, unit in unit_rows}

    records = []
    for row in chunk:
        enterprise = ctx.enterprises[row.data.enterprise_code]
        campaign = ctx.campaigns[row.data.county[:2]]
        track = _track(campaign, enterprise, ctx.today, ctx.tracks)
        if row.status == LegacyStatus.PENDING:
            times = {"submitted_at": ctx.now, "review_deadline": ctx.deadline(campaign), "decided_at": None}
            authority = ctx.responsible_for(row.data.county)
        else:
            times = {"submitted_at": row.submitted_at, "review_deadline": None, "decided_at": row.reviewed_at}
            authority = ctx.authorities[row.region]
        entered = times["submitted_at"].astimezone(SHANGHAI).date()
        records.append(
            Record(
                enterprise=enterprise,
                project=ctx.projects[row.data.prj_num],
                campaign=campaign,
                status=STATUS[row.status],
                responsible_authority=authority,
                track=track,
                reaches_national=track is not None and national_reach(campaign, track, entered) is None,
                created_at=ctx.now,
                **times,
            )
        )
    Record.objects.bulk_create(records, batch_size=BATCH)

    censors: dict[int, Censor] = {}
    for key, model in STAGE_MODELS.items():
        stage_rows = []
        for row, record, review in zip(chunk, records, reviews, strict=True):
            values = row.data.stage(key)
            if values is None and key == "censor" and row.data.part_rows("censor_staff"):
                values = {}  # its 审图人员 need their 施工图审查 row
            if values is None:
                continue
            stage = model(record=record, **(review.stage(key, values) if review else values))
            stage_rows.append(stage)
            if key == "censor":
                censors[record.pk] = stage
        model.objects.bulk_create(stage_rows, batch_size=BATCH)
    pairs = list(zip(chunk, records, strict=True))
    CensorStaff.objects.bulk_create(
        [
            CensorStaff(censor=censors[record.pk], **part.values)
            for row, record in pairs
            for part in row.data.part_rows("censor_staff")
        ],
        batch_size=BATCH,
    )
    ProjectCorp.objects.bulk_create(
        [
            ProjectCorp(record=record, unit=unit_of.get((record.project_id, part.unit_seq)), **part.values)
            for row, record in pairs
            for part in row.data.part_rows("corps")
        ],
        batch_size=BATCH,
    )
    RecordPerson.objects.bulk_create(
        [RecordPerson(record=record, **part.values) for row, record in pairs for part in row.data.part_rows("persons")],
        batch_size=BATCH,
    )
    Attachment.objects.bulk_create(
        [
            _attachment(record, kind, path, row.submitted_at or ctx.now)
            for row, record in pairs
            for kind, path in row.attachments.items()
            if path
        ],
        batch_size=BATCH,
    )
    with translation.override(settings.LANGUAGE_CODE):  # the log speaks the platform's language
        transitions = [_transition(row, record, ctx.users, ctx.now) for row, record in pairs]
    RecordTransition.objects.bulk_create(transitions, batch_size=BATCH)
    LegacyRecord.objects.bulk_create(
        [
            LegacyRecord(
                province_id=row.province,
                old_id=row.old_id,
                record=record,
                old_status=row.status,
                department=row.department,
                reviewer_name=review.person if review else row.reviewer_name,
                submitted_at=row.submitted_at,
                reviewed_at=row.reviewed_at,
                file_name=ctx.file_name[:255],
                imported_at=ctx.now,
            )
            for row, record, review in zip(chunk, records, reviews, strict=True)
        ],
        batch_size=BATCH,
    )
    return [record.pk for record in records if record.status == RecordStatus.APPROVED]


STATUS = {
    LegacyStatus.APPROVED: RecordStatus.APPROVED,
    LegacyStatus.PENDING: RecordStatus.SUBMITTED,
    LegacyStatus.REJECTED: RecordStatus.REJECTED,
}


def _attachment(record: Record, kind: str, path: str, at: dt.datetime) -> Attachment:
    """An attachment of the old system, stored where its file is copied: MEDIA_ROOT/legacy/<its old path>."""
    clean = PurePosixPath("/" + path.replace("\\", "/")).as_posix().lstrip("/")
    name = PurePosixPath(clean).name
    return Attachment(
        record=record,
        kind=kind,
        file=f"legacy/{clean}"[:200],
        original_name=name[:255],
        content_type=_CONTENT_TYPES.get(PurePosixPath(name).suffix.lower(), "application/octet-stream"),
        size=0,  # unknown until the file is copied: the old system exports paths, not files
        sha256="",
        uploaded_at=at,
    )


def _transition(
    row: LegacyRow, record: Record, users: dict[tuple[str, str], User], now: dt.datetime
) -> RecordTransition:
    """The log row of the migration (TransitionBy.MIGRATION): a decision names the old reviewer and department
    (J9); a pending record's row says it was carried over and is due anew."""
    if row.status == LegacyStatus.PENDING:
        return RecordTransition(
            record=record,
            from_status=RecordStatus.DRAFT,
            to_status=RecordStatus.SUBMITTED,
            at=now,
            by=TransitionBy.MIGRATION,
            reason=_(
                "Pending in the old system (record %(id)s, submitted %(at)s): carried over with a new review deadline."
            )
            % {"id": row.old_id, "at": f"{row.submitted_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"},
        )
    reviewer = users.get(row.reviewer_key)
    authority = reviewer.authority if reviewer and reviewer.authority_id else None
    transition = RecordTransition(
        record=record,
        from_status=RecordStatus.SUBMITTED,
        to_status=record.status,
        at=row.reviewed_at,
        by=TransitionBy.MIGRATION,
        actor=reviewer,
        actor_name=((reviewer.real_name if reviewer else "") or row.reviewer_name)[:50],
        actor_department=(reviewer.department.name if reviewer and reviewer.department_id else row.department)[:100],
        actor_authority=(authority.name if authority else "")[:100],
        actor_level=authority.level if authority else row.level,
    )
    if row.status == LegacyStatus.APPROVED:
        transition.reason = _(
            "Approved in the old system (record %(id)s) by %(department)s: graded by the department's level (J2)."
        ) % {"id": row.old_id, "department": row.department}
    else:
        transition.reason = row.opinion
    return transition
