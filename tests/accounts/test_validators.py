"""Validators for the national data standard's codes and numbers (accounts/validators.py).

Every sample was checked with an independent implementation of the algorithm before it was written here.
Samples marked "published" appear in public sources (national-standard.md §1.5, GB 11643-1999's own examples,
github.com/bluesky335/IDCheck); the others are built to the rule with a correct check character. No real
person's ID card number is used.

Runs under the project's pytest-django, or alone with plain pytest (Django settings configured below).
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from decimal import Decimal

import django
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from accounts.validators import (
    USCC_KNOWN_NONCONFORMING,
    check_date_order,
    id_card_check_char,
    is_valid_id_card,
    is_valid_uscc,
    licence_cert_issue_date,
    normalize_id_card,
    normalize_uscc,
    uscc_check_char,
    validate_build_corp_code,
    validate_id_card,
    validate_licence_cert_no,
    validate_mobile,
    validate_non_negative,
    validate_not_future,
    validate_phone,
    validate_positive,
    validate_prj_num,
    validate_region_code_format,
    validate_uscc,
)

if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    settings.configure(USE_I18N=True, USE_TZ=True, TIME_ZONE="Asia/Shanghai", LANGUAGE_CODE="en-us")
    django.setup()


def assert_rejected(validator, value, code: str) -> ValidationError:
    """The validator raises one error with `code`, and its message renders (all placeholders supplied)."""
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    error = excinfo.value
    assert error.code == code, f"{value!r}: expected {code}, got {error.code}: {error.messages}"
    assert error.messages and all(message.strip() for message in error.messages)
    return error


# --- 统一社会信用代码 (GB 32100-2015) ---

USCC_GOOD = [
    "91110108551385082Q",  # published (national-standard.md §1.5)
    "91130108601248693C",  # published
    "91530800218350951Y",  # published
    "91350100M000100Y43",  # the official example (bluesky335/IDCheck)
    "9135010557098120XJ",  # published; organisation code ending in X
    "914403001922038216",  # published (华为技术有限公司); check character 6
    "91330000704202479R",  # published
    "91310000MA1K35Y38P",  # published; MA-style organisation code of a post-2015 company
    "92371000MA3MXH0E3W",  # published; 92 个体工商户
    "51310110501144395U",  # published; 51 社会团体 (民政)
    "123502001549897397",  # published; 12 事业单位 (机构编制)
    "N2450107MF0123456G",  # built: N2 村级集体经济组织 (stdnum wrongly rejects the letter prefix)
    "Y1450100MG0012345W",  # built: Y1 其他
    "A1110000MB1234567A",  # built: A1 军队事业单位
    "N1220104MF12345670",  # built: N1 组级集体经济组织 in Jilin, check character 0
    "31450000MD0045678P",  # built: 31 律师执业机构 (司法行政)
    "52450100MJ1234567L",  # built: 52 民办非企业单位
    "91350100M0001TGQXM",  # published legal code from an early pilot whose check character breaks the rule
]

USCC_BAD = [
    ("91450100198230181L", "uscc_check"),  # the check character of these 17 characters is 5, not L
    ("91110108551385082R", "uscc_check"),  # last character mistyped (should be Q)
    ("91110108553185082Q", "uscc_check"),  # two digits transposed (5513 -> 5531)
    ("Y1450100MG0012345X", "uscc_check"),  # letter-prefixed code with a wrong check character (should be W)
    ("91110108551385082q", "uscc_lowercase"),  # lowercase letter
    ("91110108 551385082Q", "uscc_whitespace"),  # a space inside
    ("91110108551385O82Q", "uscc_charset"),  # letter O for digit 0
    ("9111010855138508IQ", "uscc_charset"),  # letter I is never used
    ("91110108-551385082Q", "uscc_charset"),  # hyphen
    ("91110108551385082", "uscc_length"),  # 17 characters
    ("911101085513850822Q", "uscc_length"),  # 19 characters
    ("", "uscc_length"),  # empty
    ("B1110108551385082Q", "uscc_authority"),  # B is no registration authority
    ("01110108551385082Q", "uscc_authority"),  # 0 is no registration authority
    ("911A0108551385082Q", "uscc_region"),  # a letter inside the division code (positions 3-8)
    ("其它", "uscc_other_not_allowed"),  # allowed only for the construction unit's code
]


@pytest.mark.parametrize("value", USCC_GOOD)
def test_uscc_good(value: str) -> None:
    validate_uscc(value)
    assert is_valid_uscc(value)


@pytest.mark.parametrize(("value", "code"), USCC_BAD)
def test_uscc_bad(value: str, code: str) -> None:
    assert_rejected(validate_uscc, value, code)
    assert not is_valid_uscc(value)


def test_uscc_check_error_names_the_expected_character() -> None:
    error = assert_rejected(validate_uscc, "91450100198230181L", "uscc_check")
    assert "5" in error.messages[0]


def test_uscc_lowercase_error_suggests_the_uppercase_code() -> None:
    error = assert_rejected(validate_uscc, "91110108551385082q", "uscc_lowercase")
    assert "91110108551385082Q" in error.messages[0]


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("91110108551385082", "Q"),
        ("9135020026015919X", "W"),
        ("N2450107MF0123456", "G"),
        ("N1220104MF1234567", "0"),
        ("12350200154989739", "7"),
    ],
)
def test_uscc_check_char(first17: str, check: str) -> None:
    assert uscc_check_char(first17) == check


@pytest.mark.parametrize(
    "first17", ["9111010855138508", "911101085513850821", "91110108551385O82", "9111010855138508i"]
)
def test_uscc_check_char_refuses_bad_input(first17: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_char(first17)


def test_known_nonconforming_codes_fail_the_algorithm_but_pass() -> None:
    for code in USCC_KNOWN_NONCONFORMING:
        assert uscc_check_char(code[:17]) != code[17]
        assert is_valid_uscc(code)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        (" 91110108 551385082q ", "91110108551385082Q"),
        ("９１１１０１０８５５１３８５０８２Ｑ", "91110108551385082Q"),  # full-width input from a Chinese IME
        ("\u300091110108551385082Q", "91110108551385082Q"),  # ideographic space
        (" 其它 ", "其它"),
    ],
)
def test_normalize_uscc(raw: str, normalized: str) -> None:
    assert normalize_uscc(raw) == normalized


# --- 建设单位统一社会信用代码 (BuildCorpCode) ---

BUILD_CORP_CODE_GOOD = ["其它", *USCC_GOOD[:11]]

BUILD_CORP_CODE_BAD = [
    ("其他", "build_corp_code_other_spelling"),  # the standard writes 其它
    ("其它 ", "uscc_whitespace"),  # trailing space
    ("无", "uscc_charset"),  # "none" in Chinese is not the standard's word
    ("个人", "uscc_charset"),  # neither is "individual"
    ("/", "uscc_charset"),
    ("", "uscc_length"),
    ("91450100198230181L", "uscc_check"),
    ("91110108551385082q", "uscc_lowercase"),
    ("9111010855138508", "uscc_length"),
    ("Z1110108551385082Q", "uscc_charset"),  # Z is never used
    ("C1110108551385082Q", "uscc_authority"),
]


@pytest.mark.parametrize("value", BUILD_CORP_CODE_GOOD)
def test_build_corp_code_good(value: str) -> None:
    validate_build_corp_code(value)


@pytest.mark.parametrize(("value", "code"), BUILD_CORP_CODE_BAD)
def test_build_corp_code_bad(value: str, code: str) -> None:
    assert_rejected(validate_build_corp_code, value, code)


def test_qita_passes_build_corp_code_and_fails_uscc() -> None:
    validate_build_corp_code("其它")
    assert_rejected(validate_uscc, "其它", "uscc_other_not_allowed")
    assert not is_valid_uscc("其它")


# --- 居民身份证号码 (GB 11643-1999) ---

ID_CARD_GOOD = [
    "11010519491231002X",  # GB 11643-1999's own example; check character X
    "450102198503150018",  # Guangxi, Nanning
    "22010219700101123X",  # Jilin, Changchun; check character X
    "450323200002290023",  # 29 February 2000 (a leap year)
    "220203199602290044",  # 29 February 1996
    "450102190001010035",  # born 1900-01-01, the earliest date allowed
    "450921198808080068",
    "130102201212310018",
    "23010319751111005X",
    "810000199707010010",  # 81 香港
    "820000199912200034",  # 82 澳门
    "710000198006010028",  # 71 台湾
]

ID_CARD_BAD = [
    ("440524188001010014", "id_card_birth_too_early"),  # GB 11643-1999's example, born 1880
    ("450102209901010015", "id_card_birth_future"),  # born 2099
    ("11010519491231002x", "id_card_lowercase"),  # lowercase x
    ("110105491231002", "id_card_old_15"),  # old 15-digit number
    ("11010519491231002", "id_card_length"),  # 17 characters
    ("11010519491231002X1", "id_card_length"),  # 19 characters
    ("11010519491231002Y", "id_card_format"),  # last character neither digit nor X
    ("1101051949123100 X", "id_card_format"),  # a space inside
    ("11010519491231X02X", "id_card_format"),  # X inside the first 17
    ("99010519491231002X", "id_card_region"),  # 99 is no province
    ("00010519491231002X", "id_card_region"),
    ("830000199001010011", "id_card_region"),  # 83 (Taiwan residents' permits) is not in PROVINCE_PREFIXES
    ("450102198502300012", "id_card_birth_date"),  # 30 February
    ("450102199013010011", "id_card_birth_date"),  # month 13
    ("450102190002290011", "id_card_birth_date"),  # 1900 is not a leap year
    ("110105194912310021", "id_card_check"),  # check character should be X
    ("450102198503150019", "id_card_check"),  # check character should be 8
]


@pytest.mark.parametrize("value", ID_CARD_GOOD)
def test_id_card_good(value: str) -> None:
    validate_id_card(value)
    assert is_valid_id_card(value)


@pytest.mark.parametrize(("value", "code"), ID_CARD_BAD)
def test_id_card_bad(value: str, code: str) -> None:
    assert_rejected(validate_id_card, value, code)
    assert not is_valid_id_card(value)


def test_id_card_check_error_names_the_expected_character() -> None:
    error = assert_rejected(validate_id_card, "110105194912310021", "id_card_check")
    assert "X" in error.messages[0]


def test_id_card_born_today_passes_and_tomorrow_fails() -> None:
    today = date.today()  # the validator uses Asia/Shanghai: offsets of -1 and +2 days are safe either way
    for offset, ok in ((-1, True), (2, False)):
        day = today + timedelta(days=offset)
        first17 = f"450102{day:%Y%m%d}001"
        number = first17 + id_card_check_char(first17)
        assert is_valid_id_card(number) is ok


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("11010519491231002", "X"),
        ("44052418800101001", "4"),
        ("45010219850315001", "8"),
        ("22010219700101123", "X"),
        ("81000019970701001", "0"),
    ],
)
def test_id_card_check_char(first17: str, check: str) -> None:
    assert id_card_check_char(first17) == check


@pytest.mark.parametrize("first17", ["1101051949123100", "110105194912310021", "1101051949123100X"])
def test_id_card_check_char_refuses_bad_input(first17: str) -> None:
    with pytest.raises(ValueError):
        id_card_check_char(first17)


def test_normalize_id_card() -> None:
    assert normalize_id_card(" 110105 19491231 002x ") == "11010519491231002X"
    assert normalize_id_card("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


# --- 行政区划代码 (GB/T 2260) ---

REGION_GOOD = [
    "450000",  # 广西壮族自治区 (province)
    "450100",  # 南宁市 (city)
    "450102",  # 兴宁区 (county level)
    "220000",  # 吉林省
    "220104",  # 朝阳区, 长春
    "110101",  # 东城区
    "429004",  # 仙桃市, a county directly under the province (90)
    "659001",  # 石河子市
    "460400",  # 儋州市
    "810000",  # 香港
    "820000",  # 澳门
    "710000",  # 台湾
]

REGION_BAD = [
    ("45010", "region_code_format"),  # 5 digits
    ("4501021", "region_code_format"),  # 7 digits
    ("45O102", "region_code_format"),  # letter O
    (" 450102", "region_code_format"),  # leading space
    ("４５０１０２", "region_code_format"),  # full-width digits
    ("", "region_code_format"),
    ("000000", "region_code_province"),
    ("990000", "region_code_province"),
    ("160000", "region_code_province"),  # 16 is no province
    ("100000", "region_code_province"),  # the national code, not a region
    ("830000", "region_code_province"),  # used in Taiwan residents' permits, not in GB/T 2260
]


@pytest.mark.parametrize("value", REGION_GOOD)
def test_region_code_format_good(value: str) -> None:
    validate_region_code_format(value)


@pytest.mark.parametrize(("value", "code"), REGION_BAD)
def test_region_code_format_bad(value: str, code: str) -> None:
    assert_rejected(validate_region_code_format, value, code)


# --- 项目编号 PrjNum ---

PRJ_NUM_GOOD = [
    "4102001811300101",  # published samples (national-standard.md §1.5)
    "1410021605130102",
    "3306021608300101",
    "3702111805150112",
    "1301012106180001",
    "4501082411210001",
    "4501021712050001",  # built: Guangxi, 2017-12-05
    "2201042009150023",  # built: Jilin, 2020-09-15
    "4503052002290001",  # built: 29 February 2020
    "4501079912319999",  # built: sequence 9999
]

PRJ_NUM_BAD = [
    ("1301012106180001-TX-004", "prj_num_record_number"),  # a stage record number (施工图审查)
    ("3702111805150112-SX-001", "prj_num_record_number"),  # a stage record number (施工许可)
    ("YJ-4501082411210001-007", "prj_num_format"),  # a 业绩记录编号
    ("450108241121000", "prj_num_format"),  # 15 digits
    ("45010824112100011", "prj_num_format"),  # 17 digits
    ("450108241121000A", "prj_num_format"),  # a letter
    (" 4501082411210001", "prj_num_format"),  # leading space
    ("9901082411210001", "prj_num_region"),  # 99 is no province
    ("4501082413210001", "prj_num_date"),  # month 13
    ("4501081702290001", "prj_num_date"),  # 29 February 2017
    ("4501082411320001", "prj_num_date"),  # day 32
    ("4501082411210000", "prj_num_sequence"),  # sequence 0000
]


@pytest.mark.parametrize("value", PRJ_NUM_GOOD)
def test_prj_num_good(value: str) -> None:
    validate_prj_num(value)


@pytest.mark.parametrize(("value", "code"), PRJ_NUM_BAD)
def test_prj_num_bad(value: str, code: str) -> None:
    assert_rejected(validate_prj_num, value, code)


def test_prj_num_record_number_error_gives_the_project_number() -> None:
    error = assert_rejected(validate_prj_num, "3702111805150112-SX-001", "prj_num_record_number")
    assert "3702111805150112" in error.messages[0]


# --- 施工许可证编号 ---

LICENCE_GOOD = [
    "321111201709010201",  # published (Jiangsu standard sample)
    "450102201503200101",
    "450103201712010102",  # 市政工程
    "220102202009150201",
    "450100199001010101",  # 1990-01-01, the earliest date allowed
    "451002201602290302",  # 29 February 2016
    "450102201612319901",  # sequence 99
    "350128201801050101",  # Fujian e-licence form "350128"+yyyyMMdd+seq+type
    "220104200508120102",
    "450105201011110202",
]

LICENCE_BAD = [
    ("330109202101210222", "licence_cert_no_category"),  # published Zhejiang sample: category 22, not 01/02
    ("450102201503200103", "licence_cert_no_category"),  # category 03
    ("3702111805150112-SX-001", "licence_cert_no_record_number"),  # the national record number
    ("4501022015032001", "licence_cert_no_format"),  # 16 digits
    ("45010220150320010X", "licence_cert_no_format"),  # a letter
    ("990102201503200101", "licence_cert_no_region"),  # 99 is no province
    ("450102201502300101", "licence_cert_no_date"),  # 30 February
    ("450102201513200101", "licence_cert_no_date"),  # month 13
    ("450102198912310101", "licence_cert_no_date_too_early"),  # 1989
    ("450102209901010101", "licence_cert_no_date_future"),  # 2099
    ("450102201503200001", "licence_cert_no_sequence"),  # sequence 00
]


@pytest.mark.parametrize("value", LICENCE_GOOD)
def test_licence_cert_no_good(value: str) -> None:
    validate_licence_cert_no(value)


@pytest.mark.parametrize(("value", "code"), LICENCE_BAD)
def test_licence_cert_no_bad(value: str, code: str) -> None:
    assert_rejected(validate_licence_cert_no, value, code)


@pytest.mark.parametrize(
    ("value", "issued"),
    [
        ("321111201709010201", date(2017, 9, 1)),
        ("451002201602290302", date(2016, 2, 29)),
        ("450100199001010101", date(1990, 1, 1)),
    ],
)
def test_licence_cert_issue_date(value: str, issued: date) -> None:
    assert licence_cert_issue_date(value) == issued


def test_licence_cert_issue_date_refuses_an_invalid_number() -> None:
    assert_rejected(licence_cert_issue_date, "450102201502300101", "licence_cert_no_date")


# --- amounts ---

POSITIVE_GOOD = [
    1,
    3,
    10**12,
    0.5,
    100.0,
    1e-6,
    Decimal("0.01"),
    Decimal("12345.6789"),
    Decimal("999999999.99"),
    Decimal("1E+3"),
]

POSITIVE_BAD = [
    (0, "not_positive"),
    (0.0, "not_positive"),
    (Decimal("0.00"), "not_positive"),
    (-1, "not_positive"),
    (-0.5, "not_positive"),
    (Decimal("-0.01"), "not_positive"),
    (float("nan"), "not_a_number"),
    (Decimal("NaN"), "not_a_number"),
    (Decimal("Infinity"), "not_a_number"),
    (True, "not_a_number"),  # a bool is no amount
    ("12", "not_a_number"),  # a string is no amount
    (None, "not_a_number"),
]

NON_NEGATIVE_GOOD = [
    0,
    0.0,
    Decimal("0"),
    Decimal("0.00"),
    Decimal("-0.00"),
    1,
    12.5,
    Decimal("12.5"),
    1e9,
    10**9,
]

NON_NEGATIVE_BAD = [
    (-1, "negative"),
    (-0.001, "negative"),
    (Decimal("-0.01"), "negative"),
    (Decimal("-1E+3"), "negative"),
    (-(10**9), "negative"),
    (float("nan"), "not_a_number"),
    (float("inf"), "not_a_number"),
    (Decimal("NaN"), "not_a_number"),
    ("0", "not_a_number"),
    (None, "not_a_number"),
    (False, "not_a_number"),
]


@pytest.mark.parametrize("value", POSITIVE_GOOD)
def test_positive_good(value: Decimal | int | float) -> None:
    validate_positive(value)


@pytest.mark.parametrize(("value", "code"), POSITIVE_BAD)
def test_positive_bad(value: object, code: str) -> None:
    assert_rejected(validate_positive, value, code)


@pytest.mark.parametrize("value", NON_NEGATIVE_GOOD)
def test_non_negative_good(value: Decimal | int | float) -> None:
    validate_non_negative(value)


@pytest.mark.parametrize(("value", "code"), NON_NEGATIVE_BAD)
def test_non_negative_bad(value: object, code: str) -> None:
    assert_rejected(validate_non_negative, value, code)


# --- phone numbers ---

MOBILE_GOOD = [
    "13800138000",
    "13912345678",
    "14712345678",
    "15077123456",
    "16612345678",
    "17012345678",
    "18677112345",
    "18904311234",
    "19912345678",
    "13307711234",
]

MOBILE_BAD = [
    ("12345678901", "mobile_prefix"),  # 12 is no mobile prefix
    ("10012345678", "mobile_prefix"),
    ("11012345678", "mobile_prefix"),
    ("1380013800", "mobile_length"),  # 10 digits
    ("138001380001", "mobile_length"),  # 12 digits
    ("+8613800138000", "mobile_country_code"),
    ("8613800138000", "mobile_country_code"),
    ("138-0013-8000", "mobile_chars"),  # hyphens
    ("138 0013 8000", "mobile_chars"),  # spaces
    ("1380013800O", "mobile_chars"),  # letter O
    ("１３８００１３８０００", "mobile_chars"),  # full-width digits
    ("0771-2368335", "mobile_chars"),  # a landline
]

PHONE_GOOD = [
    "0771-2368335",  # Nanning, 7-digit number
    "07712368335",  # without the hyphen
    "0431-82752498",  # Changchun, 8-digit number
    "043182752498",
    "010-62345678",  # Beijing, 3-digit area code
    "01062345678",
    "020-83123456",
    "023-63123456",
    "0898-66123456",
    "0771-2368335-801",  # with an extension
    "0771-2368335-1",
    "13800138000",  # a mobile number is a phone too
]

PHONE_BAD = [
    ("2368335", "phone_area_code_missing"),  # no area code
    ("82752498", "phone_area_code_missing"),
    ("0771 2368335", "phone_format"),  # a space
    ("(0771)2368335", "phone_format"),  # parentheses
    ("077-2368335", "phone_format"),  # 077 is no area code (3-digit codes are 010 and 02X)
    ("0771-0368335", "phone_format"),  # a local number never starts with 0
    ("0771-236833", "phone_format"),  # 6-digit local number
    ("0771-236833512", "phone_format"),  # 9-digit local number
    ("0771-2368335-1234567", "phone_format"),  # 7-digit extension
    ("0771-2368335转801", "phone_format"),  # extension written in Chinese
    ("12345678901", "mobile_prefix"),
    ("+86 13800138000", "mobile_country_code"),
]


@pytest.mark.parametrize("value", MOBILE_GOOD)
def test_mobile_good(value: str) -> None:
    validate_mobile(value)


@pytest.mark.parametrize(("value", "code"), MOBILE_BAD)
def test_mobile_bad(value: str, code: str) -> None:
    assert_rejected(validate_mobile, value, code)


@pytest.mark.parametrize("value", PHONE_GOOD)
def test_phone_good(value: str) -> None:
    validate_phone(value)


@pytest.mark.parametrize(("value", "code"), PHONE_BAD)
def test_phone_bad(value: str, code: str) -> None:
    assert_rejected(validate_phone, value, code)


# --- dates ---

_TODAY = date.today()

NOT_FUTURE_GOOD = [
    _TODAY - timedelta(days=1),
    _TODAY - timedelta(days=365),
    date(2017, 11, 20),  # the Guangxi notice
    date(2020, 9, 9),  # the Jilin notice
    date(2000, 2, 29),
    date(1990, 1, 1),
    date(1949, 10, 1),
    date(1900, 1, 1),
    datetime(2017, 12, 25, 17, 30),  # a datetime counts by its date
    date.min,
]

NOT_FUTURE_BAD = [
    _TODAY + timedelta(days=2),
    _TODAY + timedelta(days=30),
    _TODAY + timedelta(days=365),
    date(2099, 1, 1),
    date(2100, 2, 28),
    date(3000, 1, 1),
    datetime(2099, 12, 31, 8, 0),
    date.max,
    date(_TODAY.year + 1, 1, 1),
    date(_TODAY.year + 5, 6, 30),
]


@pytest.mark.parametrize("value", NOT_FUTURE_GOOD)
def test_not_future_good(value: date) -> None:
    validate_not_future(value)


@pytest.mark.parametrize("value", NOT_FUTURE_BAD)
def test_not_future_bad(value: date) -> None:
    assert_rejected(validate_not_future, value, "date_in_future")


D = date
IN_ORDER = [
    ("立项批复时间", D(2015, 3, 1)),
    ("中标日期", D(2015, 5, 10)),
    ("合同签订日期", D(2015, 5, 20)),
    ("施工许可发证日期", D(2015, 6, 1)),
    ("实际开工日期", D(2015, 6, 15)),
    ("实际竣工日期", D(2017, 3, 30)),
    ("竣工验收备案日期", D(2017, 4, 20)),
]


def _replace(steps: list[tuple[str, date | None]], **changes: date | None) -> list[tuple[str, date | None]]:
    """Steps with some dates replaced, addressed by position: _replace(IN_ORDER, s1=None)."""
    replaced = list(steps)
    for key, value in changes.items():
        index = int(key[1:])
        replaced[index] = (replaced[index][0], value)
    return replaced


DATE_ORDER_GOOD = [
    [],
    IN_ORDER[:1],
    IN_ORDER,
    _replace(IN_ORDER, s1=D(2015, 3, 1)),  # equal dates are in order
    _replace(IN_ORDER, s1=None),  # a missing step is skipped
    _replace(IN_ORDER, s0=None, s6=None),
    _replace(IN_ORDER, s1=None, s2=None, s3=None, s4=None, s5=None),
    [(label, None) for label, _day in IN_ORDER],
    _replace(IN_ORDER, s4=D(2015, 6, 1), s5=D(2015, 6, 1)),
    [("立项批复时间", datetime(2015, 3, 1, 9, 0)), ("中标日期", D(2015, 3, 1))],  # datetime vs date
]

DATE_ORDER_BAD = [
    (_replace(IN_ORDER, s1=D(2015, 2, 1)), [("中标日期", "立项批复时间")]),  # tender before approval
    (_replace(IN_ORDER, s2=D(2015, 5, 9)), [("合同签订日期", "中标日期")]),
    (_replace(IN_ORDER, s3=D(2015, 5, 19)), [("施工许可发证日期", "合同签订日期")]),
    (_replace(IN_ORDER, s4=D(2015, 5, 31)), [("实际开工日期", "施工许可发证日期")]),
    (_replace(IN_ORDER, s5=D(2015, 6, 14)), [("实际竣工日期", "实际开工日期")]),
    (_replace(IN_ORDER, s6=D(2017, 3, 29)), [("竣工验收备案日期", "实际竣工日期")]),
    # the step before is missing: compared with the nearest earlier date
    (_replace(IN_ORDER, s1=None, s2=D(2015, 2, 1)), [("合同签订日期", "立项批复时间")]),
    # two independent mistakes give two messages
    (
        _replace(IN_ORDER, s1=D(2015, 2, 1), s6=D(2017, 1, 1)),
        [("中标日期", "立项批复时间"), ("竣工验收备案日期", "实际竣工日期")],
    ),
    # one date far too early: its own pair is reported (the next pair is in order again)
    (_replace(IN_ORDER, s3=D(2014, 1, 1)), [("施工许可发证日期", "合同签订日期")]),
    ([("实际开工日期", D(2016, 1, 2)), ("实际竣工日期", D(2016, 1, 1))], [("实际竣工日期", "实际开工日期")]),
]


@pytest.mark.parametrize("steps", DATE_ORDER_GOOD)
def test_date_order_good(steps: list[tuple[str, date | None]]) -> None:
    assert check_date_order(steps) == []


@pytest.mark.parametrize(("steps", "pairs"), DATE_ORDER_BAD)
def test_date_order_bad(steps: list[tuple[str, date | None]], pairs: list[tuple[str, str]]) -> None:
    messages = check_date_order(steps)
    assert len(messages) == len(pairs)
    dates = dict(steps)
    for message, (later, earlier) in zip(messages, pairs, strict=True):
        assert isinstance(message, str)
        assert later in message and earlier in message
        assert dates[later].isoformat() in message and dates[earlier].isoformat() in message
