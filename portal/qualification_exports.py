"""A list of 资质申报业绩 as an Excel workbook (openpyxl) and as a PDF (config/pdf.py): the same rows the page
shows, each with the verdict of the qualification's rule and its reasons (grading.qualification)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PerformanceStage
from config.spreadsheet import xlsx_row
from grading.qualification import STAGE_ORDER, describe

from .models import ApplicationList
from .qualification import PickRow


def _stages(application: ApplicationList) -> list[str]:
    return [s for s in STAGE_ORDER if s in application.qualification.checked_stages]


def _header(application: ApplicationList) -> list[str]:
    return [
        _("No."),
        _("Project name"),
        _("Project number"),
        _("Project location"),
        _("Completion acceptance date"),
        _("Declared as"),
        *(_("Grade: %(stage)s") % {"stage": PerformanceStage(s).label} for s in _stages(application)),
        _("Reviewing department"),
        _("Satisfies the rule"),
        _("Reasons"),
    ]


def _row(number: int, row: PickRow, stages: list[str]) -> list[object]:
    record = row.record
    finish = getattr(record, "finish_check", None)
    grades = dict(row.verdict.grades)
    return [
        number,
        record.project.prj_name,
        record.project.prj_num,
        record.project.county.name if record.project.county_id else "",
        finish.e_date.isoformat() if finish is not None and finish.e_date else "",
        row.pick.get_use_display(),
        *(_("stage missing") if grades.get(s) is None else (grades[s] or _("ungraded")) for s in stages),
        (finish.check_depart_name if finish is not None else "") or record.project.check_depart_name,
        _("Yes") if row.verdict.ok else _("No"),
        "；".join(row.verdict.reasons),
    ]


def _title(application: ApplicationList) -> list[tuple[str, str]]:
    return [
        (_("Enterprise"), application.enterprise.name),
        (_("Unified social credit code"), application.enterprise.credit_code),
        (_("List name"), application.name),
        (_("Qualification applied for"), application.qualification.name),
        (_("Rule"), describe(application.qualification)),
        (_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]


def application_xlsx(application: ApplicationList, rows: list[PickRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Picked records")[:31]
    for label, value in _title(application):
        sheet.append([label, value])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.append([])
    stages = _stages(application)
    header = _header(application)
    sheet.append(header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF2F6")
    bad = PatternFill("solid", fgColor="FDECEF")
    for number, row in enumerate(rows, start=1):
        sheet.append(xlsx_row(sheet, _row(number, row, stages)))
        if not row.verdict.ok:
            sheet.cell(row=sheet.max_row, column=len(header) - 1).fill = bad
        sheet.cell(row=sheet.max_row, column=len(header)).alignment = Alignment(wrap_text=True, vertical="top")
    widths = [6, 36, 20, 14, 14, 12, *([12] * len(stages)), 30, 10, 60]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=header_row, column=index).column_letter].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def application_pdf(application: ApplicationList, rows: list[PickRow]) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape

    from config.pdf import PdfDocument

    doc = PdfDocument(_("Records for a qualification application"), subject=application.name, page_size=landscape(A4))
    doc.title_block(application.name, application.qualification.name)
    doc.key_values(_title(application), columns=2)
    doc.spacer()
    failing = sum(1 for row in rows if not row.verdict.ok)
    doc.heading(
        _("Picked records: %(count)d, not satisfying the rule: %(failing)d") % {"count": len(rows), "failing": failing}
    )
    stages = _stages(application)
    if rows:
        widths = [3, 16, 11, 7, 8, 7, *([5] * len(stages)), 12, 5, 24]
        doc.table(_header(application), [_row(n, row, stages) for n, row in enumerate(rows, start=1)], widths)
    else:
        doc.paragraph(_("No record picked yet."))
    return doc.build()
