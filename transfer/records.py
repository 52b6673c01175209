"""The records import (issue 13 item 1): a file of the layout of `transfer.record_rows` creates or updates DRAFT
records of the enterprises it names, checked row by row by the rule set of submit.

A row of 业绩 (with its rows on 单体, 参建单位, 单位人员, 审图人员) is one record, keyed by the enterprise's credit code
and the 项目编号: importing the same file twice changes nothing. Each record is

* read cell by cell as the portal reads a field (`record_rows.parse_value`: projects.inputs, code tables);
* scoped: the enterprise must be one the user may see (`Enterprise.visible_to`; a clerk: its own), the project in
  the official's jurisdiction, the enterprise not deregistered;
* refused when its record is no longer a draft ("该业绩已提交/已审核，不能通过导入修改", G7/P4), or when it would
  change a project's shared part that this claim may not change (ADR 0008);
* checked by `grading.checks.check_record` on the record as it would be saved (built in memory, never saved for the
  check), minus the attachments (a file cannot carry them; submit asks for them), and by J3
  (`projects.selectors.declared_matches`: one query per batch) and G1 (`projects.campaigns.scope_refusals`);
* mapped back: every problem names its sheet, row and column.

Then, by mode: CHECK writes nothing; ALL writes everything in one transaction or nothing when any row has a
problem; VALID_ROWS writes the records without problems. Writes are set-based: per batch one query per table to
read (enterprises, regions, projects and their claims, existing records with their parts, the registry) and
bulk_create / bulk_update / one DELETE per table to write.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pghistory
from django.db import connection, models, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Enterprise, Region, RegionLevel, Role
from accounts.scoping import jurisdiction_prefix
from grading import checks
from projects.campaigns import scope_refusals, start_refusal
from projects.models import (
    BuilderLicence,
    Campaign,
    Censor,
    CensorStaff,
    Contract,
    FinishCheck,
    FinishRecord,
    Project,
    ProjectCorp,
    Record,
    RecordPerson,
    RecordStatus,
    Tender,
    UnitProject,
)
from projects.selectors import FREEZING_STATES, SharedAccess, declared_matches, enterprise_refusal
from projects.services import shared_part_note

from . import record_rows as rr
from .book import Book, Mode, Problem, Progress, Report, no_progress, register

BATCH = 500  # records read, checked and reported per step
STAGE_MODELS: dict[str, type[models.Model]] = {
    "tender": Tender,
    "contract": Contract,
    "censor": Censor,
    "licence": BuilderLicence,
    "finish_check": FinishCheck,
    "finish_record": FinishRecord,
}
ROW_MODELS: dict[str, type[models.Model]] = {
    "units": UnitProject,
    "corps": ProjectCorp,
    "persons": RecordPerson,
    "censor_staff": CensorStaff,
}
#: rules of submit that a file cannot satisfy: attachments are uploaded on the record's page
SKIPPED_RULES = frozenset({checks.RULE_ATTACHMENT})
HISTORY_JOB = "transfer.records"


class ImportRefused(Exception):
    """The user may not use this import at all."""


# --------------------------------------------------------------------------------------------------------------
# What one batch reads: one query per table
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _Claims:
    keeper: int | None
    claims: int
    frozen: bool
    published: bool


@dataclass
class _Batch:
    enterprises: dict[str, Enterprise]
    unknown_enterprises: set[str]  # credit codes on the platform but not the user's to import for
    regions: dict[str, Region]
    projects: dict[str, Project]
    claims: dict[int, _Claims]
    records: dict[tuple[int, int], Record]
    declared: dict[tuple[str, str], Any]


def _licence_of(rec: rr.RecordRows) -> str:
    return rec.stages.get("licence", {}).get("licence_cert_no") or ""


def _read_batch(batch: list[rr.RecordRows], user) -> _Batch:
    codes = {rec.credit_code for rec in batch if rec.credit_code}
    visible = Enterprise.visible_to(user).filter(credit_code__in=codes)
    if getattr(user, "role", None) == Role.ENTERPRISE and not user.is_superuser:
        visible = visible.filter(pk=user.enterprise_id)
    enterprises = {e.credit_code: e for e in visible}
    missing = codes - enterprises.keys()
    unknown = set(Enterprise.objects.filter(credit_code__in=missing).values_list("credit_code", flat=True))
    regions = {r.code: r for r in Region.objects.filter(code__in={rec.county for rec in batch if rec.county})}
    prj_nums = {rec.prj_num for rec in batch if rec.prj_num}
    projects = {
        p.prj_num: p
        for p in Project.objects.filter(prj_num__in=prj_nums).select_related("county").prefetch_related("units")
    }
    project_ids = [p.pk for p in projects.values()]
    claims = {
        row["project_id"]: _Claims(row["keeper"], row["claims"], bool(row["frozen"]), bool(row["published"]))
        for row in Record.objects.claims()
        .filter(project_id__in=project_ids)
        .values("project_id")
        .annotate(
            keeper=Min("pk"),
            claims=Count("pk"),
            frozen=Count("pk", filter=Q(status__in=FREEZING_STATES)),
            published=Count("pk", filter=Q(status=RecordStatus.APPROVED)),
        )
    }
    records = {}
    if project_ids and enterprises:
        existing = (
            Record.objects.claims()
            .filter(project_id__in=project_ids, enterprise_id__in=[e.pk for e in enterprises.values()])
            .select_related(*rr.ONE_TO_ONE)
            .prefetch_related("corps", "persons", "censor__staff")
        )
        records = {(r.enterprise_id, r.project_id): r for r in existing}
    declared = declared_matches([(rec.prj_num, _licence_of(rec)) for rec in batch if rec.prj_num])
    return _Batch(enterprises, unknown, regions, projects, claims, records, declared)


# --------------------------------------------------------------------------------------------------------------
# One record: the objects it would save, checked in memory
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What one row of 业绩 writes: `record` (new or existing), its project (`new_project`: created by this file;
    `project_changed`: the keeper's changes), and per part the objects to save when it changed."""

    rec: rr.RecordRows
    record: Record
    project: Project
    new_record: bool
    new_project: bool = False
    project_changed: bool = False
    units: list[UnitProject] | None = None  # the project's new 单体 (None: unchanged)
    stages: dict[str, models.Model] = field(default_factory=dict)  # changed or new stages
    new_stages: set[str] = field(default_factory=set)
    parts: dict[str, list[models.Model]] = field(default_factory=dict)  # replaced rows (corps, persons, staff)
    censor: Censor | None = None
    campaign_changed: bool = False
    shared_editable: bool = True  # this claim writes the project's shared part (ADR 0008)

    @property
    def changed(self) -> bool:
        return bool(
            self.new_record
            or self.new_project
            or self.project_changed
            or self.units is not None
            or self.stages
            or self.parts
            or self.campaign_changed
        )


_fake_ids = count(start=-1, step=-1)


def _values(obj: models.Model, names) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _attnames(part: str) -> list[str]:
    lay = rr.layout(rr.RECORDS if part in rr.ONE_TO_ONE or part == "project" else part)
    return [
        c.field.attname
        for c in lay.columns
        if c.part == part and c.field is not None and c.name not in ("county", "unit")
    ]


class _Checker:
    def __init__(self, user, batch: _Batch, campaigns: list[Campaign]) -> None:
        self.user = user
        self.batch = batch
        self.campaigns = campaigns
        self.prefix = jurisdiction_prefix(user) if not user.is_superuser else ""
        self.clerk = getattr(user, "role", None) == Role.ENTERPRISE and not user.is_superuser
        self.today = timezone.localdate()
        self._start_refusals: dict[tuple[int, int], Any] = {}

    # -- who, where, which campaign --------------------------------------------------------------------------

    def enterprise(self, rec: rr.RecordRows) -> Enterprise | None:
        lay = rr.layout(rr.RECORDS)
        header = lay.column(rr.KEY_PART, "credit_code").header
        found = self.batch.enterprises.get(rec.credit_code)
        if found is None:
            if rec.credit_code in self.batch.unknown_enterprises:
                message = _("You may not import records of the enterprise %(code)s: it is not within your remit.")
            else:
                message = _("No enterprise with the unified social credit code %(code)s is on the platform.")
            rec.problems.append(Problem(lay.name, rec.row, header, message % {"code": rec.credit_code}))
            return None
        refusal = enterprise_refusal(found)
        if refusal:
            rec.problems.append(Problem(lay.name, rec.row, header, refusal))
            return None
        return found

    def county(self, rec: rr.RecordRows) -> Region | None:
        lay = rr.layout(rr.RECORDS)
        header = lay.column("project", "county").header
        region = self.batch.regions.get(rec.county)
        if region is None or region.level != RegionLevel.COUNTY:
            if rec.county:
                message = _("%(code)s is not the code of a county-level region.") % {"code": rec.county}
            else:
                message = _("“%(column)s” is required.") % {"column": header}
            rec.problems.append(Problem(lay.name, rec.row, header, message))
            return None
        if self.prefix and not region.code.startswith(self.prefix):
            rec.problems.append(
                Problem(
                    lay.name,
                    rec.row,
                    header,
                    _("The project is located in %(region)s, outside your jurisdiction: you may not import it.")
                    % {"region": region.name},
                )
            )
            return None
        return region

    def campaign(self, rec: rr.RecordRows, county: Region, existing: Record | None) -> Campaign | None:
        lay = rr.layout(rr.RECORDS)
        header = lay.column(rr.KEY_PART, "campaign").header
        if rec.campaign:
            found = next((c for c in self.campaigns if c.name == rec.campaign), None)
            if found is None:
                rec.problems.append(
                    Problem(
                        lay.name,
                        rec.row,
                        header,
                        _("There is no campaign called “%(name)s”.") % {"name": rec.campaign},
                    )
                )
            return found
        if existing is not None:
            return existing.campaign
        province = f"{county.code[:2]}0000"
        found = next((c for c in self.campaigns if c.province_id == province and c.is_active), None)
        if found is None:
            rec.problems.append(
                Problem(
                    lay.name,
                    rec.row,
                    header,
                    _("No campaign of the project's province is active: name the campaign in this column."),
                )
            )
        return found

    # -- the record as it would be saved ----------------------------------------------------------------------

    def plan(self, rec: rr.RecordRows) -> Plan | None:
        """The objects `rec` would save, after every check; None when it cannot even be built."""
        if not rec.credit_code or not rec.prj_num:
            return None
        enterprise = self.enterprise(rec)
        county = self.county(rec)
        project = self.batch.projects.get(rec.prj_num)
        existing = None
        if enterprise is not None and project is not None:
            existing = self.batch.records.get((enterprise.pk, project.pk))
        if existing is not None and existing.status != RecordStatus.DRAFT:
            rec.problems.append(
                Problem(
                    rr.layout(rr.RECORDS).name,
                    rec.row,
                    "",
                    _("This record has been submitted or decided (%(status)s): it cannot be changed by an import.")
                    % {"status": existing.get_status_display()},
                )
            )
            return None
        if enterprise is None or county is None:
            return None
        campaign = self.campaign(rec, county, existing)
        if campaign is None:
            return None
        for refusal in scope_refusals(campaign, county, None, bool(rec.stages["project"].get("is_overseas"))):
            rec.problems.append(rec.problem("project.county", str(refusal.message)))
        if existing is None and self.clerk:
            key = (enterprise.pk, campaign.pk)
            if key not in self._start_refusals:
                self._start_refusals[key] = start_refusal(enterprise, campaign, self.today)
            refusal = self._start_refusals[key]
            if refusal is not None:
                rec.problems.append(rec.problem("", str(refusal.message)))
        if rec.problems:
            return None
        plan = self._build(rec, enterprise, county, campaign, project, existing)
        if plan is None:
            return None
        self._check(plan)
        return plan

    def _access(self, project: Project | None, existing: Record | None) -> SharedAccess:
        if project is None:
            return SharedAccess(keeper=True, frozen=False, published=False, alone=True)
        claims = self.batch.claims.get(project.pk)
        if claims is None:  # a project nobody claims any more: the first claim keeps it
            return SharedAccess(keeper=True, frozen=False, published=False, alone=True)
        keeper = existing is not None and claims.keeper == existing.pk
        return SharedAccess(keeper=keeper, frozen=claims.frozen, published=claims.published, alone=claims.claims <= 1)

    def _build(self, rec, enterprise, county, campaign, project, existing) -> Plan | None:
        access = self._access(project, existing)
        file_project = rec.stages["project"]
        new_project = project is None
        if new_project:
            project = Project(county=county, **file_project)
            project.pk = next(_fake_ids)
            project._prefetched_objects_cache = {"units": []}
        if existing is None:
            record = Record(enterprise=enterprise, project=project, campaign=campaign, created_by_id=self.user.pk)
            record.pk = next(_fake_ids)
        else:
            record = existing
            record.project = project
        plan = Plan(rec, record, project, new_record=existing is None, new_project=new_project)
        plan.shared_editable = new_project or access.editable
        plan.campaign_changed = existing is not None and existing.campaign_id != campaign.pk
        record.campaign = campaign
        # the shared part (ADR 0008): the keeper writes it, everybody else may only send it unchanged
        file_units = [u.values for u in sorted(rec.rows["units"], key=lambda u: u.seq or 0)]
        if plan.shared_editable:
            if not new_project:
                wanted = {**{n: file_project.get(n) for n in _attnames("project")}, "county_id": county.code}
                if _values(project, wanted) != wanted:
                    for name, value in wanted.items():
                        setattr(project, name, value)
                    project.county = county
                    plan.project_changed = True
            current = [_values(u, _attnames("units")) for u in project.units.all()]
            if new_project or current != file_units:
                plan.units = [UnitProject(project=project, **values) for values in file_units]
                project._prefetched_objects_cache = {"units": list(plan.units)}
        else:
            if not self._shared_unchanged(rec, project, county, file_units):
                rec.problems.append(rec.problem("", shared_part_note(access)))
                return None
        units_by_seq = {}
        ordered_units = list(project._prefetched_objects_cache.get("units", project.units.all()))
        for unit_row, unit in zip(sorted(rec.rows["units"], key=lambda u: u.seq or 0), ordered_units, strict=False):
            units_by_seq[unit_row.seq] = unit
        # the claim's own stages
        for part, model in STAGE_MODELS.items():
            values = rec.stages[part]
            stage = getattr(existing, part, None) if existing is not None else None
            if stage is None:
                if part not in rec.filled and not (part == "censor" and rec.rows["censor_staff"]):
                    _cache_none(record, part)
                    continue
                stage = model(record=record, **values)
                stage.pk = next(_fake_ids)  # a related manager (censor.staff) needs one, until it is saved
                plan.stages[part] = stage
                plan.new_stages.add(part)
            elif _values(stage, values) != values:
                for name, value in values.items():
                    setattr(stage, name, value)
                plan.stages[part] = stage
            _cache_stage(record, part, stage)
        censor = plan.stages.get("censor") or (getattr(existing, "censor", None) if existing is not None else None)
        plan.censor = censor
        for part in ("corps", "persons", "censor_staff"):
            file_rows = rec.rows[part]
            if part == "censor_staff":
                current = list(censor.staff.all()) if censor is not None and censor.pk and censor.pk > 0 else []
            else:
                current = list(getattr(existing, part).all()) if existing is not None else []
            names = _attnames(part)
            now = [_values(o, names) for o in current]
            wanted = [r.values for r in file_rows]
            same = now == wanted
            if same and part == "corps":
                seq_of = {id(u): s for s, u in units_by_seq.items()}
                same = [seq_of.get(id(_unit_of(o, ordered_units)), None) for o in current] == [
                    r.unit_seq for r in file_rows
                ]
            if same and plan.units is None:
                objs = current
            else:
                owner = {"censor": censor} if part == "censor_staff" else {"record": record}
                objs = []
                for r in file_rows:
                    obj = ROW_MODELS[part](**owner, **r.values)
                    if part == "corps":
                        obj.unit = units_by_seq.get(r.unit_seq)
                    objs.append(obj)
                if not same or plan.units is not None:
                    plan.parts[part] = objs
            if part == "censor_staff":
                if censor is not None:
                    censor._prefetched_objects_cache = {"staff": objs}
            else:
                record._prefetched_objects_cache = {**getattr(record, "_prefetched_objects_cache", {}), part: objs}
        record._prefetched_objects_cache["attachments"] = []
        return plan

    def _shared_unchanged(self, rec, project: Project, county: Region, file_units) -> bool:
        """A claim that may not write the shared part sends it unchanged: every project cell written must hold
        the project's value, and 单体 rows, when given, must be its 单体."""
        for name, value in rec.stages["project"].items():
            if value not in (None, "", False) and getattr(project, name) != value:
                return False
        if rec.county and county.code != project.county_id:
            return False
        if file_units:
            current = [_values(u, _attnames("units")) for u in project.units.all()]
            return current == file_units
        return True

    def _check(self, plan: Plan) -> None:
        record, rec = plan.record, plan.rec
        record._grading_loaded = True
        record.draft_inputs = {}
        for problem in checks.check_record(record):
            if problem.rule in SKIPPED_RULES:
                continue
            head = problem.path.partition(".")[0].partition("[")[0]
            if head in rr.SHARED and not plan.shared_editable:
                continue  # the keeper's part: this claim cannot correct it (ADR 0008)
            rec.problems.append(rec.problem(problem.path, problem.message))
        match = self.batch.declared.get((rec.prj_num, _licence_of(rec)))
        if match is not None:
            rec.problems.append(rec.problem(match.path, match.message))


def _cache_none(record: Record, part: str) -> None:
    Record._meta.get_field(part).set_cached_value(record, None)


def _cache_stage(record: Record, part: str, stage: models.Model) -> None:
    Record._meta.get_field(part).set_cached_value(record, stage)


def _unit_of(corp: ProjectCorp, units: list[UnitProject]) -> UnitProject | None:
    if corp.unit_id is None:
        return None
    return next((u for u in units if u.pk == corp.unit_id), None)


# --------------------------------------------------------------------------------------------------------------
# Writing: set-based, per batch of plans
# --------------------------------------------------------------------------------------------------------------


def _write(plans: list[Plan]) -> None:
    """Save the plans that changed: one bulk statement per table (and one DELETE per replaced set)."""
    plans = [p for p in plans if p.changed]
    if not plans:
        return
    now = timezone.now()
    new_projects = [p.project for p in plans if p.new_project]
    for project in new_projects:
        project.pk = None
        project._state.adding = True
    Project.objects.bulk_create(new_projects)
    changed_projects = [p.project for p in plans if p.project_changed]
    if changed_projects:
        Project.objects.bulk_update(changed_projects, [*_attnames("project"), "county_id"])
    replaced_units = [p for p in plans if p.units is not None]
    old_units = [p.project.pk for p in replaced_units if not p.new_project]
    if old_units:
        UnitProject.objects.filter(project_id__in=old_units).delete()
    units = []
    for p in replaced_units:
        for unit in p.units:
            unit.project = p.project
            units.append(unit)
    UnitProject.objects.bulk_create(units)
    new_records = [p.record for p in plans if p.new_record]
    for p in plans:
        p.record.project = p.project  # its id, now that the project has one
        if p.new_record:
            p.record.pk = None
            p.record._state.adding = True
    Record.objects.bulk_create(new_records)
    old_records = [p.record for p in plans if not p.new_record]
    for record in old_records:
        record.version += 1
        record.draft_inputs = {}
        record.updated_at = now
    if old_records:
        Record.objects.bulk_update(old_records, ["campaign", "version", "draft_inputs", "updated_at"])
    for part, model in STAGE_MODELS.items():
        created, updated = [], []
        for p in plans:
            stage = p.stages.get(part)
            if stage is None:
                continue
            stage.record = p.record
            if part in p.new_stages:
                stage.pk = None
                stage._state.adding = True
                created.append(stage)
            else:
                updated.append(stage)
        model.objects.bulk_create(created)
        if updated:
            model.objects.bulk_update(updated, _attnames(part))
    for part in ("corps", "persons", "censor_staff"):
        model = ROW_MODELS[part]
        replaced = [p for p in plans if part in p.parts]
        if part == "censor_staff":
            stale = [p.censor.pk for p in replaced if p.censor is not None and "censor" not in p.new_stages]
            if stale:
                model.objects.filter(censor_id__in=stale).delete()
        else:
            stale = [p.record.pk for p in replaced if not p.new_record]
            if stale:
                model.objects.filter(record_id__in=stale).delete()
        objs = []
        for p in replaced:
            for obj in p.parts[part]:
                if part == "censor_staff":
                    obj.censor = p.censor
                else:
                    obj.record = p.record
                    if part == "corps" and obj.unit is not None:
                        obj.unit = obj.unit  # its id, now that the unit has one
                objs.append(obj)
        model.objects.bulk_create(objs)


# --------------------------------------------------------------------------------------------------------------
# The importer
# --------------------------------------------------------------------------------------------------------------


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _not_imported(rec: rr.RecordRows) -> list[Problem]:
    """The rows of a refused record on the other sheets: not imported either (they go to the error file)."""
    main = rr.layout(rr.RECORDS).name
    message = _("Not imported: its record (row %(row)s of the sheet “%(sheet)s”) has problems.") % {
        "row": rec.row,
        "sheet": main,
    }
    told = {(p.sheet, p.row) for p in rec.problems}
    return [
        Problem(rr.layout(part).name, row.row, "", message)
        for part in rr.ROW_PARTS
        for row in rec.rows[part]
        if (rr.layout(part).name, row.row) not in told
    ]


def may_import_records(user) -> bool:
    """Provincial staff (their province's enterprises), an enterprise clerk (its own) and the superuser."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    role = getattr(user, "role", None)
    if role == Role.PROVINCIAL:
        return bool(user.authority_id)
    return role == Role.ENTERPRISE and bool(user.enterprise_id)


class RecordsImporter:
    key = "records"
    label = gettext_lazy("Performance records (all stages)")
    #: an enterprise clerk may use it (transfer.jobs.may_import): `_read_batch` reads the clerk's own enterprise
    #: only, so a row naming another enterprise is refused by row
    for_enterprises = True

    @property
    def sheets(self):
        return rr.sheets()

    def run(self, book: Book, *, user, mode: Mode, progress: Progress = no_progress) -> Report:
        report = Report(total=book.rows())
        if not may_import_records(user):
            report.problems.append(Problem("", 0, "", _("You may not import performance records.")))
            return report
        parsed = rr.parse_book(book)
        report.problems += parsed.problems
        if report.file_refused:
            return report
        campaigns = list(Campaign.visible_to(user).order_by("-notice_date", "-pk"))
        records = parsed.records
        total, done, errors = len(records), 0, 0
        plans: list[Plan] = []
        # the enterprise and the project named twice in the file (two rows of the same new project are one project)
        new_projects: dict[str, Plan] = {}
        for chunk in _chunks(records, BATCH):
            checker = _Checker(user, _read_batch(chunk, user), campaigns)
            for rec in chunk:
                plan = None if rec.problems else checker.plan(rec)
                if plan is not None and plan.new_project and not rec.problems:
                    first = new_projects.get(rec.prj_num)
                    if first is None:
                        new_projects[rec.prj_num] = plan
                    else:
                        plan = self._join_new_project(plan, first)
                if rec.problems:
                    report.problems += rec.problems + _not_imported(rec)
                    errors += 1
                elif plan is not None:
                    plans.append(plan)
                done += 1
            progress(done, total, errors)
        rows_of = {id(p): 1 + sum(len(p.rec.rows[part]) for part in rr.ROW_PARTS) for p in plans}
        changed = [p for p in plans if p.changed]
        report.unchanged = sum(rows_of[id(p)] for p in plans if not p.changed)
        if mode == Mode.CHECK or (mode == Mode.ALL and errors):
            return report
        with transaction.atomic(), pghistory.context(job=HISTORY_JOB, user=user.pk):
            _quiet_trigger_settings()
            for chunk in _chunks(changed, BATCH):
                _write(chunk)
        report.written = sum(rows_of[id(p)] for p in changed)
        return report

    @staticmethod
    def _join_new_project(plan: Plan, first: Plan) -> Plan | None:
        """A second row naming a project the file creates: it joins that project, whose shared part the first row
        states; it may repeat it unchanged or leave it empty."""
        rec = plan.rec
        wanted = {n: getattr(first.project, n) for n in _attnames("project")}
        for name, value in rec.stages["project"].items():
            if value not in (None, "", False) and wanted.get(name) != value:
                rec.problems.append(
                    rec.problem(
                        f"project.{name}",
                        _(
                            "Row %(row)s of this file declares the same project with other basic information: the "
                            "project's basic information is entered once, by its first declaration."
                        )
                        % {"row": first.rec.row},
                    )
                )
                return None
        plan.project = first.project
        plan.record.project = first.project
        plan.new_project = False
        plan.units = None
        return plan


def _quiet_trigger_settings() -> None:
    """pgtrigger's and pghistory's trigger functions read settings that, unset, make each trigger raise and roll
    back a subtransaction; in a large transaction each of these costs time in proportion to the rows already
    written (bench/load_records.py's notes). Set them for this transaction: the history is written all the same."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL pgtrigger.ignore = '{}'")


records_importer = RecordsImporter()


def register_records_importer() -> None:
    register(records_importer)
