"""Seed the Guangxi 2017 and Jilin 2020 campaigns from their notices (../shared/seeds/).

Every date and message below is the notice's own; staff change them in the admin, never in code.
"""

import datetime as dt

from django.db import migrations

D = dt.date

GUANGXI = {
    "name": "广西2017勘察设计历史业绩补录",
    "province_id": "450000",
    "notice_number": "桂建设〔2017〕29号",
    "notice_title": "自治区住房城乡建设厅关于开展勘察设计行业企业业绩和个人业绩补录工作的通知",
    "notice_date": D(2017, 11, 20),
    # G1: 本通知印发之日前 … 已完成竣工验收
    "scope_completed_before": D(2017, 11, 20),
    # 建办市〔2017〕67号: 2017年12月31日前要完成工程项目信息补录工作 (national platform)
    "national_cutoff": D(2017, 12, 31),
    # G3: 补录时间延长至2018年6月30日，超过此期限将关闭历史业绩补录端口
    "close_date": D(2018, 6, 30),
    "review_working_days": 3,
    "msg_outside_province": "在区外完成的工程项目，企业需通过项目所在地住房城乡建设主管部门补录。",
    "msg_overseas": "境外工程暂不进行业绩补录。",
    "msg_not_completed": "业绩范围：本通知印发之日前工程勘察设计单位在我区行政区域内依法承揽并已完成竣工验收的真实有效工程项目业绩。",
    "msg_closed": "补录时间延长至2018年6月30日，超过此期限将关闭历史业绩补录端口。",
    "msg_kind_not_covered": "本次在一体化平台中开展的是勘察设计工程项目历史业绩补录工作。",
}
GUANGXI_OPENINGS = [
    ("design", D(2017, 11, 20), "工程设计单位自本通知下发之日起即可在一体化平台中开展历史业绩补录工作。"),
    ("survey", D(2017, 11, 22), "工程勘察单位可自2017年11月22日起在一体化平台中开展历史业绩补录工作。"),
]
GUANGXI_TRACKS = [
    {
        "code": "N",
        "name": "全国平台（甲级）",
        "priority": 1,
        "entry_deadline": D(2017, 12, 25),
        "reaches_national": True,
        "message_after_deadline": "补录工作应于2017年12月25日前完成，超过该期限补录的历史业绩将无法同步到全国平台，"
        "不能作为有效业绩予以认定。",
        # G2: 建筑/市政行业及其相应专业（人防工程专业除外）设计甲级；勘察综合、专业甲级
        "qualifications": [
            "DSN-BLD-IND-A",
            "DSN-BLD-SPE-A",
            "DSN-MUN-IND-A",
            "DSN-MUN-SPE-A",
            "SRV-COMP",
            "SRV-SPE-A",
        ],
    },
    {
        "code": "P",
        "name": "一体化平台（乙级、丙级）",
        "priority": 2,
        "entry_deadline": D(2018, 6, 30),
        "reaches_national": True,  # until the national cutoff: 2018年1月1日至6月30日补录的业绩不能同步到全国平台
        "message_after_deadline": "补录时间延长至2018年6月30日，超过此期限将关闭历史业绩补录端口。",
        # G3: 建筑、市政行业设计乙级及其相应专业（人防除外）乙级、丙级；勘察乙级、丙级
        "qualifications": [
            "DSN-BLD-IND-B",
            "DSN-BLD-SPE-B",
            "DSN-BLD-SPE-C",
            "DSN-MUN-IND-B",
            "DSN-MUN-SPE-B",
            "DSN-MUN-SPE-C",
            "SRV-SPE-B",
            "SRV-SPE-C",
        ],
    },
]

JILIN = {
    "name": "吉林2020工程项目业绩管理系统3.0版业绩补录",
    "province_id": "220000",
    "notice_number": "吉建办〔2020〕108号",
    "notice_title": "关于上线运行工程项目业绩管理系统3.0版的通知",
    "notice_date": D(2020, 9, 9),
    "scope_completed_before": D(2020, 9, 9),
    "national_cutoff": None,
    "close_date": None,
    "review_working_days": 3,
    "msg_outside_province": "本系统补录的是项目所在地在吉林省的历史业绩；区外工程请通过项目所在地住房城乡建设主管部门补录。",
    "msg_overseas": "境外工程暂不进行业绩补录。",
    "msg_not_completed": "对于在建未竣工的房屋建筑、市政基础设施工程项目，请申报单位继续在“工改系统”办理项目信息登记和审批。",
    "msg_closed": "工程项目业绩管理系统已关闭。",
    "msg_kind_not_covered": "本系统面向勘察设计、施工、监理企业补录历史业绩。",
}
JILIN_OPENINGS = [
    (kind, D(2020, 9, 20), "新系统计划于2020年9月20日上线，原系统将于2020年9月19日关闭。")
    for kind in ("survey", "design", "construction", "supervision")
]
JILIN_TRACKS = [
    {
        "code": "ALL",
        "name": "全部业绩",
        "priority": 1,
        "entry_deadline": None,
        "reaches_national": True,
        "message_after_deadline": "",
        "qualifications": [],
    },
]


def seed(apps, campaign_data, openings, tracks):
    Campaign = apps.get_model("projects", "Campaign")
    Opening = apps.get_model("projects", "CampaignOpening")
    Track = apps.get_model("projects", "Track")
    Qualification = apps.get_model("accounts", "Qualification")
    campaign, _ = Campaign.objects.update_or_create(name=campaign_data["name"], defaults=campaign_data)
    for kind, opens_on, message in openings:
        Opening.objects.update_or_create(
            campaign=campaign,
            enterprise_kind=kind,
            defaults={"opens_on": opens_on, "message_before_open": message},
        )
    for data in tracks:
        data = dict(data)
        qualification_codes = data.pop("qualifications")
        track, _ = Track.objects.update_or_create(campaign=campaign, code=data.pop("code"), defaults=data)
        track.qualifications.set(Qualification.objects.filter(code__in=qualification_codes))


def forwards(apps, schema_editor):
    seed(apps, GUANGXI, GUANGXI_OPENINGS, GUANGXI_TRACKS)
    seed(apps, JILIN, JILIN_OPENINGS, JILIN_TRACKS)


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial"), ("accounts", "0004_qualifications")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
