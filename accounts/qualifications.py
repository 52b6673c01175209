"""The catalogue of qualifications (资质) that campaign tracks refer to. Seeded by a data migration."""

from __future__ import annotations

# (code, name, enterprise kind, grade)
CATALOGUE: list[tuple[str, str, str, str]] = [
    ("DSN-BLD-IND-A", "工程设计建筑行业甲级", "design", "甲级"),
    ("DSN-BLD-IND-B", "工程设计建筑行业乙级", "design", "乙级"),
    ("DSN-BLD-SPE-A", "工程设计建筑行业（建筑工程）专业甲级", "design", "甲级"),
    ("DSN-BLD-SPE-B", "工程设计建筑行业（建筑工程）专业乙级", "design", "乙级"),
    ("DSN-BLD-SPE-C", "工程设计建筑行业（建筑工程）专业丙级", "design", "丙级"),
    ("DSN-BLD-CDF-A", "工程设计建筑行业（人防工程）专业甲级", "design", "甲级"),
    ("DSN-BLD-CDF-B", "工程设计建筑行业（人防工程）专业乙级", "design", "乙级"),
    ("DSN-MUN-IND-A", "工程设计市政行业甲级", "design", "甲级"),
    ("DSN-MUN-IND-B", "工程设计市政行业乙级", "design", "乙级"),
    ("DSN-MUN-SPE-A", "工程设计市政行业专业甲级", "design", "甲级"),
    ("DSN-MUN-SPE-B", "工程设计市政行业专业乙级", "design", "乙级"),
    ("DSN-MUN-SPE-C", "工程设计市政行业专业丙级", "design", "丙级"),
    ("SRV-COMP", "工程勘察综合资质", "survey", "综合"),
    ("SRV-SPE-A", "工程勘察专业甲级", "survey", "甲级"),
    ("SRV-SPE-B", "工程勘察专业乙级", "survey", "乙级"),
    ("SRV-SPE-C", "工程勘察专业丙级", "survey", "丙级"),
    ("SRV-LAB", "工程勘察劳务资质", "survey", ""),
    ("CON-GEN-SP", "施工总承包特级", "construction", "特级"),
    ("CON-GEN-1", "施工总承包一级", "construction", "一级"),
    ("CON-GEN-2", "施工总承包二级", "construction", "二级"),
    ("CON-GEN-3", "施工总承包三级", "construction", "三级"),
    ("CON-SPE-1", "专业承包一级", "construction", "一级"),
    ("CON-SPE-2", "专业承包二级", "construction", "二级"),
    ("SUP-COMP", "工程监理综合资质", "supervision", "综合"),
    ("SUP-SPE-A", "工程监理专业甲级", "supervision", "甲级"),
    ("SUP-SPE-B", "工程监理专业乙级", "supervision", "乙级"),
]


def load_catalogue(Qualification) -> None:
    for code, name, kind, grade in CATALOGUE:
        Qualification.objects.update_or_create(code=code, defaults={"name": name, "kind": kind, "grade": grade})


#: The stage screens whose grade the qualification software checks, by enterprise kind (national-standard.md
#: §2.1: 施工资质 基本信息, 施工许可, 竣工验收; 设计 基本信息, 施工图审, 竣工验收). 勘察 follows 设计 (the
#: 施工图审查 names its 勘察单位), 监理 follows 施工 (it supervises the permitted works). 业绩技术指标 is not a
#: stage of our records.
DEFAULT_STAGES: dict[str, list[str]] = {
    "construction": ["project", "licence", "finish_check"],
    "supervision": ["project", "licence", "finish_check"],
    "design": ["project", "censor", "finish_check"],
    "survey": ["project", "censor", "finish_check"],
}
#: 建市规〔2023〕3号: enterprise performance A-level, personal performance A or B.
DEFAULT_ENTERPRISE_GRADES = ["A"]
DEFAULT_PERSONAL_GRADES = ["A", "B"]


def load_rules(Qualification) -> None:
    """Give every qualification the default performance rule of its kind (a data migration; staff edit it after)."""
    for qualification in Qualification.objects.all():
        qualification.enterprise_grades = list(DEFAULT_ENTERPRISE_GRADES)
        qualification.personal_grades = list(DEFAULT_PERSONAL_GRADES)
        qualification.checked_stages = list(DEFAULT_STAGES.get(qualification.kind, ["project", "finish_check"]))
        qualification.save(update_fields=["enterprise_grades", "personal_grades", "checked_stages"])


#: The qualifications the Ministry (住建部) approves, whose applicants' performance must be on the national platform
#: from 2024-01-01 (建市规〔2023〕3号; national-standard.md §2.1). The catalogue does not name the approving authority;
#: by the approval rules (住建部令第22号 §9: 施工总承包特级、一级; 令第160号 §8: 勘察综合、甲级, 设计甲级; 令第158号
#: §9: 监理综合、甲级) that is every 特级, 综合 and 甲级 and 施工总承包一级. 专业承包一级 is the Ministry's only in
#: some trades (公路, 水运, 水利, 铁路, 民航), which the catalogue does not distinguish: left to the superuser.
NATIONAL_PLATFORM_GRADES = {"特级", "综合", "甲级"}
NATIONAL_PLATFORM_CODES = {"CON-GEN-1"}


def load_national_platform(Qualification) -> None:
    """Mark the Ministry's qualifications as needing performance on the national platform (a data migration)."""
    for qualification in Qualification.objects.all():
        required = qualification.grade in NATIONAL_PLATFORM_GRADES or qualification.code in NATIONAL_PLATFORM_CODES
        if qualification.requires_national_platform != required:
            qualification.requires_national_platform = required
            qualification.save(update_fields=["requires_national_platform"])
