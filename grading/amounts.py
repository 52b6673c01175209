"""The record's amounts side by side (issue 11 item 3): 中标金额, 合同金额 (合同备案 and 施工许可), 实际造价 (竣工验收
and 竣工验收备案), in 万元, with the consistency checks a reviewer makes by eye — advisory, never a refusal (the
national standard fixes no tolerance; the submit check of `grading.checks` stays the only gate).

- The contract must not depart from the winning bid in its substance (《招标投标法》第四十六条): 合同金额 ≠ 中标金额
  is pointed out.
- The permit and the completion filing restate figures already filed: 施工许可's 合同金额 ≠ 合同备案's, or
  竣工验收备案's 实际造价 ≠ 竣工验收's, is pointed out.
- 实际造价 departs from 合同金额 by more than `COST_TOLERANCE` (changes and settlement move it, but rarely that far).

The permit's 合同金额 and the 实际造价 are the works' figures (the construction contract); a survey, design or
supervision firm's contract is its fee, so its record compares them with the permit only, never with its own fee.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.models import Record

#: 实际造价 may depart from 合同金额 by this share before the page points it out.
COST_TOLERANCE = Decimal("0.30")

#: Contract types whose amount is the works' own (the permit states it, the actual cost settles it): 施工总承包, EPC.
WORKS_CONTRACTS = frozenset({"301", "600"})

#: (key, stage, field, label) in the order the page shows them.
AMOUNTS = (
    ("tender", "tender", "tender_money", gettext_lazy("Winning bid amount (招投标)")),
    ("contract", "contract", "contract_money", gettext_lazy("Contract amount (合同备案)")),
    ("licence", "licence", "contract_money", gettext_lazy("Contract amount (施工许可)")),
    ("finish_check", "finish_check", "fact_cost", gettext_lazy("Actual cost (竣工验收)")),
    ("finish_record", "finish_record", "fact_cost", gettext_lazy("Actual cost (竣工验收备案)")),
)


@dataclass(frozen=True)
class Amount:
    key: str
    label: str
    value: Decimal | None  # None: not entered

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        text = format(self.value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class AmountCheck:
    ok: bool
    message: str


@dataclass(frozen=True)
class AmountComparison:
    amounts: list[Amount]
    checks: list[AmountCheck]

    @property
    def warnings(self) -> list[AmountCheck]:
        return [c for c in self.checks if not c.ok]


def _stage(record: Record, stage: str):
    try:
        return getattr(record, stage)
    except ObjectDoesNotExist:
        return None


def _value(record: Record, stage: str, name: str) -> Decimal | None:
    obj = _stage(record, stage)
    return getattr(obj, name, None) if obj is not None else None


def _fmt(value: Decimal) -> str:
    return Amount("", "", value).text


def compare_amounts(record: Record) -> AmountComparison:
    """The amounts of `record` (its stages loaded or not) and what the reviewer should look at twice."""
    amounts = [Amount(key, str(label), _value(record, stage, name)) for key, stage, name, label in AMOUNTS]
    by_key = {a.key: a.value for a in amounts}
    checks: list[AmountCheck] = []
    tender, contract = by_key["tender"], by_key["contract"]
    if tender is not None and contract is not None:
        if tender == contract:
            checks.append(AmountCheck(True, _("The contract amount equals the winning bid amount.")))
        else:
            checks.append(
                AmountCheck(
                    False,
                    _(
                        "The contract amount (%(contract)s 万元) differs from the winning bid amount "
                        "(%(tender)s 万元): a contract may not depart from the bid in substance "
                        "(招标投标法 第四十六条)."
                    )
                    % {"contract": _fmt(contract), "tender": _fmt(tender)},
                )
            )
    licence = by_key["licence"]
    contract_type = getattr(_stage(record, "contract"), "contract_type", "")
    works = contract_type in WORKS_CONTRACTS or (contract is None and not contract_type)
    if works and contract is not None and licence is not None and licence != contract:
        checks.append(
            AmountCheck(
                False,
                _("The permit states a contract amount of %(licence)s 万元, the contract filing %(contract)s 万元.")
                % {"licence": _fmt(licence), "contract": _fmt(contract)},
            )
        )
    check_cost, record_cost = by_key["finish_check"], by_key["finish_record"]
    if check_cost is not None and record_cost is not None and check_cost != record_cost:
        checks.append(
            AmountCheck(
                False,
                _("The completion filing states an actual cost of %(filed)s 万元, the acceptance %(checked)s 万元.")
                % {"filed": _fmt(record_cost), "checked": _fmt(check_cost)},
            )
        )
    cost = check_cost if check_cost is not None else record_cost
    base = contract if works and contract is not None else licence
    if cost is not None and base:
        share = abs(cost - base) / base
        if share > COST_TOLERANCE:
            checks.append(
                AmountCheck(
                    False,
                    _(
                        "The actual cost (%(cost)s 万元) departs from the contract amount (%(contract)s 万元) by "
                        "%(percent)s%%; check the settlement."
                    )
                    % {"cost": _fmt(cost), "contract": _fmt(base), "percent": round(share * 100)},
                )
            )
        else:
            checks.append(
                AmountCheck(
                    True,
                    _("The actual cost is within %(percent)s%% of the contract amount.")
                    % {"percent": round(COST_TOLERANCE * 100)},
                )
            )
    return AmountComparison(amounts, checks)
