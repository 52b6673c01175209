"""A fully valid record, built with the ORM: every mandatory field of the national standard, valid codes and
check digits, ordered dates, the three required attachments. Tests take it and break one thing at a time.

Guangxi by default (桂建设〔2017〕29号: projects completed before 2017-11-20, a grade-A design firm submits on
track N until 2017-12-25); `jilin=True` for 吉建办〔2020〕108号 (completed before 2020-09-09, open from 2020-09-20).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from accounts.models import Enterprise
from projects import codes
from projects.models import (
    Attachment,
    AttachmentKind,
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
    Tender,
    UnitProject,
)
from tests.factories import make_id_card, make_uscc, region

D = dt.date
PDF = b"%PDF-1.4 test"

GUANGXI_NOTICE = "桂建设〔2017〕29号"
JILIN_NOTICE = "吉建办〔2020〕108号"

_counter = iter(range(1, 10_000))


def valid_record(
    enterprise: Enterprise,
    *,
    jilin: bool = False,
    county: str | None = None,
    completed: dt.date | None = None,
    units: int = 1,
    corps: int = 2,
    persons: int = 1,
    staff: int = 1,
) -> Record:
    """A record of `enterprise` that passes every check; the project's dates are derived from `completed`."""
    n = next(_counter)
    county = county or ("220104" if jilin else "450103")
    completed = completed or (D(2019, 10, 25) if jilin else D(2016, 6, 18))
    approved = completed - dt.timedelta(days=1000)
    tendered = approved + dt.timedelta(days=40)
    contracted = approved + dt.timedelta(days=50)
    censored = approved + dt.timedelta(days=150)
    permitted = approved + dt.timedelta(days=220)
    started = approved + dt.timedelta(days=230)
    filed = completed + dt.timedelta(days=20)
    campaign = Campaign.objects.get(notice_number=JILIN_NOTICE if jilin else GUANGXI_NOTICE)
    owner = make_uscc(900 + n, county)
    agency = make_uscc(800 + n, county)
    censor_firm = make_uscc(700 + n, county)
    other_firm = make_uscc(600 + n, county)

    project = Project.objects.create(
        prj_num=f"{county}{approved:%y%m%d}{n:04d}",
        prj_name=f"青秀区第{n}中学教学综合楼",
        prj_type=codes.ProjectType.BUILDING,
        county=region(county),
        address="南宁市青秀区凤岭北路1号",
        prj_approval_num=f"南发改投资〔{approved:%Y}〕{n}号",
        prj_approval_level=codes.ApprovalLevel.COUNTY,
        prj_approval_depart="南宁市青秀区发展和改革局",
        prj_approval_date=approved,
        build_corp_name="南宁市青秀区教育局",
        build_corp_code=owner,
        inv_property=codes.InvestmentNature.GOVERNMENT,
        all_invest=Decimal("6800.0000"),
        all_area=Decimal("18600.00"),
        prj_property=codes.ConstructionNature.NEW,
        prj_function=codes.ProjectFunction.EDUCATION_HEALTH,
    )
    record = Record.objects.create(enterprise=enterprise, project=project, campaign=campaign)
    for i in range(units):
        UnitProject.objects.create(
            project=project,
            unit_code=f"{project.prj_num}-{i + 1:03d}",
            sub_prj_name=f"{i + 1}号教学楼",
            invest=Decimal("3400.00"),
            seismic_intensity=codes.SeismicIntensity.DEGREE_6,
        )
    censor = Censor.objects.create(
        record=record,
        censor_num=f"SC{county}{censored:%Y}{n:04d}",
        cen_prj_name=project.prj_name,
        censor_e_date=censored,
        one_censor_is_pass=True,
        censor_corp_name="广西建设工程施工图审查中心有限公司",
        censor_corp_code=censor_firm,
    )
    for i in range(staff):
        CensorStaff.objects.create(
            censor=censor,
            corp_name="广西建设工程施工图审查中心有限公司",
            corp_code=censor_firm,
            user_name=f"审图员{i}",
            id_card_type=codes.IdCardType.RESIDENT_ID,
            id_card=make_id_card(100 + i),
            specialty=codes.CensorSpecialty.STRUCTURE,
            duty=codes.WorkDuty.CENSOR_REVIEWER,
        )
    Tender.objects.create(
        record=record,
        tender_num=f"ZB{county}{tendered:%Y%m%d}{n:02d}",
        tender_prj_name=project.prj_name,
        tender_class=codes.TenderClass.DESIGN,
        tender_method=codes.TenderMethod.OPEN,
        tender_result_date=tendered,
        tender_money=Decimal("170.0000"),
        area=Decimal("18600.00"),
        agency_corp_name="广西华信招标代理有限公司",
        agency_corp_code=agency,
        tender_corp_name=enterprise.name,
        tender_corp_code=enterprise.credit_code,
    )
    Contract.objects.create(
        record=record,
        record_num=f"HT{county}{contracted:%Y%m%d}{n:02d}",
        con_prj_name=project.prj_name,
        contract_type=codes.ContractType.DESIGN,
        contract_money=Decimal("170.0000"),
        propietor_corp_name="南宁市青秀区教育局",
        propietor_corp_code=owner,
        contractor_corp_name=enterprise.name,
        contractor_corp_code=enterprise.credit_code,
        contract_date=contracted,
    )
    BuilderLicence.objects.create(
        record=record,
        licence_cert_no=f"{county}{permitted:%Y%m%d}{n % 99 + 1:02d}01",
        bui_prj_name=project.prj_name,
        bargain_days=(completed - started).days,
        contract_money=Decimal("5576.0000"),
        release_date=permitted,
    )
    finish = {
        "fin_prj_name": project.prj_name,
        "builder_licence_nums": f"{county}{permitted:%Y%m%d}{n % 99 + 1:02d}01",
        "fact_cost": Decimal("6596.0000"),
        "fact_area": Decimal("18600.00"),
        "length": Decimal("0"),
        "span": Decimal("0"),
        "fact_size": "建筑面积18600平方米，地上5层",
        "b_date": started,
    }
    FinishCheck.objects.create(record=record, prj_finish_check_num=f"YS{n:06d}", e_date=completed, **finish)
    FinishRecord.objects.create(record=record, prj_finish_num=f"BA{n:06d}", e_date=filed, **finish)
    roles = [codes.CorpRole.DESIGN, codes.CorpRole.CONSTRUCTION, codes.CorpRole.SUPERVISION, codes.CorpRole.SURVEY]
    for i in range(corps):
        ProjectCorp.objects.create(
            record=record,
            corp_role=roles[i % len(roles)],
            corp_name=enterprise.name if i == 0 else f"参建单位{i}有限公司",
            corp_code=enterprise.credit_code if i == 0 else other_firm,
            person_name=f"负责人{i}",
            id_card_type=codes.IdCardType.RESIDENT_ID,
            person_id_card=make_id_card(200 + i),
            person_phone=f"138007710{i % 100:02d}",
        )
    for i in range(persons):
        RecordPerson.objects.create(
            record=record,
            corp_name=enterprise.name,
            corp_code=enterprise.credit_code,
            name=f"设计人员{i}",
            role=codes.PersonRole.PROJECT_LEADER if i == 0 else codes.PersonRole.DISCIPLINE_LEADER,
            id_card_type=codes.IdCardType.RESIDENT_ID,
            id_card=make_id_card(300 + i),
            registration_type=codes.RegistrationType.ARCHITECT_1,
            phone="13800771099",
        )
    for kind in (AttachmentKind.BID_NOTICE, AttachmentKind.CONTRACT, AttachmentKind.COMPLETION):
        Attachment.objects.create(
            record=record,
            kind=kind,
            file=f"attachments/te/{n}-{kind}.pdf",
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(),
        )
    return record
