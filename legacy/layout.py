"""The old system's export (原工程项目业绩管理系统): what its file holds and what each column means.

The file is the records layout of transfer/ (one row per record with every stage, and the sheets of its repeating
parts: 单体, 参建单位, 人员, 审图人员 — transfer/record_rows.py) with the old system's own columns at the front of
the records sheet, and one more sheet, 审核人员, of the old system's reviewer accounts:

- 原系统业绩编号: the old system's id of the record, the key (importing the file again changes nothing);
- 原系统状态: 审核通过, 待审核 or 审核不通过 (the old system also wrote 已通过, 审核中, 已提交, 退回, 已退回);
- 提交时间, 审核时间: when the firm submitted it and when it was decided, Beijing time;
- 审核部门, 审核部门级别 (省级 / 市级 / 县级), 审核部门行政区划代码: the department that reviewed it; its level gives
  the grade (J2: A provincial, B city, C county — grading.grades), the region code finds its authority;
- 审核人编号, 审核人: the reviewer (a 原系统人员编号 of the 审核人员 sheet, or of an earlier import) and the name;
- 审核意见: the reason of a rejection;
- 中标通知书附件, 中标工程合同附件, 竣工验收证明附件: where the old system stored the three required attachments
  (a path under its upload folder; the files are copied under MEDIA_ROOT/legacy/ with the same paths).

审核人员: 原系统人员编号, 账号, 姓名, 主管部门, 科室, 级别, 行政区划代码, 职务, 手机 — an official of the
authority of that region (J9: real name and real 处/科室), who signs in once a password is set for the account.
"""

from __future__ import annotations

from transfer.book import Column, Sheet

REVIEWERS_SHEET = "审核人员"

OLD_ID = "原系统业绩编号"
OLD_STATUS = "原系统状态"
SUBMITTED_AT = "提交时间"
REVIEWED_AT = "审核时间"
DEPARTMENT = "审核部门"
DEPARTMENT_LEVEL = "审核部门级别"
DEPARTMENT_REGION = "审核部门行政区划代码"
REVIEWER_ID = "审核人编号"
REVIEWER_NAME = "审核人"
OPINION = "审核意见"
#: the attachment kinds of grading.rules.REQUIRED_ATTACHMENTS, by their column
ATTACHMENT_COLUMNS = {
    "bid_notice": "中标通知书附件",
    "contract": "中标工程合同附件",
    "completion": "竣工验收证明附件",
}

DATETIME_HINT = "2020-08-15 10:30"

LEGACY_COLUMNS: tuple[Column, ...] = (
    Column(OLD_ID, required=True, hint="ZJ2019000123", code=True),
    Column(OLD_STATUS, required=True, hint="审核通过 / 待审核 / 审核不通过"),
    Column(SUBMITTED_AT, required=True, hint=DATETIME_HINT),
    Column(REVIEWED_AT, hint=DATETIME_HINT),
    Column(DEPARTMENT, hint="长春市住房和城乡建设局建筑市场管理科"),
    Column(DEPARTMENT_LEVEL, hint="省级 / 市级 / 县级"),
    Column(DEPARTMENT_REGION, hint="220100", code=True),
    Column(REVIEWER_ID, hint="U0001", code=True),
    Column(REVIEWER_NAME, hint="张强"),
    Column(OPINION, hint="审核不通过时的理由"),
    *(Column(header, hint="/upload/2019/11/a.pdf") for header in ATTACHMENT_COLUMNS.values()),
)

R_OLD_ID = "原系统人员编号"
R_USERNAME = "账号"
R_NAME = "姓名"
R_AUTHORITY = "主管部门"
R_DEPARTMENT = "科室"
R_LEVEL = "级别"
R_REGION = "行政区划代码"
R_TITLE = "职务"
R_PHONE = "手机"

REVIEWERS = Sheet(
    REVIEWERS_SHEET,
    (
        Column(R_OLD_ID, required=True, hint="U0001", code=True),
        Column(R_USERNAME, required=True, hint="ccs_zhangqiang", code=True),
        Column(R_NAME, required=True, hint="张强"),
        Column(R_AUTHORITY, required=True, hint="长春市住房和城乡建设局"),
        Column(R_DEPARTMENT, required=True, hint="建筑市场管理科"),
        Column(R_LEVEL, required=True, hint="省级 / 市级 / 县级"),
        Column(R_REGION, required=True, hint="220100", code=True),
        Column(R_TITLE, hint="科员"),
        Column(R_PHONE, hint="13904310000", code=True),
    ),
    keys=(R_OLD_ID,),
    required=False,
)

#: 原系统状态 as the old system wrote it → LegacyStatus
STATUS_WORDS = {
    "审核通过": "approved",
    "已通过": "approved",
    "通过": "approved",
    "待审核": "pending",
    "审核中": "pending",
    "已提交": "pending",
    "审核不通过": "rejected",
    "不通过": "rejected",
    "退回": "rejected",
    "已退回": "rejected",
}

#: 级别 / 审核部门级别 as written → accounts.AuthorityLevel
LEVEL_WORDS = {
    "省级": "province",
    "省": "province",
    "省厅": "province",
    "市级": "city",
    "市": "city",
    "市州": "city",
    "县级": "county",
    "县": "county",
    "县区": "county",
    "区县": "county",
}
LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "县级"}


def sheets() -> tuple[Sheet, ...]:
    """The records layout (transfer.record_rows) with the old system's columns in front of its sheet 业绩, then
    审核人员."""
    from transfer import record_rows

    first, *rest = record_rows.sheets()
    main = Sheet(first.name, (*LEGACY_COLUMNS, *first.columns), keys=(OLD_ID,), required=True)
    return (main, *rest, REVIEWERS)


def records_sheet_name() -> str:
    from transfer import record_rows

    return record_rows.layout(record_rows.RECORDS).name
