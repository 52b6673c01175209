"""J8: the national data standard as data — the page's sections, the M fields (red stars), the format checks."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation

from accounts import validators as v
from grading import rules
from grading.rules import Format


def test_j8_sections_follow_the_page_order_with_their_chinese_labels():
    assert [s.key for s in rules.SECTIONS] == [
        "project",
        "units",
        "censor",
        "tender",
        "contract",
        "licence",
        "finish",
        "corps",
        "persons",
        "attachments",
    ]
    with translation.override("zh-hans"):
        labels = [str(s.label) for s in rules.SECTIONS]
    assert labels == [
        "基本信息",
        "单体",
        "审图备案",
        "招投标备案",
        "合同备案",
        "施工许可",
        "竣工验收与备案",
        "参建单位",
        "单位人员",
        "附件",
    ]
    assert [p.key for p in rules.SECTION_BY_KEY["finish"].parts] == ["finish_check", "finish_record"]
    assert [p.key for p in rules.SECTION_BY_KEY["censor"].parts] == ["censor", "censor_staff"]


@pytest.mark.parametrize("part", rules.PARTS, ids=lambda p: p.key)
def test_j8_every_mandatory_field_exists_on_its_model(part):
    for name in part.required:
        try:
            part.field(name)
        except FieldDoesNotExist:
            pytest.fail(f"{part.key}.{name} is not a field of {part.model.__name__}")


@pytest.mark.parametrize(
    ("path", "required"),
    [
        ("project.prj_name", True),
        ("project.build_corp_code", True),
        ("project.prj_code", False),  # PrjCode is O
        ("project.all_area", False),
        ("tender.tender_money", True),
        ("tender.constructor_name", False),
        ("contract.propietor_corp_code", True),
        ("contract.contract_num", False),
        ("censor.one_censor_is_pass", True),
        ("licence.licence_cert_no", True),
        ("licence.area", False),
        ("finish_check.span", True),
        ("finish_record.prj_finish_num", True),
        ("units.seismic_intensity", True),
        ("units[4].invest", True),
        ("corps.corp_code", True),
        ("corps[0].person_phone", True),
        ("persons.id_card", True),
        ("persons.phone", False),
        ("censor_staff.duty", True),
        ("censor_staff[2].id_card", True),
        ("attachments.bid_notice", True),
        ("attachments.contract", True),
        ("attachments.completion", True),
        ("attachments.other", False),
        ("nonsense.field", False),
    ],
)
def test_j8_red_stars(path, required):
    assert rules.is_required(path) is required


def test_j8_required_attachments_are_the_three_of_the_notice():
    assert rules.REQUIRED_ATTACHMENTS == ("bid_notice", "contract", "completion")


_FORMAT_OF_VALIDATOR = {
    v.validate_uscc: Format.CREDIT_CODE,
    v.validate_build_corp_code: Format.CREDIT_CODE_OR_OTHER,
    v.validate_prj_num: Format.PRJ_NUM,
    v.validate_licence_cert_no: Format.LICENCE_CERT_NO,
    v.validate_positive: Format.POSITIVE,
    v.validate_non_negative: Format.NON_NEGATIVE,
    v.validate_phone: Format.PHONE,
}


def test_j8_every_validated_model_field_has_its_format_check():
    """The models' validators and the rule table agree: no credit code, amount or phone escapes the submit check."""
    declared = {(c.path, c.format) for c in rules.FIELD_CHECKS}  # a field may take several (units.invest)
    expected = set()
    for part in rules.PARTS:
        for field in part.model._meta.concrete_fields:
            for validator in field.validators:
                for function, fmt in _FORMAT_OF_VALIDATOR.items():
                    if validator is function:
                        expected.add((f"{part.key}.{field.name}", fmt))
    assert expected - declared == set()


def test_j8_every_format_check_names_a_real_field():
    for check in rules.FIELD_CHECKS:
        part, _index, name = rules.split_path(check.path)
        rules.PART_BY_KEY[part].field(name)
        if check.format == Format.ID_CARD:
            rules.PART_BY_KEY[part].field(check.id_type_field)
        else:
            assert not check.id_type_field


def test_j8_date_chains_name_real_date_fields():
    for path in {p for chain in rules.DATE_CHAINS for p in chain} | set(rules.PAST_DATES):
        part, _index, name = rules.split_path(path)
        assert rules.PART_BY_KEY[part].field(name).get_internal_type() == "DateField", path


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("corps[3].corp_code", ("corps", 3, "corp_code")),
        ("tender.tender_money", ("tender", None, "tender_money")),
        ("units[0]", ("units", 0, "")),
    ],
)
def test_paths_split_into_part_row_and_field(path, parts):
    assert rules.split_path(path) == parts


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("finish_record.e_date", "finish"),
        ("censor_staff[1].id_card", "censor"),
        ("attachments.bid_notice", "attachments"),
        ("project.county", "project"),
        ("units[0].invest", "units"),
        ("unknown.x", ""),
    ],
)
def test_paths_belong_to_their_page_section(path, section):
    assert rules.section_of(path) == section
