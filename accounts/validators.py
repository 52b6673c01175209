"""Validators for the codes and numbers of the national data standard (DOMAIN.md, "Checks that always apply").

Every record must follow the 2018 national data standard (J8); these validators check the formats its fields
use (national-standard.md §1.5): 统一社会信用代码 (GB 32100-2015), 居民身份证号码 (GB 11643-1999), 项目编号,
施工许可证编号, GB/T 2260 region codes, amounts, phone numbers and the order of stage dates.

Validators check the stored value and never change it; `normalize_uscc` and `normalize_id_card` tidy user
input (full-width characters, spaces, lowercase) before it is validated. Existence checks (a region code in
the `Region` table, a credit code in a registry) belong elsewhere: nothing here touches the database.

Every error is a `ValidationError` with an English msgid (translated in `locale/zh_Hans/`), named placeholders
and a `code`, so callers and tests can tell the errors apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- shared pieces ---

#: First two digits of the GB/T 2260 province-level divisions (including 71 台湾, 81 香港, 82 澳门).
PROVINCE_PREFIXES: frozenset[str] = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23"]
    + [str(n) for n in range(31, 38)]
    + [str(n) for n in range(41, 47)]
    + [str(n) for n in range(50, 55)]
    + [str(n) for n in range(61, 66)]
    + ["71", "81", "82"]
)

_DIGITS_RE = re.compile(r"[0-9]+", re.ASCII)


def _today() -> date:
    """Today in the project's time zone (Asia/Shanghai), or the system's date when Django is not set up."""
    if settings.configured and settings.USE_TZ:
        return timezone.localdate()
    return date.today()


def _is_digits(value: str, length: int) -> bool:
    return len(value) == length and _DIGITS_RE.fullmatch(value) is not None


def _parse_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- 统一社会信用代码 (GB 32100-2015) ---

#: The 31 characters of GB 32100-2015 in the order of their values 0..30 (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weights of positions 1..17: 3^(i-1) mod 31.
USCC_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
#: 登记管理部门代码 (position 1): 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教,
#: 8 工会, 9 工商, A 中央军委改革和编制办公室, N 农业, Y 其他.
USCC_AUTHORITY_CODES = "123456789ANY"
#: Codes issued by early pilot registries (Fujian, before GB 32100-2015) whose check character does not follow
#: the standard, yet which are legal and still in use. Add a code here only with a public source for it.
USCC_KNOWN_NONCONFORMING: frozenset[str] = frozenset(
    {
        "91350100M0001TGQXM",  # 福建恒跃柳工机械销售有限公司 (github.com/bluesky335/IDCheck README)
        "91350211M0000XUF46",  # 厦门云上晴空航空科技有限公司 (same source)
        "91350203M0001FUE2P",  # 厦门黑脉网络科技有限公司 (same source)
        "91350211M00013FA1N",  # cited by hutool's CreditCodeUtilTest as a legal non-conforming code
    }
)
#: What the standard tells a 建设单位 without a credit code to write in BuildCorpCode.
BUILD_CORP_CODE_NONE = "其它"

_USCC_VALUES = {char: index for index, char in enumerate(USCC_ALPHABET)}
_ASCII_LOWER_RE = re.compile(r"[a-z]")


def normalize_uscc(value: str) -> str:
    """Tidy a typed credit code: full-width to half-width (NFKC), drop all spaces, upper-case."""
    text = unicodedata.normalize("NFKC", value)
    return "".join(text.split()).upper()


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character (position 18) for the first 17 characters of a credit code.

    Raises `ValueError` unless `first17` is 17 characters of the code's alphabet.
    """
    if len(first17) != 17 or any(char not in _USCC_VALUES for char in first17):
        raise ValueError(f"expected 17 characters of {USCC_ALPHABET!r}, got {first17!r}")
    total = sum(_USCC_VALUES[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """Validate an 18-character 统一社会信用代码 (GB 32100-2015; national-standard.md §1.5).

    Position 1 registration authority, 2 organisation type, 3-8 administrative division (digits), 9-17 the
    organisation code, 18 the check character. Codes starting with a letter (A, N, Y) are legal.
    """
    value = str(value)
    if value in (BUILD_CORP_CODE_NONE, "其他"):
        raise ValidationError(
            _(
                "Enter the 18-character unified social credit code; “其它” may only be entered for a "
                "construction unit (建设单位) that has no code."
            ),
            code="uscc_other_not_allowed",
        )
    if any(char.isspace() for char in value):
        raise ValidationError(
            _("Remove the spaces: the unified social credit code is 18 characters with no spaces."),
            code="uscc_whitespace",
        )
    if _ASCII_LOWER_RE.search(value):
        raise ValidationError(
            _("Write the letters of the unified social credit code in uppercase: %(suggestion)s."),
            code="uscc_lowercase",
            params={"suggestion": value.upper()},
        )
    bad = "".join(dict.fromkeys(char for char in value if char not in _USCC_VALUES))
    if bad:
        raise ValidationError(
            _(
                "The unified social credit code cannot contain “%(chars)s”: it uses only the digits 0-9 and "
                "the uppercase letters A-Y except I, O, S, V and Z."
            ),
            code="uscc_charset",
            params={"chars": bad},
        )
    if len(value) != 18:
        raise ValidationError(
            _("The unified social credit code has 18 characters; %(length)s were entered."),
            code="uscc_length",
            params={"length": len(value)},
        )
    if value[0] not in USCC_AUTHORITY_CODES:
        raise ValidationError(
            _(
                "The first character of the unified social credit code is the registration authority and "
                "must be one of %(allowed)s; “%(char)s” was entered."
            ),
            code="uscc_authority",
            params={"allowed": ", ".join(USCC_AUTHORITY_CODES), "char": value[0]},
        )
    if not _is_digits(value[2:8], 6):
        raise ValidationError(
            _(
                "Characters 3-8 of the unified social credit code are the administrative division code and "
                "must be digits; “%(region)s” was entered."
            ),
            code="uscc_region",
            params={"region": value[2:8]},
        )
    if value in USCC_KNOWN_NONCONFORMING:
        return
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _(
                "The unified social credit code has an invalid check character; the last character should be "
                "%(expected)s, not %(actual)s. Check the code against the business licence."
            ),
            code="uscc_check",
            params={"expected": expected, "actual": value[17]},
        )


def validate_build_corp_code(value: str) -> None:
    """Validate 建设单位统一社会信用代码 (BuildCorpCode): a credit code, or the literal “其它”.

    The standard: 特殊部门或个人无统一社会信用代码的填写“其它”
    (national-standard-2018-tables.txt, TBProjectInfo).
    """
    if value == BUILD_CORP_CODE_NONE:
        return
    if value == "其他":
        raise ValidationError(
            _("When the construction unit has no unified social credit code, write “其它” (not “其他”)."),
            code="build_corp_code_other_spelling",
        )
    validate_uscc(value)


def is_valid_uscc(value: str) -> bool:
    """True when `validate_uscc` accepts `value`."""
    try:
        validate_uscc(value)
    except ValidationError:
        return False
    return True


# --- 居民身份证号码 (GB 11643-1999) ---

ID_CARD_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECK_CHARS = "10X98765432"
ID_CARD_EARLIEST_BIRTH = date(1900, 1, 1)

_ID_CARD_RE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)


def normalize_id_card(value: str) -> str:
    """Tidy a typed ID card number: full-width to half-width (NFKC), drop all spaces, upper-case the X."""
    text = unicodedata.normalize("NFKC", value)
    return "".join(text.split()).upper()


def id_card_check_char(first17: str) -> str:
    """The GB 11643-1999 check character (0-9 or X) for the first 17 digits of an ID card number.

    Raises `ValueError` unless `first17` is 17 digits.
    """
    if not _is_digits(first17, 17):
        raise ValueError(f"expected 17 digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_CARD_WEIGHTS, strict=True))
    return ID_CARD_CHECK_CHARS[total % 11]


def validate_id_card(value: str) -> None:
    """Validate an 18-character 居民身份证号码 (GB 11643-1999; the standard: 身份证号须为18位).

    6-digit region code (a real province prefix), birth date yyyyMMdd (a real date from 1900-01-01 to today),
    3-digit sequence, check character 0-9 or X. Old 15-digit numbers are refused.
    """
    value = str(value)
    if _is_digits(value, 15):
        raise ValidationError(
            _(
                "15-digit ID card numbers are no longer accepted; enter the 18-digit number printed on the "
                "current ID card."
            ),
            code="id_card_old_15",
        )
    if len(value) == 18 and value.endswith("x") and _is_digits(value[:17], 17):
        raise ValidationError(
            _("Write the last character of the ID card number as an uppercase X: %(suggestion)s."),
            code="id_card_lowercase",
            params={"suggestion": value[:17] + "X"},
        )
    if len(value) != 18:
        raise ValidationError(
            _("An ID card number has 18 characters; %(length)s were entered."),
            code="id_card_length",
            params={"length": len(value)},
        )
    if not _ID_CARD_RE.fullmatch(value):
        raise ValidationError(
            _("An ID card number is 17 digits followed by a digit or X, with no spaces or other characters."),
            code="id_card_format",
        )
    if value[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(
            _(
                "The ID card number starts with %(prefix)s, which is not a province-level region code; "
                "check the first six digits."
            ),
            code="id_card_region",
            params={"prefix": value[:2]},
        )
    birth = _parse_date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    if birth is None:
        raise ValidationError(
            _("Digits 7-14 of the ID card number (%(digits)s) are not a real birth date (yyyyMMdd)."),
            code="id_card_birth_date",
            params={"digits": value[6:14]},
        )
    if birth < ID_CARD_EARLIEST_BIRTH:
        raise ValidationError(
            _("The birth date %(birth)s in the ID card number is before 1900-01-01; check digits 7-14."),
            code="id_card_birth_too_early",
            params={"birth": birth.isoformat()},
        )
    today = _today()
    if birth > today:
        raise ValidationError(
            _("The birth date %(birth)s in the ID card number is after today (%(today)s); check digits 7-14."),
            code="id_card_birth_future",
            params={"birth": birth.isoformat(), "today": today.isoformat()},
        )
    expected = id_card_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _(
                "The ID card number has an invalid check character; the last character should be "
                "%(expected)s, not %(actual)s. Check the number against the ID card."
            ),
            code="id_card_check",
            params={"expected": expected, "actual": value[17]},
        )


def is_valid_id_card(value: str) -> bool:
    """True when `validate_id_card` accepts `value`."""
    try:
        validate_id_card(value)
    except ValidationError:
        return False
    return True


# --- 行政区划代码 (GB/T 2260) ---


def validate_region_code_format(value: str) -> None:
    """Validate the format of a GB/T 2260 region code: 6 digits starting with a real province prefix.

    Province (xx0000), city (xxxx00) and county codes all pass; whether the code exists is checked against the
    `Region` table elsewhere.
    """
    value = str(value)
    if not _is_digits(value, 6):
        raise ValidationError(
            _("An administrative division code is 6 digits (for example 450102); “%(value)s” was entered."),
            code="region_code_format",
            params={"value": value},
        )
    if value[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(
            _(
                "The administrative division code %(value)s does not start with a province-level code "
                "(for example 45 for Guangxi, 22 for Jilin)."
            ),
            code="region_code_province",
            params={"value": value},
        )


# --- 项目编号 PrjNum ---

_STAGE_RECORD_NUMBER_RE = re.compile(r"([0-9]{16})-[A-Z]{2}-[0-9]{3}", re.ASCII)


def validate_prj_num(value: str) -> None:
    """Validate a 16-digit 项目编号: region code (6) + yyMMdd (a real date) + sequence 0001-9999.

    national-standard.md §1.5; stage record numbers (项目编号-SX-001 …) are a different thing.
    """
    value = str(value)
    record = _STAGE_RECORD_NUMBER_RE.fullmatch(value)
    if record:
        raise ValidationError(
            _("%(value)s is a stage record number; the project number is its first 16 digits: %(prj_num)s."),
            code="prj_num_record_number",
            params={"value": value, "prj_num": record.group(1)},
        )
    if not _is_digits(value, 16):
        raise ValidationError(
            _(
                "A project number is 16 digits: region code (6), date yyMMdd (6) and sequence (4); "
                "“%(value)s” (%(length)s characters) was entered."
            ),
            code="prj_num_format",
            params={"value": value, "length": len(value)},
        )
    if value[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(
            _(
                "The project number must start with the 6-digit administrative division code of the project; "
                "%(region)s does not start with a province-level code."
            ),
            code="prj_num_region",
            params={"region": value[:6]},
        )
    # A two-digit year: 20yy and 19yy agree on every date except 29 February of 1900, never used here.
    if _parse_date(2000 + int(value[6:8]), int(value[8:10]), int(value[10:12])) is None:
        raise ValidationError(
            _("Digits 7-12 of the project number (%(digits)s) must be a real date in the form yyMMdd."),
            code="prj_num_date",
            params={"digits": value[6:12]},
        )
    if value[12:] == "0000":
        raise ValidationError(
            _("The last four digits of the project number are a sequence from 0001 to 9999; 0000 is not used."),
            code="prj_num_sequence",
        )


# --- 施工许可证编号 (printed certificate number) ---

#: 工程分类代码 (digits 17-18): 01 房屋建筑工程, 02 市政工程.
LICENCE_CATEGORY_CODES: dict[str, str] = {"01": "房屋建筑工程", "02": "市政工程"}
LICENCE_EARLIEST_YEAR = 1990


def validate_licence_cert_no(value: str) -> None:
    """Validate an 18-digit 施工许可证编号 printed on the permit (national-standard.md §1.5).

    Region code (6) + issue date yyyyMMdd (a real date, 1990 to today) + sequence 01-99 (2) + category
    01 房屋建筑工程 / 02 市政工程 (2). The national record number (项目编号-SX-NNN) is a different number.
    """
    value = str(value)
    if _STAGE_RECORD_NUMBER_RE.fullmatch(value):
        raise ValidationError(
            _(
                "%(value)s is the national permit record number; enter the 18-digit number printed on the "
                "construction permit."
            ),
            code="licence_cert_no_record_number",
            params={"value": value},
        )
    if not _is_digits(value, 18):
        raise ValidationError(
            _(
                "A construction permit number is 18 digits: region code (6), issue date yyyyMMdd (8), "
                "sequence (2) and category 01 or 02 (2); “%(value)s” (%(length)s characters) was entered."
            ),
            code="licence_cert_no_format",
            params={"value": value, "length": len(value)},
        )
    if value[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(
            _(
                "The construction permit number must start with the 6-digit administrative division code of "
                "the issuing authority; %(region)s does not start with a province-level code."
            ),
            code="licence_cert_no_region",
            params={"region": value[:6]},
        )
    issued = _parse_date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    if issued is None:
        raise ValidationError(
            _("Digits 7-14 of the construction permit number (%(digits)s) must be a real date (yyyyMMdd)."),
            code="licence_cert_no_date",
            params={"digits": value[6:14]},
        )
    if issued.year < LICENCE_EARLIEST_YEAR:
        raise ValidationError(
            _("The issue date %(issued)s in the construction permit number is before %(year)s; check digits 7-14."),
            code="licence_cert_no_date_too_early",
            params={"issued": issued.isoformat(), "year": LICENCE_EARLIEST_YEAR},
        )
    today = _today()
    if issued > today:
        raise ValidationError(
            _(
                "The issue date %(issued)s in the construction permit number is after today (%(today)s); "
                "check digits 7-14."
            ),
            code="licence_cert_no_date_future",
            params={"issued": issued.isoformat(), "today": today.isoformat()},
        )
    if value[14:16] == "00":
        raise ValidationError(
            _("Digits 15-16 of the construction permit number are a sequence from 01 to 99; 00 is not used."),
            code="licence_cert_no_sequence",
        )
    if value[16:] not in LICENCE_CATEGORY_CODES:
        raise ValidationError(
            _(
                "The last two digits of the construction permit number are the category: "
                "01 (房屋建筑工程) or 02 (市政工程); %(category)s was entered."
            ),
            code="licence_cert_no_category",
            params={"category": value[16:]},
        )


def licence_cert_issue_date(value: str) -> date:
    """The issue date (digits 7-14) of a valid 施工许可证编号; `ValidationError` for an invalid number."""
    validate_licence_cert_no(value)
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


# --- amounts ---

Number = Decimal | int | float


def _as_decimal(value: object) -> Decimal:
    """The value as a finite Decimal, or a ValidationError (code not_a_number)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise ValidationError(
            _("Enter a number; “%(value)s” was entered."), code="not_a_number", params={"value": value}
        )
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValidationError(
            _("Enter a number; “%(value)s” was entered."), code="not_a_number", params={"value": value}
        )
    return number


def validate_two_decimals(value: Number) -> None:
    """Validate a value the national standard holds with 2 decimals (TBUnitProjectInfo.Invest, Float(19,2))."""
    exponent = _as_decimal(value).normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationError(
            _("Enter at most 2 decimal places (the standard keeps this value to 0.01); %(value)s was entered."),
            code="too_many_decimals",
            params={"value": value},
        )


def validate_positive(value: Number) -> None:
    """Validate an amount, area or cost that must be above 0 (DOMAIN.md: amounts and areas are positive)."""
    if _as_decimal(value) <= 0:
        raise ValidationError(
            _("Enter a value greater than 0; %(value)s was entered."),
            code="not_positive",
            params={"value": value},
        )


def validate_non_negative(value: Number) -> None:
    """Validate a value that may be 0 (the standard: fill 0 for length or span when not applicable)."""
    if _as_decimal(value) < 0:
        raise ValidationError(
            _("Enter 0 or a positive value (enter 0 when the item does not apply); %(value)s was entered."),
            code="negative",
            params={"value": value},
        )


# --- phone numbers ---

_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
# Area code: 010, 02X (3 digits) or 03XX-09XX (4 digits); local number 7-8 digits not starting with 0 or 1;
# optional extension after a hyphen.
_LANDLINE_RE = re.compile(r"0(?:10|2[0-9]|[3-9][0-9]{2})-?[2-9][0-9]{6,7}(?:-[0-9]{1,6})?", re.ASCII)
_LOCAL_ONLY_RE = re.compile(r"[2-9][0-9]{6,7}", re.ASCII)


def validate_mobile(value: str) -> None:
    """Validate a mainland Chinese mobile number: 11 digits 1[3-9]XXXXXXXXX, no country code or separator."""
    value = str(value)
    if value.startswith("+86") or (value.startswith("86") and len(value) == 13):
        raise ValidationError(
            _("Enter the 11-digit mobile number without the country code +86."),
            code="mobile_country_code",
        )
    if not value.isascii() or not value.isdigit():
        raise ValidationError(
            _("Enter the mobile number as 11 digits, without spaces, hyphens or other characters."),
            code="mobile_chars",
        )
    if len(value) != 11:
        raise ValidationError(
            _("A mobile number has 11 digits; %(length)s were entered."),
            code="mobile_length",
            params={"length": len(value)},
        )
    if not _MOBILE_RE.fullmatch(value):
        raise ValidationError(
            _("A mobile number starts with 13 to 19; %(value)s does not."),
            code="mobile_prefix",
            params={"value": value},
        )


def validate_phone(value: str) -> None:
    """Validate a contact phone: a mobile number, or a landline with area code (0771-2368335, 07712368335,
    0431-82752498, 0771-2368335-801)."""
    value = str(value)
    if value.startswith(("1", "+86")):
        validate_mobile(value)
        return
    if _LANDLINE_RE.fullmatch(value):
        return
    if _LOCAL_ONLY_RE.fullmatch(value):
        raise ValidationError(
            _("Add the area code in front of the landline number, for example 0771-%(value)s."),
            code="phone_area_code_missing",
            params={"value": value},
        )
    raise ValidationError(
        _(
            "Enter an 11-digit mobile number, or a landline number with its area code such as 0771-2368335 "
            "or 0431-82752498 (an extension may follow after a hyphen: 0771-2368335-801)."
        ),
        code="phone_format",
    )


# --- dates ---


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def validate_not_future(value: date) -> None:
    """Validate that a business date is not after today (DOMAIN.md: … ≤ completion record ≤ today)."""
    day = _as_date(value)
    today = _today()
    if day > today:
        raise ValidationError(
            _("The date %(date)s is in the future; enter a date no later than today (%(today)s)."),
            code="date_in_future",
            params={"date": day.isoformat(), "today": today.isoformat()},
        )


def check_date_order(steps: Sequence[tuple[str, date | None]]) -> list[str]:
    """Messages for each step whose date precedes the step before it.

    DOMAIN.md: approval ≤ tender ≤ contract ≤ permit ≤ start ≤ completion ≤ completion record. `steps` lists
    (label, date or None) in the required order; steps without a date are skipped, so each date is compared
    with the nearest earlier step that has one. Equal dates are in order. Returns [] when all is well.
    """
    messages: list[str] = []
    previous: tuple[str, date] | None = None
    for label, value in steps:
        if value is None:
            continue
        day = _as_date(value)
        if previous is not None and day < previous[1]:
            messages.append(
                str(
                    _(
                        "%(later)s (%(later_date)s) is earlier than %(earlier)s (%(earlier_date)s); "
                        "%(later)s cannot come before %(earlier)s."
                    )
                    % {
                        "later": label,
                        "later_date": day.isoformat(),
                        "earlier": previous[0],
                        "earlier_date": previous[1].isoformat(),
                    }
                )
            )
        previous = (label, day)
    return messages
