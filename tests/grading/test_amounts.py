"""The decision page's amounts side by side (issue 11 item 3; grading/amounts.py): advisory checks a reviewer makes by
eye. The permit's contract amount and the actual cost are the works' figures, so a design firm's fee is never
compared with them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grading.amounts import compare_amounts
from projects.models import BuilderLicence, Contract, FinishCheck, FinishRecord, Record, Tender


def record(contract_type: str, *, tender=None, contract=None, licence=None, check=None, filed=None) -> Record:
    r = Record()
    r.tender = Tender(tender_money=Decimal(tender)) if tender else None
    r.contract = Contract(contract_type=contract_type, contract_money=Decimal(contract) if contract else None)
    r.licence = BuilderLicence(contract_money=Decimal(licence)) if licence else None
    r.finish_check = FinishCheck(fact_cost=Decimal(check)) if check else None
    r.finish_record = FinishRecord(fact_cost=Decimal(filed)) if filed else None
    return r


def warnings(r: Record) -> list[str]:
    return [c.message for c in compare_amounts(r).warnings]


def test_a_design_fee_is_not_compared_with_the_works_figures():
    # 设计合同 102.5 万元; the permit's construction contract 3362 万元; actual cost 3977 万元 (within 30 % of 3362)
    r = record("200", tender="102.5", contract="102.5", licence="3362", check="3977", filed="3977")
    assert warnings(r) == []


def test_a_design_record_still_sees_the_cost_far_from_the_permit():
    r = record("200", tender="102.5", contract="102.5", licence="1000", check="3977", filed="3977")
    assert len(warnings(r)) == 1 and "1000" in warnings(r)[0]


@pytest.mark.parametrize("contract_type", ["301", "600"])
def test_a_works_contract_is_compared_with_the_permit_and_the_cost(contract_type):
    r = record(contract_type, tender="3300", contract="3362", licence="3000", check="5000", filed="4900")
    found = warnings(r)
    assert len(found) == 4, found  # bid ≠ contract, permit ≠ contract, filing ≠ acceptance, cost far from contract


def test_consistent_works_amounts_raise_nothing():
    r = record("301", tender="3362", contract="3362", licence="3362", check="3500", filed="3500")
    assert warnings(r) == []
