"""J8 and the checks that always apply: one valid record passes; each single defect yields exactly its problem."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.validators import BUILD_CORP_CODE_NONE
from grading import rules
from grading.checks import Problem, check_record, section_completeness
from projects import codes
from projects.models import Attachment, AttachmentKind, Project, Record, UnitProject
from tests.factories import ProjectFactory, RecordFactory, region
from tests.review.builders import valid_record

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
#: A day when a grade-A design firm may submit in Guangxi (track N until 2017-12-25).
SUBMIT_DAY = dt.datetime(2017, 12, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _in_december_2017():
    with time_machine.travel(SUBMIT_DAY, tick=False):
        yield


@pytest.fixture
def record(firm_a) -> Record:
    return valid_record(firm_a)


def _set(stage: str, **values) -> Callable[[Record], None]:
    def mutate(record: Record) -> None:
        obj = record.project if stage == "project" else getattr(record, stage)
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()

    return mutate


def _set_row(related: str, index: int, **values) -> Callable[[Record], None]:
    def mutate(record: Record) -> None:
        managers = {"units": record.project.units, "censor_staff": record.censor.staff}
        manager = managers.get(related) or getattr(record, related)
        obj = list(manager.all())[index]
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()

    return mutate


def _wrong_check_char(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


def _break_corp_code(record: Record) -> None:
    tender = record.tender
    tender.tender_corp_code = _wrong_check_char(tender.tender_corp_code)
    tender.save()


def _break_id_card(record: Record) -> None:
    corp = record.corps.first()
    corp.person_id_card = _wrong_check_char(corp.person_id_card)
    corp.save()


def _no_units(record: Record) -> None:
    UnitProject.objects.filter(project=record.project).delete()


def _no_contract_attachment(record: Record) -> None:
    Attachment.objects.filter(record=record, kind=AttachmentKind.CONTRACT).delete()


def _kept_as_typed(record: Record) -> None:
    _set("tender", tender_money=None)(record)
    record.draft_inputs = {"tender.tender_money": "170万"}
    record.save()


def _licence_date_moved(record: Record) -> None:
    licence = record.licence
    licence.release_date += dt.timedelta(days=1)
    licence.save()


def _tender_after_contract(record: Record) -> None:
    tender = record.tender
    tender.tender_result_date = record.contract.contract_date + dt.timedelta(days=1)
    tender.save()


def _filed_before_accepted(record: Record) -> None:
    finish = record.finish_record
    finish.e_date = record.finish_check.e_date - dt.timedelta(days=1)
    finish.save()


def _completed_after_cut_date(record: Record) -> None:
    _set("finish_check", e_date=dt.date(2017, 11, 20))(record)
    _set("finish_record", e_date=dt.date(2017, 11, 28))(record)


def _prj_num_sequence_zero(record: Record) -> None:
    Project.objects.filter(pk=record.project_id).update(prj_num=record.project.prj_num[:12] + "0000")


SINGLE_DEFECTS = [
    ("m_project_category", _set("project", prj_type=""), "M", "project.prj_type"),
    ("m_owner_credit_code", _set("project", build_corp_code=""), "M", "project.build_corp_code"),
    ("m_winning_amount", _set("tender", tender_money=None), "M", "tender.tender_money"),
    ("m_first_review_passed", _set("censor", one_censor_is_pass=None), "M", "censor.one_censor_is_pass"),
    ("m_permit_duration", _set("licence", bargain_days=None), "M", "licence.bargain_days"),
    ("m_filing_span", _set("finish_record", span=None), "M", "finish_record.span"),
    ("m_corp_phone", _set_row("corps", 1, person_phone=""), "M", "corps[1].person_phone"),
    ("m_person_role", _set_row("persons", 0, role=""), "M", "persons[0].role"),
    ("m_staff_duty", _set_row("censor_staff", 0, duty=""), "M", "censor_staff[0].duty"),
    ("m_unit_seismic", _set_row("units", 0, seismic_intensity=""), "M", "units[0].seismic_intensity"),
    ("m_at_least_one_unit", _no_units, "M", "units[0]"),
    ("code_tender_type", _set("tender", tender_class="005"), "code", "tender.tender_class"),
    ("code_corp_role", _set_row("corps", 1, corp_role="7"), "code", "corps[1].corp_role"),
    ("check_digit_credit_code", _break_corp_code, "check-digit", "tender.tender_corp_code"),
    ("check_digit_id_card", _break_id_card, "check-digit", "corps[0].person_id_card"),
    ("format_prj_num", _prj_num_sequence_zero, "format", "project.prj_num"),
    (
        "format_permit_number",
        _set("licence", licence_cert_no="450103201409010103"),
        "format",
        "licence.licence_cert_no",
    ),
    ("format_phone", _set_row("corps", 0, person_phone="2368335"), "format", "corps[0].person_phone"),
    ("permit_date_segment", _licence_date_moved, "licence-date", "licence.licence_cert_no"),
    ("amount_negative", _set("tender", tender_money=Decimal("-1")), "amount", "tender.tender_money"),
    ("amount_zero_cost", _set("finish_check", fact_cost=Decimal("0")), "amount", "finish_check.fact_cost"),
    ("amount_negative_area", _set("finish_record", fact_area=Decimal("-5")), "amount", "finish_record.fact_area"),
    (
        "use_of_other_category",
        _set("project", prj_function=codes.ProjectFunction.ROAD),
        "function-type",
        "project.prj_function",
    ),
    ("region_abolished_before_campaign", _set("project", county_id="450122"), "region", "project.county"),
    ("region_not_a_county", _set("project", county_id="450100"), "region", "project.county"),
    ("date_order_tender_after_contract", _tender_after_contract, "date-order", "contract.contract_date"),
    ("date_order_filing_before_acceptance", _filed_before_accepted, "date-order", "finish_record.e_date"),
    ("date_in_future", _set("censor", censor_e_date=dt.date(2017, 12, 2)), "date-order", "censor.censor_e_date"),
    ("g1_completed_after_cut_date", _completed_after_cut_date, "G1", "finish_check.e_date"),
    ("draft_input_kept_as_typed", _kept_as_typed, "draft-input", "tender.tender_money"),
    ("attachment_contract_missing", _no_contract_attachment, "attachment", "attachments.contract"),
]


def test_j8_a_valid_record_has_no_problem(record):
    assert check_record(record) == []


@pytest.mark.parametrize(("label", "mutate", "rule", "path"), SINGLE_DEFECTS, ids=[d[0] for d in SINGLE_DEFECTS])
def test_j8_each_defect_yields_exactly_its_problem(record, label, mutate, rule, path):
    mutate(record)
    problems = check_record(Record.objects.get(pk=record.pk))
    assert [(p.rule, p.path) for p in problems] == [(rule, path)]
    assert problems[0].section == rules.section_of(path)
    assert problems[0].message


def test_j8_owner_without_code_may_write_qita(record):
    _set("project", build_corp_code=BUILD_CORP_CODE_NONE)(record)
    assert check_record(Record.objects.get(pk=record.pk)) == []


def test_j8_qita_is_refused_for_the_winning_enterprise(record):
    _set("tender", tender_corp_code=BUILD_CORP_CODE_NONE)(record)
    problems = check_record(Record.objects.get(pk=record.pk))
    assert [(p.rule, p.path) for p in problems] == [("check-digit", "tender.tender_corp_code")]


def test_j8_id_numbers_other_than_resident_cards_are_not_checked_for_a_check_digit(record):
    _set_row("corps", 0, id_card_type=codes.IdCardType.PASSPORT, person_id_card="E12345678")(record)
    assert check_record(Record.objects.get(pk=record.pk)) == []


def test_j8_a_bare_record_lists_every_mandatory_field_at_once(firm_a, guangxi):
    bare = RecordFactory(enterprise=firm_a, campaign=guangxi, project=ProjectFactory(prj_name=""))
    problems = check_record(bare)
    expected = {
        f"{part.key}.{name}"
        for part in rules.PARTS
        if not part.many
        for name in part.required
        if (part.key, name) != ("project", "county")  # a project always has its county
    }
    expected |= {"units[0]", "corps[0]", "persons[0]"}  # at least one row (persons: DOMAIN.md record §7)
    assert {p.path for p in problems if p.rule == "M"} == expected
    assert {p.path for p in problems if p.rule == "attachment"} == {
        f"attachments.{kind}" for kind in rules.REQUIRED_ATTACHMENTS
    }
    assert {p.rule for p in problems} == {"M", "attachment"}
    sections = [p.section for p in problems]
    order = [s.key for s in rules.SECTIONS]
    assert sections == sorted(sections, key=order.index), "problems come in the page's order"


def test_j8_several_defects_are_all_listed(record):
    _set("tender", tender_money=None, tender_class="005")(record)
    _break_id_card(record)
    _no_contract_attachment(record)
    problems = check_record(Record.objects.get(pk=record.pk))
    assert {(p.rule, p.path) for p in problems} == {
        ("M", "tender.tender_money"),
        ("code", "tender.tender_class"),
        ("check-digit", "corps[0].person_id_card"),
        ("attachment", "attachments.contract"),
    }


def test_j8_messages_are_in_the_active_language_and_name_the_field(record):
    _set("tender", tender_money=None)(record)
    _break_corp_code(record)
    with translation.override("zh-hans"):
        chinese = {p.path: p.message for p in check_record(Record.objects.get(pk=record.pk))}
    with translation.override("en"):
        english = {p.path: p.message for p in check_record(Record.objects.get(pk=record.pk))}
    assert "中标金额（万元）" in chinese["tender.tender_money"]
    assert "必填" in chinese["tender.tender_money"]
    assert "招投标备案" in chinese["tender.tender_money"]
    assert "中标单位统一社会信用代码" in chinese["tender.tender_corp_code"]
    assert "校验" in chinese["tender.tender_corp_code"]
    assert "winning amount (10k yuan)" in english["tender.tender_money"]
    assert "required" in english["tender.tender_money"]


def test_j8_row_problems_name_their_row(record):
    _set_row("corps", 1, person_phone="")(record)
    with translation.override("zh-hans"):
        (problem,) = check_record(Record.objects.get(pk=record.pk))
    assert "参建单位第2行" in problem.message
    assert "负责人手机号码" in problem.message or "手机" in problem.message


def test_j8_the_check_runs_in_a_bounded_number_of_queries(firm_a, firm_b, django_assert_max_num_queries):
    small = valid_record(firm_a)
    big = valid_record(firm_b, units=12, corps=40, persons=40, staff=25)
    with CaptureQueriesContext(connection) as small_queries:
        assert check_record(Record.objects.get(pk=small.pk)) == []
    with django_assert_max_num_queries(10):
        assert check_record(Record.objects.get(pk=big.pk)) == []
    with CaptureQueriesContext(connection) as big_queries:
        check_record(Record.objects.get(pk=big.pk))
        section_completeness(Record.objects.get(pk=big.pk))
    assert len(big_queries) <= 2 * len(small_queries)


def test_section_completeness_counts_mandatory_fields(record, firm_b, guangxi):
    complete = section_completeness(record)
    assert list(complete) == [s.key for s in rules.SECTIONS]
    assert all(filled == required and required > 0 for filled, required in complete.values())
    assert complete["attachments"] == (3, 3)
    assert complete["finish"] == (20, 20)

    _set("tender", tender_money=None, area=None)(record)
    _no_contract_attachment(record)
    record.draft_inputs = {"tender.tender_num": "???"}
    record.save()
    partial = section_completeness(Record.objects.get(pk=record.pk))
    assert partial["tender"] == (8, 11)
    assert partial["attachments"] == (2, 3)

    bare = RecordFactory(enterprise=firm_b, campaign=guangxi, project=ProjectFactory(county=region("450103")))
    empty = section_completeness(bare)
    assert empty["units"] == (0, 3)  # one row of three M fields is required
    assert empty["corps"] == (0, 7)
    assert empty["persons"] == (0, 6)  # 单位人员录入 (DOMAIN.md record §7): one person of six M fields is required
    assert empty["tender"] == (0, 11)
    assert empty["project"] == (2, 12)  # the factory's name, and the county a project always has


def test_problem_is_a_frozen_value():
    problem = Problem("tender", "tender.tender_money", "x", "M")
    with pytest.raises(AttributeError):
        problem.rule = "code"  # type: ignore[misc]
