"""Demo data for `manage.py seed_demo`: authorities, officials, enterprises and about thirty records.

Everything here is invented (names, credit codes, ID numbers, phone numbers); no person named in the notices
appears. Codes and numbers are built to the rules (GB 32100 check character, GB 11643 check digit, 16-digit
项目编号, 18-digit 施工许可证编号 whose date is the issue date), so the demo data passes the same checks as real
data. Dates follow the campaigns: projects completed before the notice date, records submitted after the
opening day of their enterprise kind and within the track's deadline (the submit service checks them all).

`build_demo()` is idempotent: every row is found by its natural key (username, credit code, region of an
authority, 项目编号, enterprise + project, …) and written only when a value differs, so a second run writes
nothing and leaves no history event. A demo record people have worked on since is left as they left it;
`build_demo(reset=True)` (`seed_demo --reset`) puts every demo record back to its seeded state.

Record states come from the real workflow (review.services), with the clock moved to the demo's dates: the clerk
attaches the three required documents (projects.attachments) and submits (or asks for direct review, G6); the
reviewer of the responsible authority, or provincial staff, approves, rejects with a reason or marks fraud (G10);
one record is approved by the nightly job when its review window runs out (P1). So every decided record has its log
row, a rejected record shows its reason in the portal and the grades are the services' own. This is why the demo
lives in portal/, the top layer: projects/ may not import review/.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple
from unittest import mock

import chinese_calendar
import pghistory
from django.contrib.auth.hashers import check_password, make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.utils import timezone

from accounts.models import (
    Authority,
    AuthorityLevel,
    Department,
    Enterprise,
    EnterpriseKind,
    EnterpriseStatus,
    Qualification,
    Region,
    RegionLevel,
    Role,
    User,
)
from accounts.roles import GROUP_NAMES
from accounts.validators import id_card_check_char, uscc_check_char
from projects import codes
from projects.attachments import attachment_add
from projects.models import (
    AttachmentKind,
    BuilderLicence,
    Campaign,
    CampaignContact,
    CampaignOpening,
    Censor,
    CensorStaff,
    Contract,
    FinishCheck,
    FinishRecord,
    ProjectCorp,
    Record,
    RecordPerson,
    RecordStatus,
    Tender,
    Track,
    UnitProject,
)
from projects.services import record_start
from review.models import CreditEntry, RecordTransition
from review.services import (
    DirectReviewReason,
    SubmitRefused,
    approve_record,
    auto_approve_overdue,
    mark_fraud,
    reject_record,
    request_direct_review,
    submit_record,
)

D = dt.date

#: The one password of every demo login (printed by `seed_demo`, listed in the README).
DEMO_PASSWORD = "yeji-demo-2026"
#: Written into the history of every row the demo creates or changes.
DEMO_ACTOR = "seed_demo"

GUANGXI_NOTICE = "桂建设〔2017〕29号"
JILIN_NOTICE = "吉建办〔2020〕108号"
CAMPAIGN_NOTICES = {"gx": GUANGXI_NOTICE, "jl": JILIN_NOTICE}

# ----------------------------------------------------------------------------------------------------------------
# Authorities
# ----------------------------------------------------------------------------------------------------------------

PROVINCES = {"450000": "广西壮族自治区住房和城乡建设厅", "220000": "吉林省住房和城乡建设厅"}
PROVINCE_DEPARTMENTS = {"450000": ["勘察设计管理处", "建筑管理处"], "220000": ["勘察设计处", "建筑管理处"]}
PROVINCE_PHONES = {"450000": "0771-2800100", "220000": "0431-88800100"}
CITY_DEPARTMENT = "建筑市场监管科"
COUNTY_DEPARTMENT = "建筑市场监管股"
#: County bureaus of the demo (a county without a bureau is reviewed by its city, P2).
COUNTIES = ["450103", "450312", "220104"]
#: Area codes of the prefecture-level cities (for office phones).
AREA_CODES = {
    "4501": "0771",
    "4502": "0772",
    "4503": "0773",
    "4504": "0774",
    "4505": "0779",
    "4506": "0770",
    "4507": "0777",
    "4508": "0775",
    "4509": "0775",
    "4510": "0776",
    "4511": "0774",
    "4512": "0778",
    "4513": "0772",
    "4514": "0771",
    "2201": "0431",
    "2202": "0432",
    "2203": "0434",
    "2204": "0437",
    "2205": "0435",
    "2206": "0439",
    "2207": "0438",
    "2208": "0436",
    "2224": "0433",
}
#: Names of the authorities that demo logins belong to (the others are named the same way from their region).
AUTHORITY_NAMES = {
    **PROVINCES,
    "450100": "南宁市住房和城乡建设局",
    "450200": "柳州市住房和城乡建设局",
    "450300": "桂林市住房和城乡建设局",
    "220100": "长春市住房和城乡建设局",
    "450103": "南宁市青秀区住房和城乡建设局",
    "450312": "桂林市临桂区住房和城乡建设局",
    "220104": "长春市朝阳区住房和城乡建设局",
}

# Invented contact persons (G9, 附件3), one per city, given in city-code order.
_CONTACT_SURNAMES = "覃韦黄陆蒙莫梁农罗邓唐廖甘苏钟"
_CONTACT_GIVEN = ["宏亮", "秀梅", "建华", "立新", "晓燕", "志明", "桂芳", "海鹏", "春兰", "振宇", "玉婷", "德胜"]
_JILIN_SURNAMES = "刘孙于姜曲崔吕郝冯"
_CONTACT_TITLES = ["科长", "副科长", "主任科员"]


def city_authority_name(city: Region) -> str:
    return f"{city.name}住房和城乡建设局"


# ----------------------------------------------------------------------------------------------------------------
# People and firms
# ----------------------------------------------------------------------------------------------------------------


def make_id_card(region: str, birth: str, seq: str) -> str:
    """An 18-digit 身份证号 with a valid GB 11643 check digit (region 6 + yyyyMMdd + 3-digit sequence)."""
    first17 = f"{region}{birth}{seq}"
    return first17 + id_card_check_char(first17)


def make_uscc(prefix: str, region: str, org: str) -> str:
    """An 18-character 统一社会信用代码 with a valid GB 32100 check character."""
    first17 = f"{prefix}{region}{org}"
    return first17 + uscc_check_char(first17)


class Person(NamedTuple):
    name: str
    role: str  # codes.PersonRole
    id_card: str
    registration_type: str  # codes.RegistrationType
    cert_no: str
    phone: str
    specialty: str = ""


class Firm(NamedTuple):
    name: str
    credit_code: str
    persons: tuple[Person, ...] = ()

    @property
    def lead(self) -> Person:
        return self.persons[0]


R = codes.PersonRole
T = codes.RegistrationType


@dataclass(frozen=True)
class DemoEnterprise:
    key: str
    name: str
    region: str
    org: str  # characters 9-17 of the credit code
    kinds: tuple[str, ...]
    qualifications: tuple[str, ...]
    address: str
    contact: str
    phone: str
    persons: tuple[Person, ...]
    status: str = EnterpriseStatus.ACTIVE

    @property
    def credit_code(self) -> str:
        return make_uscc("91", self.region, self.org)

    @property
    def firm(self) -> Firm:
        return Firm(self.name, self.credit_code, self.persons)


ENTERPRISES: tuple[DemoEnterprise, ...] = (
    DemoEnterprise(
        "sheji",
        "广西桂鼎建筑设计研究院有限公司",
        "450100",
        "MA5KB3N7Q",
        (EnterpriseKind.DESIGN,),
        ("DSN-BLD-IND-A",),
        "南宁市青秀区金湖路58号",
        "梁文博",
        "0771-2801234",
        (
            Person(
                "梁振华",
                R.PROJECT_LEADER,
                make_id_card("450103", "19750314", "017"),
                T.ARCHITECT_1,
                "桂一建0045012",
                "13800771001",
                "建筑",
            ),
            Person(
                "卢静",
                R.DISCIPLINE_LEADER,
                make_id_card("450102", "19820709", "026"),
                T.STRUCTURAL_1,
                "桂一结0045108",
                "13800771002",
                "结构",
            ),
            Person(
                "罗晓东",
                R.DISCIPLINE_LEADER,
                make_id_card("450107", "19800122", "035"),
                T.WATER,
                "桂公给0045203",
                "13800771003",
                "给排水",
            ),
        ),
    ),
    DemoEnterprise(
        "kancha",
        "广西八桂岩土工程勘察院有限公司",
        "450100",
        "MA5KC8R2T",
        (EnterpriseKind.SURVEY,),
        ("SRV-COMP",),
        "南宁市西乡塘区大学东路96号",
        "农佳怡",
        "0771-2805678",
        (
            Person(
                "邓宏伟",
                R.PROJECT_LEADER,
                make_id_card("450105", "19730918", "051"),
                T.GEOTECHNICAL,
                "桂岩0045301",
                "13800771011",
                "岩土工程",
            ),
            Person(
                "韦丽娟",
                R.DISCIPLINE_LEADER,
                make_id_card("450126", "19850403", "062"),
                T.GEOTECHNICAL,
                "桂岩0045322",
                "13800771012",
                "工程测量",
            ),
        ),
    ),
    DemoEnterprise(
        "yiji",
        "桂林漓江建筑设计有限公司",
        "450300",
        "MA5L21H6W",
        (EnterpriseKind.DESIGN,),
        ("DSN-BLD-IND-B",),
        "桂林市七星区穿山路12号",
        "何俊杰",
        "0773-2806789",
        (
            Person(
                "秦国栋",
                R.PROJECT_LEADER,
                make_id_card("450305", "19780625", "013"),
                T.ARCHITECT_2,
                "桂二建0045417",
                "13800773001",
                "建筑",
            ),
            Person(
                "石美玲",
                R.DISCIPLINE_LEADER,
                make_id_card("450303", "19860211", "024"),
                T.STRUCTURAL_2,
                "桂二结0045426",
                "13800773002",
                "结构",
            ),
        ),
    ),
    DemoEnterprise(
        "shigong",
        "吉林长白建设集团有限公司",
        "220100",
        "MA14DPW4X",
        (EnterpriseKind.CONSTRUCTION,),
        ("CON-GEN-1",),
        "长春市朝阳区西安大路1888号",
        "于洪波",
        "0431-88801234",
        (
            Person(
                "王春生",
                R.PROJECT_MANAGER,
                make_id_card("220104", "19760803", "039"),
                T.CONSTRUCTOR_1,
                "吉1222012001234",
                "13800431001",
                "建筑工程",
            ),
        ),
    ),
    DemoEnterprise(
        "jianli",
        "吉林松江工程监理有限公司",
        "220100",
        "MA14E6K9L",
        (EnterpriseKind.SUPERVISION,),
        ("SUP-SPE-A",),
        "长春市南关区人民大街5566号",
        "姜雪梅",
        "0431-88805678",
        (
            Person(
                "高志远",
                R.CHIEF_SUPERVISOR,
                make_id_card("220102", "19720516", "057"),
                T.SUPERVISION,
                "22008765",
                "13800431011",
                "房屋建筑工程",
            ),
            Person(
                "孟凡星",
                R.SUPERVISING_ENGINEER,
                make_id_card("220106", "19840927", "071"),
                T.SUPERVISION,
                "22009876",
                "13800431012",
                "市政公用工程",
            ),
        ),
    ),
    DemoEnterprise(
        "zhuxiao",
        "长春宏基建筑工程有限公司",
        "220100",
        "MA14F2G7H",
        (EnterpriseKind.CONSTRUCTION,),
        ("CON-GEN-2",),
        "长春市宽城区北亚泰大街302号",
        "潘国庆",
        "0431-88809012",
        (
            Person(
                "潘立新",
                R.PROJECT_MANAGER,
                make_id_card("220103", "19790110", "093"),
                T.CONSTRUCTOR_2,
                "吉2222013005678",
                "13800431021",
                "建筑工程",
            ),
        ),
        status=EnterpriseStatus.DEREGISTERED,
    ),
)
ENTERPRISE_BY_KEY = {e.key: e for e in ENTERPRISES}

#: Participating units that are not demo enterprises (their staff appear in 参建单位 and 审图 rows).
OTHER_FIRMS: dict[str, Firm] = {
    "gx_srv": Firm(
        "广西南方岩土勘测有限公司",
        make_uscc("91", "450100", "MA5KD4P8R"),
        (
            Person(
                "黄承志",
                R.PROJECT_LEADER,
                make_id_card("450102", "19770420", "015"),
                T.GEOTECHNICAL,
                "桂岩0045388",
                "13800771021",
            ),
        ),
    ),
    "gx_dsn": Firm(
        "南宁华邕建筑设计院有限公司",
        make_uscc("91", "450100", "MA5KE7Q3T"),
        (
            Person(
                "莫家豪",
                R.PROJECT_LEADER,
                make_id_card("450103", "19790830", "033"),
                T.ARCHITECT_1,
                "桂一建0045077",
                "13800771022",
            ),
        ),
    ),
    "gx_con": Firm(
        "广西邕江建设工程有限公司",
        make_uscc("91", "450100", "MA5KF2W6X"),
        (
            Person(
                "黄志强",
                R.PROJECT_MANAGER,
                make_id_card("450105", "19740612", "059"),
                T.CONSTRUCTOR_1,
                "桂1452012003344",
                "13800771023",
            ),
        ),
    ),
    "gx_sup": Firm(
        "广西正衡工程监理有限公司",
        make_uscc("91", "450100", "MA5KG9X1Y"),
        (
            Person(
                "钟建军",
                R.CHIEF_SUPERVISOR,
                make_id_card("450107", "19710205", "077"),
                T.SUPERVISION,
                "45006543",
                "13800771024",
            ),
        ),
    ),
    "gx_censor": Firm(
        "广西建设工程施工图审查中心有限公司",
        make_uscc("91", "450100", "MA5KH3A5B"),
        (
            Person(
                "陈思远",
                R.CENSOR_LEADER,
                make_id_card("450102", "19690918", "011"),
                T.ARCHITECT_1,
                "桂一建0045009",
                "13800771025",
                "09",
            ),
            Person(
                "许佳",
                R.CENSOR_REVIEWER,
                make_id_card("450103", "19830304", "028"),
                T.STRUCTURAL_1,
                "桂一结0045144",
                "13800771026",
                "10",
            ),
        ),
    ),
    "gx_agency": Firm("广西华信招标代理有限公司", make_uscc("91", "450100", "MA5KJ6C8D")),
    "jl_srv": Firm(
        "吉林北方岩土勘察有限公司",
        make_uscc("91", "220100", "MA14G5H2J"),
        (
            Person(
                "曲文涛",
                R.PROJECT_LEADER,
                make_id_card("220102", "19760107", "019"),
                T.GEOTECHNICAL,
                "吉岩0022311",
                "13800431031",
            ),
        ),
    ),
    "jl_dsn": Firm(
        "长春城建设计院有限公司",
        make_uscc("91", "220100", "MA14H8K3L"),
        (
            Person(
                "崔丽华",
                R.PROJECT_LEADER,
                make_id_card("220104", "19800521", "046"),
                T.ARCHITECT_1,
                "吉一建0022045",
                "13800431032",
            ),
        ),
    ),
    "jl_con": Firm(
        "吉林鼎盛建筑工程有限公司",
        make_uscc("91", "220100", "MA14J2M6N"),
        (
            Person(
                "吕德彬",
                R.PROJECT_MANAGER,
                make_id_card("220105", "19750913", "053"),
                T.CONSTRUCTOR_1,
                "吉1222014002211",
                "13800431033",
            ),
        ),
    ),
    "jl_sup": Firm(
        "吉林诚信工程监理有限公司",
        make_uscc("91", "220100", "MA14K7P9Q"),
        (
            Person(
                "郝长青",
                R.CHIEF_SUPERVISOR,
                make_id_card("220106", "19700228", "075"),
                T.SUPERVISION,
                "22004321",
                "13800431034",
            ),
        ),
    ),
    "jl_censor": Firm(
        "吉林建科施工图审查有限公司",
        make_uscc("91", "220100", "MA14L3R5T"),
        (
            Person(
                "杨晓东",
                R.CENSOR_LEADER,
                make_id_card("220102", "19680722", "031"),
                T.ARCHITECT_1,
                "吉一建0022008",
                "13800431035",
                "09",
            ),
            Person(
                "冯丽",
                R.CENSOR_REVIEWER,
                make_id_card("220103", "19840616", "042"),
                T.STRUCTURAL_1,
                "吉一结0022119",
                "13800431036",
                "10",
            ),
        ),
    ),
    "jl_agency": Firm("吉林中诚招标代理有限公司", make_uscc("91", "220100", "MA14M9U2W")),
}


def firm(key: str) -> Firm:
    return ENTERPRISE_BY_KEY[key].firm if key in ENTERPRISE_BY_KEY else OTHER_FIRMS[key]


# ----------------------------------------------------------------------------------------------------------------
# Logins
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str  # a Role, or "" for the superuser
    real_name: str
    title: str = ""
    phone: str = ""
    authority: str = ""  # region code of the authority
    department: str = ""
    enterprise: str = ""  # key in ENTERPRISES
    note: str = ""

    @property
    def is_superuser(self) -> bool:
        return not self.role

    @property
    def role_label(self) -> str:
        return GROUP_NAMES.get(self.role, "超级管理员")

    @property
    def organisation(self) -> str:
        if self.enterprise:
            return ENTERPRISE_BY_KEY[self.enterprise].name
        if self.authority:
            return f"{AUTHORITY_NAMES[self.authority]}{self.department}"
        return "—"


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "", "系统管理员", note="超级用户"),
    DemoUser("gx_sheng", Role.PROVINCIAL, "韦思源", "主任科员", "13800771101", "450000", "勘察设计管理处"),
    DemoUser("gx_jianguan", Role.PROVINCIAL, "黄建宁", "副处长", "13800771102", "450000", "建筑管理处"),
    DemoUser("jl_sheng", Role.PROVINCIAL, "刘婉清", "主任科员", "13800431101", "220000", "勘察设计处"),
    DemoUser("jl_jianguan", Role.PROVINCIAL, "赵立民", "副处长", "13800431102", "220000", "建筑管理处"),
    DemoUser("nn_shenhe", Role.REVIEWER, "陆海燕", "科长", "13800771201", "450100", CITY_DEPARTMENT),
    DemoUser("qx_shenhe", Role.REVIEWER, "蒙志刚", "股长", "13800771202", "450103", COUNTY_DEPARTMENT),
    DemoUser("gl_shenhe", Role.REVIEWER, "唐晓峰", "科长", "13800773201", "450300", CITY_DEPARTMENT),
    DemoUser("cc_shenhe", Role.REVIEWER, "孙明远", "科长", "13800431201", "220100", CITY_DEPARTMENT),
    DemoUser("lz_shenhe", Role.REVIEWER, "莫小川", "科员", "13800772201", "450200", "", note="未登记科室，J9"),
    *(
        DemoUser(
            f"qy_{e.key}",
            Role.ENTERPRISE,
            e.contact,
            "业绩填报员",
            "",
            enterprise=e.key,
            note="已注销" if e.status == EnterpriseStatus.DEREGISTERED else "",
        )
        for e in ENTERPRISES
    ),
)


class DemoLogin(NamedTuple):
    role: str
    username: str
    organisation: str
    note: str = ""


#: Every demo login (all with DEMO_PASSWORD): what the README lists and `seed_demo` prints.
DEMO_LOGINS: tuple[DemoLogin, ...] = tuple(
    DemoLogin(u.role_label, u.username, u.organisation, u.note) for u in DEMO_USERS
)

# ----------------------------------------------------------------------------------------------------------------
# Projects and records
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoProject:
    key: str
    campaign: str  # "gx" | "jl"
    seq: int  # sequence of the 项目编号 and of the permit number
    county: str
    name: str
    prj_type: str
    function: str
    completed: dt.date  # 竣工验收; every other date is derived from it
    invest: int  # 万元
    area: int  # m²
    owner: str
    owner_code: str  # a credit code, or 其它
    survey: str
    design: str
    construction: str
    supervision: str
    length: int = 0  # m (municipal works)
    span: int = 0
    nature: str = codes.ConstructionNature.NEW
    structure: str = codes.StructureType.FRAME
    floors: int = 0
    units: tuple[str, ...] = ()
    note: str = ""

    @property
    def approved_on(self) -> dt.date:
        return self.completed - dt.timedelta(days=1000)

    def day(self, offset: int) -> dt.date:
        return self.approved_on + dt.timedelta(days=offset)

    @property
    def permit_on(self) -> dt.date:
        return self.day(220)

    @property
    def started_on(self) -> dt.date:
        return self.day(230)

    @property
    def filed_on(self) -> dt.date:
        return self.completed + dt.timedelta(days=20)

    @property
    def prj_num(self) -> str:
        return f"{self.county}{self.approved_on:%y%m%d}{self.seq:04d}"

    @property
    def licence_cert_no(self) -> str:
        category = "02" if self.prj_type == codes.ProjectType.MUNICIPAL else "01"
        return f"{self.county}{self.permit_on:%Y%m%d}{self.seq % 99 + 1:02d}{category}"

    @property
    def is_municipal(self) -> bool:
        return self.prj_type == codes.ProjectType.MUNICIPAL


def _owner(region: str, org: str, kind: str = "91") -> str:
    return make_uscc(kind, region, org)


P = codes.ProjectType
F = codes.ProjectFunction
_GX = {"survey": "kancha", "design": "sheji", "construction": "gx_con", "supervision": "gx_sup"}


PROJECTS: tuple[DemoProject, ...] = (
    # --- Guangxi 2017 (勘察设计), completed before 2017-11-20 ---
    DemoProject(
        "P01",
        "gx",
        1,
        "450103",
        "五象新区政务服务综合楼",
        P.BUILDING,
        F.OFFICE,
        D(2016, 6, 18),
        26800,
        68500,
        "南宁五象新区城市建设投资有限公司",
        _owner("450100", "MA5KP1T2U"),
        **_GX,
        floors=18,
        structure=codes.StructureType.FRAME_SHEAR_WALL,
        units=("综合楼", "地下车库"),
    ),
    DemoProject(
        "P02",
        "gx",
        2,
        "450103",
        "凤岭北片区小学教学综合楼",
        P.BUILDING,
        F.EDUCATION_HEALTH,
        D(2017, 8, 26),
        6800,
        18600,
        "南宁市青秀区教育局",
        _owner("450103", "007654321", "11"),
        "gx_srv",
        "sheji",
        "gx_con",
        "gx_sup",
        floors=5,
        units=("教学楼", "风雨操场"),
    ),
    DemoProject(
        "P03",
        "gx",
        3,
        "450107",
        "西乡塘区石埠安置小区（一期）",
        P.BUILDING,
        F.SHANTY_RENEWAL,
        D(2015, 12, 20),
        42300,
        156000,
        "南宁市西乡塘区城市建设开发有限公司",
        _owner("450107", "MA5KQ2U3W"),
        **_GX,
        floors=26,
        structure=codes.StructureType.SHEAR_WALL,
        units=("1#楼", "2#楼"),
    ),
    DemoProject(
        "P04",
        "gx",
        4,
        "450108",
        "良庆区规划十二路道路工程",
        P.MUNICIPAL,
        F.ROAD,
        D(2016, 11, 30),
        15600,
        93000,
        "南宁市良庆区市政工程建设管理中心",
        _owner("450108", "498765432", "12"),
        **_GX,
        length=2350,
        structure=codes.StructureType.OTHER,
        units=("K0+000～K2+350段",),
    ),
    DemoProject(
        "P05",
        "gx",
        5,
        "450312",
        "临桂新区文化艺术中心",
        P.BUILDING,
        F.EDUCATION_HEALTH,
        D(2017, 3, 15),
        32000,
        45200,
        "桂林市临桂区城市投资建设有限公司",
        _owner("450312", "MA5KR3W4X"),
        "gx_srv",
        "sheji",
        "gx_con",
        "gx_sup",
        floors=6,
        structure=codes.StructureType.STEEL,
        units=("大剧院", "展览馆"),
    ),
    DemoProject(
        "P06",
        "gx",
        6,
        "450305",
        "七星区漓江路商住楼",
        P.BUILDING,
        F.MIXED_USE,
        D(2016, 9, 10),
        9800,
        32000,
        "桂林七星房地产开发有限公司",
        _owner("450305", "MA5KT4X5Y"),
        "gx_srv",
        "yiji",
        "gx_con",
        "gx_sup",
        floors=17,
        structure=codes.StructureType.FRAME_SHEAR_WALL,
        units=("商住楼",),
    ),
    DemoProject(
        "P07",
        "gx",
        7,
        "450204",
        "柳南区公共租赁住房（二期）",
        P.BUILDING,
        F.PUBLIC_RENTAL,
        D(2017, 5, 20),
        12600,
        52000,
        "柳州市柳南区住房保障中心",
        _owner("450204", "456789012", "12"),
        **_GX,
        floors=18,
        structure=codes.StructureType.SHEAR_WALL,
        units=("A栋", "B栋"),
    ),
    DemoProject(
        "P08",
        "gx",
        8,
        "450403",
        "万秀区鸳江商业综合楼",
        P.BUILDING,
        F.RETAIL,
        D(2014, 10, 28),
        8900,
        21000,
        "梧州市鸳江置业有限公司（已注销）",
        _owner("450403", "MA5KU5Y6A"),
        "gx_srv",
        "sheji",
        "gx_con",
        "gx_sup",
        floors=9,
        units=("商业综合楼",),
        note="建设单位已注销（G6）",
    ),
    DemoProject(
        "P09",
        "gx",
        9,
        "450502",
        "海城区滨海湿地公园景观工程",
        P.MUNICIPAL,
        F.LANDSCAPING,
        D(2015, 7, 30),
        5600,
        120000,
        "北海银滩旅游开发有限公司（已注销）",
        _owner("450502", "MA5KW6A7B"),
        "gx_srv",
        "sheji",
        "gx_con",
        "gx_sup",
        structure=codes.StructureType.OTHER,
        units=("景观绿化",),
        note="建设单位已注销（G6）",
    ),
    DemoProject(
        "P10",
        "gx",
        10,
        "450902",
        "玉州区城东农贸市场",
        P.BUILDING,
        F.RETAIL,
        D(2017, 1, 12),
        3200,
        9800,
        "玉林市玉州区市场服务中心",
        _owner("450902", "467890123", "12"),
        "gx_srv",
        "yiji",
        "gx_con",
        "gx_sup",
        floors=2,
        units=("市场大棚",),
    ),
    DemoProject(
        "P11",
        "gx",
        11,
        "450303",
        "叠彩区社区卫生服务中心",
        P.BUILDING,
        F.EDUCATION_HEALTH,
        D(2016, 4, 22),
        2600,
        7400,
        "桂林市叠彩区卫生和计划生育局",
        _owner("450303", "008765432", "11"),
        "gx_srv",
        "yiji",
        "gx_con",
        "gx_sup",
        floors=5,
        units=("业务用房",),
    ),
    DemoProject(
        "P12",
        "gx",
        12,
        "450321",
        "阳朔县西街游客服务中心",
        P.BUILDING,
        F.TOURISM,
        D(2017, 7, 8),
        4100,
        11200,
        "阳朔县旅游投资有限公司",
        _owner("450321", "MA5KX7B8C"),
        "gx_srv",
        "yiji",
        "gx_con",
        "gx_sup",
        floors=3,
        units=("游客服务中心",),
    ),
    DemoProject(
        "P13",
        "gx",
        13,
        "450102",
        "兴宁区棚户区改造安置房（A地块）",
        P.BUILDING,
        F.SHANTY_RENEWAL,
        D(2016, 12, 16),
        21800,
        88000,
        "南宁市兴宁区城市建设投资有限公司",
        _owner("450102", "MA5KY8C9D"),
        "kancha",
        "gx_dsn",
        "gx_con",
        "gx_sup",
        floors=24,
        structure=codes.StructureType.SHEAR_WALL,
        units=("1#楼", "2#楼", "3#楼"),
    ),
    DemoProject(
        "P14",
        "gx",
        14,
        "450105",
        "江南区沙井片区排水管网工程",
        P.MUNICIPAL,
        F.DRAINAGE,
        D(2015, 5, 28),
        7400,
        0,
        "南宁市江南区市政建设中心",
        _owner("450105", "478901234", "12"),
        "kancha",
        "gx_dsn",
        "gx_con",
        "gx_sup",
        length=8600,
        structure=codes.StructureType.OTHER,
        units=("排水管网",),
    ),
    DemoProject(
        "P15",
        "gx",
        15,
        "450103",
        "青秀区东盟商务区幼儿园",
        P.BUILDING,
        F.EDUCATION_HEALTH,
        D(2017, 9, 5),
        2300,
        6200,
        "南宁市青秀区教育局",
        _owner("450103", "007654321", "11"),
        "gx_srv",
        "yiji",
        "gx_con",
        "gx_sup",
        floors=3,
        units=("幼儿园",),
    ),
    DemoProject(
        "P16",
        "gx",
        16,
        "450126",
        "宾阳县工业园区标准厂房（三期）",
        P.BUILDING,
        F.INDUSTRIAL,
        D(2017, 2, 28),
        9600,
        64000,
        "宾阳县工业园区投资开发有限公司",
        _owner("450126", "MA5L01D2E"),
        "gx_srv",
        "sheji",
        "gx_con",
        "gx_sup",
        floors=4,
        structure=codes.StructureType.BENT,
        units=("1#厂房", "2#厂房"),
    ),
    # --- Jilin 2020 (all kinds), completed before 2020-09-09 ---
    DemoProject(
        "Q01",
        "jl",
        1,
        "220104",
        "朝阳区湖西路住宅小区（二期）",
        P.BUILDING,
        F.COMMERCIAL_HOUSING,
        D(2019, 10, 25),
        36500,
        142000,
        "长春湖西置业有限公司",
        _owner("220104", "MA14N2W3X"),
        "jl_srv",
        "jl_dsn",
        "shigong",
        "jianli",
        floors=26,
        structure=codes.StructureType.SHEAR_WALL,
        units=("5#楼", "6#楼", "7#楼"),
    ),
    DemoProject(
        "Q02",
        "jl",
        2,
        "220102",
        "南关区规划九路道路改造工程",
        P.MUNICIPAL,
        F.ROAD,
        D(2020, 6, 30),
        8900,
        55000,
        "长春市南关区市政建设管理处",
        _owner("220102", "412345678", "12"),
        "jl_srv",
        "jl_dsn",
        "shigong",
        "jl_sup",
        length=3100,
        nature=codes.ConstructionNature.REBUILD,
        structure=codes.StructureType.OTHER,
        units=("K0+000～K3+100段",),
    ),
    DemoProject(
        "Q03",
        "jl",
        3,
        "220106",
        "绿园区第二实验中学综合楼",
        P.BUILDING,
        F.EDUCATION_HEALTH,
        D(2018, 8, 20),
        7600,
        23400,
        "长春市绿园区教育局",
        _owner("220106", "013456789", "11"),
        "jl_srv",
        "jl_dsn",
        "shigong",
        "jianli",
        floors=6,
        units=("综合楼",),
    ),
    DemoProject(
        "Q04",
        "jl",
        4,
        "220202",
        "昌邑区食品产业园生产车间",
        P.BUILDING,
        F.INDUSTRIAL,
        D(2017, 11, 10),
        11200,
        38000,
        "吉林市北山食品有限公司（已注销）",
        _owner("220202", "MA14P3W4Y"),
        "jl_srv",
        "jl_dsn",
        "shigong",
        "jl_sup",
        floors=2,
        structure=codes.StructureType.STEEL,
        units=("1#车间", "2#车间"),
        note="建设单位已注销（G6）",
    ),
    DemoProject(
        "Q05",
        "jl",
        5,
        "222401",
        "延吉市康宁医院住院楼",
        P.BUILDING,
        F.EDUCATION_HEALTH,
        D(2016, 9, 15),
        14800,
        36000,
        "延吉市康宁医疗投资有限公司（已注销）",
        _owner("222401", "MA14Q4X5A"),
        "jl_srv",
        "jl_dsn",
        "jl_con",
        "jianli",
        floors=12,
        units=("住院楼",),
        note="建设单位已注销（G6）",
    ),
    DemoProject(
        "Q06",
        "jl",
        6,
        "220105",
        "二道区政务服务中心",
        P.BUILDING,
        F.OFFICE,
        D(2019, 12, 12),
        9300,
        26000,
        "长春市二道区机关事务管理局",
        _owner("220105", "014567890", "11"),
        "jl_srv",
        "jl_dsn",
        "jl_con",
        "jianli",
        floors=8,
        units=("办公楼",),
    ),
    DemoProject(
        "Q07",
        "jl",
        7,
        "220103",
        "宽城区物流园仓储中心",
        P.BUILDING,
        F.INDUSTRIAL_SUPPORT,
        D(2018, 5, 30),
        6700,
        41000,
        "长春北亚物流有限公司",
        _owner("220103", "MA14R5Y6B"),
        "jl_srv",
        "jl_dsn",
        "zhuxiao",
        "jl_sup",
        floors=1,
        structure=codes.StructureType.STEEL,
        units=("仓库",),
    ),
    DemoProject(
        "Q08",
        "jl",
        8,
        "220112",
        "双阳区全民健身中心",
        P.BUILDING,
        F.EDUCATION_HEALTH,
        D(2019, 7, 18),
        12400,
        28500,
        "长春市双阳区文化广播电视和旅游局",
        _owner("220112", "015678901", "11"),
        "jl_srv",
        "sheji",
        "jl_con",
        "jianli",
        floors=4,
        structure=codes.StructureType.STEEL,
        units=("体育馆", "游泳馆"),
    ),
    DemoProject(
        "Q09",
        "jl",
        9,
        "220104",
        "朝阳区科技创新大厦",
        P.BUILDING,
        F.OFFICE,
        D(2020, 5, 20),
        18600,
        46000,
        "长春科创园区开发有限公司",
        _owner("220104", "MA14T6A7C"),
        "jl_srv",
        "jl_dsn",
        "shigong",
        "jl_sup",
        floors=22,
        structure=codes.StructureType.FRAME_TUBE,
        units=("主楼",),
    ),
    DemoProject(
        "Q10",
        "jl",
        10,
        "220102",
        "南关区伊通河人行景观桥",
        P.MUNICIPAL,
        F.BRIDGE,
        D(2018, 10, 16),
        4300,
        2200,
        "长春市南关区市政建设管理处",
        _owner("220102", "412345678", "12"),
        "jl_srv",
        "jl_dsn",
        "jl_con",
        "jianli",
        length=186,
        span=48,
        structure=codes.StructureType.STEEL,
        units=("景观桥",),
    ),
)
PROJECT_BY_KEY = {p.key: p for p in PROJECTS}  # and the demo campaign's (DEMO_PROJECTS), added below

S = RecordStatus


class DemoRecord(NamedTuple):
    project: str
    enterprise: str
    status: str
    submitted: dt.date | None = None
    decided_after: int = 1  # working days from submission to the decision
    direct: bool = False  # sent to the provincial office's direct review (G6); decided there, grade A
    reason: str = ""  # the rejection's reason, or the facts of the fraud (G10)
    overdue: bool = False  # approved by the nightly job when its review window ran out (P1)


#: Reasons and facts the enterprise reads (invented).
_REASON_MONEY = "合同备案金额与中标金额不一致，请核对合同备案信息后重新提交。"
_REASON_FILING = "竣工验收备案编号与备案系统记录不符，请核对竣工验收备案信息。"
_REASON_PERMIT = "施工许可证发证日期与施工许可管理系统记录不符，请上传施工许可证扫描件核对。"
_REASON_SEAL = "监理合同扫描件未见建设单位盖章，请重新上传加盖公章的合同。"
_FRAUD_FACTS = (
    "经核查，所附中标通知书系伪造：招标代理机构及交易中心均无该项目勘察招标的备案记录，"
    "企业在约谈中承认该通知书为自行制作。"
)

RECORDS: tuple[DemoRecord, ...] = (
    DemoRecord("P01", "sheji", S.APPROVED, D(2017, 11, 21)),
    DemoRecord("P01", "kancha", S.APPROVED, D(2017, 11, 23), 2),  # same project as the design firm
    DemoRecord("P02", "sheji", S.SUBMITTED, D(2017, 12, 18)),
    DemoRecord("P03", "sheji", S.APPROVED, D(2017, 11, 22), 2),
    DemoRecord("P03", "kancha", S.APPROVED, D(2017, 11, 24)),
    DemoRecord("P04", "sheji", S.REJECTED, D(2017, 11, 27), 2, reason=_REASON_MONEY),
    DemoRecord("P04", "kancha", S.SUBMITTED, D(2017, 12, 19)),
    DemoRecord("P05", "sheji", S.APPROVED, D(2017, 11, 28), 3),
    DemoRecord("P06", "yiji", S.APPROVED, D(2017, 12, 5), overdue=True),  # nobody decided in time (P1)
    DemoRecord("P07", "sheji", S.SUBMITTED, D(2017, 12, 6)),  # 柳州: its reviewer has no department (J9)
    DemoRecord("P07", "kancha", S.DRAFT),
    DemoRecord("P08", "sheji", S.DIRECT_REVIEW, D(2017, 12, 11), direct=True),
    DemoRecord("P09", "sheji", S.APPROVED, D(2017, 11, 29), 3, direct=True),  # grade A
    DemoRecord("P10", "yiji", S.SUBMITTED, D(2018, 3, 12)),  # after the national cutoff (G3)
    DemoRecord("P11", "yiji", S.REJECTED, D(2018, 1, 15), reason=_REASON_FILING),
    DemoRecord("P12", "yiji", S.DRAFT),
    DemoRecord("P13", "kancha", S.APPROVED, D(2017, 12, 4), 2),
    DemoRecord("P14", "kancha", S.FRAUD, D(2017, 12, 7), reason=_FRAUD_FACTS),  # G10: in the credit file
    DemoRecord("P15", "yiji", S.APPROVED, D(2018, 4, 9), 2),  # provincial platform only (G3)
    DemoRecord("P16", "sheji", S.DRAFT),
    DemoRecord("Q01", "shigong", S.APPROVED, D(2020, 9, 22)),
    DemoRecord("Q01", "jianli", S.APPROVED, D(2020, 9, 23), 2),  # same project as the builder
    DemoRecord("Q02", "shigong", S.SUBMITTED, D(2020, 10, 19)),
    DemoRecord("Q03", "shigong", S.REJECTED, D(2020, 9, 28), 2, reason=_REASON_PERMIT),
    DemoRecord("Q03", "jianli", S.SUBMITTED, D(2020, 10, 12)),
    DemoRecord("Q04", "shigong", S.DIRECT_REVIEW, D(2020, 10, 14), direct=True),
    DemoRecord("Q05", "jianli", S.APPROVED, D(2020, 9, 24), 3, direct=True),  # grade A
    DemoRecord("Q06", "jianli", S.DRAFT),
    DemoRecord("Q07", "zhuxiao", S.DRAFT),
    DemoRecord("Q08", "sheji", S.APPROVED, D(2020, 9, 25), 3),
    DemoRecord("Q09", "shigong", S.DRAFT),
    DemoRecord("Q10", "jianli", S.REJECTED, D(2020, 10, 20), reason=_REASON_SEAL),
)


# ----------------------------------------------------------------------------------------------------------------
# The live demo campaign (issue 10): its dates are computed from today, so that on `make run` a newcomer can enter,
# save, submit, decide and push. The two historical campaigns stay as their notices wrote them.
# ----------------------------------------------------------------------------------------------------------------

DEMO_CAMPAIGN_NAME = "演示：勘察设计历史业绩补录（演示数据，日期随今天计算）"
DEMO_NOTICE = "演示〔随今天〕1号"


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def demo_campaign_values(today: dt.date) -> dict:
    notice = today - dt.timedelta(days=30)
    cutoff = today + dt.timedelta(days=28)
    return {
        "province": Region.objects.get(code="450000"),
        "notice_number": DEMO_NOTICE,
        "notice_title": "演示用补录工作：开放中，全国平台截止日期在数周之后（不是真实通知）",
        "notice_date": notice,
        "scope_completed_before": notice,
        "national_cutoff": cutoff,
        # no close date: the port stays open (a close date would pull review deadlines in by J1, and the coming
        # year's working days are not known before the State Council publishes them)
        "close_date": None,
        "review_working_days": 3,
        "push_d_records": False,
        "msg_outside_province": "演示：区外工程请通过项目所在地住房城乡建设主管部门补录。",
        "msg_overseas": "演示：境外工程暂不进行业绩补录。",
        "msg_not_completed": f"演示：仅补录{_cn(notice)}前已完成竣工验收的工程项目业绩。",
        "msg_closed": "演示：补录端口已关闭。",
        "msg_kind_not_covered": "演示：本次补录面向勘察设计企业。",
        "msg_after_national_cutoff": f"演示：{_cn(cutoff)}后补录的业绩仅在省级平台公示，不能同步到全国平台。",
        "is_active": True,
    }


def demo_tracks(today: dt.date) -> list[dict]:
    national_deadline = today + dt.timedelta(days=21)
    return [
        {
            "code": "N",
            "name": "全国平台（甲级，演示）",
            "priority": 1,
            "entry_deadline": None,
            "reaches_national": True,
            "national_deadline": national_deadline,
            "message_after_national_deadline": f"演示：甲级业绩应于{_cn(national_deadline)}前完成补录，"
            "超过该期限补录的业绩将无法同步到全国平台。",
            "message_after_deadline": "",
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
            "name": "省级平台（乙级、丙级，仅省级公示，演示）",
            "priority": 2,
            "entry_deadline": None,
            "reaches_national": False,
            "national_deadline": None,
            "message_after_national_deadline": "",
            "message_after_deadline": "",
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


_DEMO_GX = {"survey": "kancha", "construction": "gx_con", "supervision": "gx_sup"}
DEMO_PROJECTS: tuple[DemoProject, ...] = tuple(
    DemoProject(
        key,
        "demo",
        seq,
        county,
        name,
        P.BUILDING,
        function,
        completed,
        invest,
        area,
        owner,
        _owner(county, org),
        design=design,
        floors=floors,
        units=units,
        **_DEMO_GX,
    )
    for key, seq, county, name, function, completed, invest, area, owner, org, design, floors, units in (
        (
            "D01",
            21,
            "450103",
            "演示·青秀区文化活动中心",
            F.EDUCATION_HEALTH,
            D(2023, 6, 18),
            9800,
            21000,
            "南宁市青秀区文化广电体育和旅游局",
            "MA5D01A1B",
            "sheji",
            4,
            ("活动中心",),
        ),
        (
            "D02",
            22,
            "450103",
            "演示·凤岭南路社区卫生服务中心",
            F.EDUCATION_HEALTH,
            D(2023, 9, 9),
            5200,
            9800,
            "南宁市青秀区卫生健康局",
            "MA5D02A2C",
            "sheji",
            5,
            ("门诊楼",),
        ),
        (
            "D03",
            23,
            "450103",
            "演示·仙葫大道保障性住房一期",
            F.PUBLIC_RENTAL,
            D(2024, 3, 28),
            18600,
            56000,
            "南宁市青秀区住房保障中心",
            "MA5D03A3D",
            "sheji",
            18,
            ("1#楼", "2#楼"),
        ),
        (
            "D04",
            24,
            "450312",
            "演示·临桂新区第二小学",
            F.EDUCATION_HEALTH,
            D(2023, 11, 20),
            7600,
            16800,
            "桂林市临桂区教育局",
            "MA5D04A4E",
            "yiji",
            5,
            ("教学楼",),
        ),
        (
            "D05",
            25,
            "450103",
            "演示·青秀区政务服务中心附楼",
            F.OFFICE,
            D(2024, 5, 16),
            6300,
            12500,
            "南宁市青秀区机关事务管理局",
            "MA5D05A5F",
            "sheji",
            8,
            ("附楼",),
        ),
        (
            "D06",
            26,
            "450103",
            "演示·青秀山景区游客服务中心",
            F.OFFICE,
            D(2024, 1, 12),
            4100,
            7300,
            "南宁青秀山风景名胜旅游区管理委员会",
            "MA5D06A6G",
            "sheji",
            3,
            ("服务中心",),
        ),
        (
            "D07",
            27,
            "450312",
            "演示·临桂区全民健身中心",
            F.EDUCATION_HEALTH,
            D(2024, 4, 8),
            8900,
            19600,
            "桂林市临桂区体育局",
            "MA5D07A7H",
            "yiji",
            4,
            ("体育馆",),
        ),
        (
            "D08",
            28,
            "450103",
            "演示·青秀区第三实验学校",
            F.EDUCATION_HEALTH,
            D(2024, 6, 30),
            11200,
            26800,
            "南宁市青秀区教育局",
            "MA5D08A8J",
            "sheji",
            6,
            ("教学楼", "食堂"),
        ),
    )
)
PROJECT_BY_KEY.update({p.key: p for p in DEMO_PROJECTS})


def demo_records(today: dt.date) -> tuple[DemoRecord, ...]:
    """The demo campaign's records in every state, submitted the given working days before today."""

    def wd(n: int) -> dt.date:
        return chinese_calendar.find_workday(-n, today)

    return (
        DemoRecord("D01", "sheji", S.APPROVED, wd(9)),  # national track, approved: pushed by push_to_national
        DemoRecord("D01", "kancha", S.APPROVED, wd(8), 2),  # the survey firm's claim of the same project
        # approved by a person: the nightly run of `overdue` would take the historical campaigns' pending records too
        DemoRecord("D02", "sheji", S.APPROVED, wd(10), 3),
        DemoRecord("D03", "sheji", S.SUBMITTED, wd(1)),  # waiting for the 青秀区 reviewer: approve it, then push
        DemoRecord("D04", "yiji", S.APPROVED, wd(7)),  # 乙级: the provincial track, never pushed (G3)
        DemoRecord("D05", "sheji", S.REJECTED, wd(6), reason=_REASON_MONEY),  # correct it and submit again
        DemoRecord("D06", "sheji", S.DRAFT),  # complete? submit it: it reaches the national platform once approved
        DemoRecord("D06", "kancha", S.FRAUD, wd(6), reason=_FRAUD_FACTS),  # G10
        DemoRecord("D07", "yiji", S.SUBMITTED, wd(1)),  # provincial track, pending
        DemoRecord("D08", "sheji", S.DIRECT_REVIEW, wd(2), direct=True),  # G6: the provincial office decides
    )


def _build_demo_campaign(ctx: _Context, today: dt.date) -> None:
    values = demo_campaign_values(today)
    campaign = Campaign.objects.filter(name=DEMO_CAMPAIGN_NAME).first()
    if campaign is None:
        campaign = Campaign.objects.create(name=DEMO_CAMPAIGN_NAME, **values)
        ctx.stats["created:Campaign"] += 1
    else:
        _apply(campaign, values, ctx.stats)
    for kind in (EnterpriseKind.DESIGN, EnterpriseKind.SURVEY):
        _upsert(
            CampaignOpening,
            {"campaign": campaign, "enterprise_kind": kind},
            {"opens_on": values["notice_date"], "message_before_open": ""},
            ctx.stats,
        )
    for spec in demo_tracks(today):
        spec = dict(spec)
        quals = spec.pop("qualifications")
        track = _upsert(Track, {"campaign": campaign, "code": spec.pop("code")}, spec, ctx.stats)
        wanted = set(Qualification.objects.filter(code__in=quals).values_list("pk", flat=True))
        if set(track.qualifications.values_list("pk", flat=True)) != wanted:
            track.qualifications.set(wanted)
    ctx.campaigns["demo"] = campaign


#: Per enterprise kind: tender type, contract type, 参建单位 role and offsets (days after approval) of the
#: tender result and contract signing. Survey and design come first, the builder and supervisor before the permit.
_KIND_STAGES = {
    EnterpriseKind.SURVEY: (
        codes.TenderClass.SURVEY,
        codes.ContractType.SURVEY,
        codes.CorpRole.SURVEY,
        20,
        30,
        Decimal("0.008"),
    ),
    EnterpriseKind.DESIGN: (
        codes.TenderClass.DESIGN,
        codes.ContractType.DESIGN,
        codes.CorpRole.DESIGN,
        40,
        50,
        Decimal("0.025"),
    ),
    EnterpriseKind.CONSTRUCTION: (
        codes.TenderClass.CONSTRUCTION,
        codes.ContractType.CONSTRUCTION_GENERAL,
        codes.CorpRole.CONSTRUCTION,
        180,
        190,
        Decimal("0.82"),
    ),
    EnterpriseKind.SUPERVISION: (
        codes.TenderClass.SUPERVISION,
        codes.ContractType.SUPERVISION,
        codes.CorpRole.SUPERVISION,
        185,
        195,
        Decimal("0.012"),
    ),
}
_ROLE_OF_KIND = {
    "survey": EnterpriseKind.SURVEY,
    "design": EnterpriseKind.DESIGN,
    "construction": EnterpriseKind.CONSTRUCTION,
    "supervision": EnterpriseKind.SUPERVISION,
}
_CENSOR_DAY = 150

# ----------------------------------------------------------------------------------------------------------------
# Writing: find by natural key, write only what differs
# ----------------------------------------------------------------------------------------------------------------


class Stats(Counter):
    """How many rows the run created and changed, by model."""


def _upsert(model: type[models.Model], lookup: dict, values: dict, stats: Stats) -> models.Model:
    """update_or_create that saves only when a value differs (a second run writes nothing, logs no history)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        stats[f"created:{model.__name__}"] += 1
        return obj
    _apply(obj, values, stats)
    return obj


def _apply(obj: models.Model, values: dict, stats: Stats) -> None:
    changed = []
    for name, value in values.items():
        fld = obj._meta.get_field(name)
        if fld.many_to_one or fld.one_to_one:
            current, wanted = getattr(obj, fld.attname), (value.pk if value is not None else None)
        else:
            current, wanted = getattr(obj, name), value
        if current != wanted:
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        obj.save(update_fields=changed)
        stats[f"changed:{type(obj).__name__}"] += 1


def _sync_children(
    model: type[models.Model], parent: dict, key: tuple[str, ...], rows: list[dict], stats: Stats
) -> None:
    """Make the children of a parent exactly `rows` (matched on `key`), deleting the others."""
    existing = {tuple(getattr(o, k) for k in key): o for o in model.objects.filter(**parent).order_by("pk")}
    for row in rows:
        obj = existing.pop(tuple(row[k] for k in key), None)
        if obj is None:
            model.objects.create(**parent, **row)
            stats[f"created:{model.__name__}"] += 1
        else:
            _apply(obj, row, stats)
    for obj in existing.values():
        obj.delete()
        stats[f"deleted:{model.__name__}"] += 1


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def _money(value: Decimal | int) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


# ----------------------------------------------------------------------------------------------------------------
# The builder
# ----------------------------------------------------------------------------------------------------------------


@dataclass
class _Context:
    stats: Stats
    regions: dict[str, Region] = field(default_factory=dict)
    authorities: dict[str, Authority] = field(default_factory=dict)
    departments: dict[tuple[str, str], Department] = field(default_factory=dict)
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    reset: bool = False


def build_demo(*, reset: bool = False) -> dict[str, int]:
    """Create every missing demo row, in one transaction; returns counts for the summary line.

    Existing demo records are left as people left them, unless `reset` puts them back to their seeded state.
    """
    # Each record's history names who did what (the clerk, the deciding official, the nightly job): one pghistory
    # context per actor, never one around everything (a nested context only adds to its parent's row).
    with transaction.atomic():
        ctx = _Context(stats=Stats(), reset=reset)
        with pghistory.context(actor=DEMO_ACTOR):
            ctx.campaigns = {k: Campaign.objects.get(notice_number=n) for k, n in CAMPAIGN_NOTICES.items()}
            _build_authorities(ctx)
            _build_contacts(ctx)
            _build_enterprises(ctx)
            _build_users(ctx)
            _build_demo_campaign(ctx, timezone.localdate())
        for spec in (*RECORDS, *demo_records(timezone.localdate())):
            _build_record(ctx, spec)
        from .demo_qualification import build_qualification_demo  # the review systems and an application list

        ctx.stats["written:qualification"] += build_qualification_demo()
        status_counts = Counter(
            Record.objects.filter(project__prj_num__in=[p.prj_num for p in (*PROJECTS, *DEMO_PROJECTS)]).values_list(
                "status", flat=True
            )
        )
    return {
        "authorities": len(ctx.authorities),
        "users": len(ctx.users),
        "enterprises": len(ctx.enterprises),
        "projects": len(PROJECTS) + len(DEMO_PROJECTS),
        "records": sum(status_counts.values()),
        **{f"status:{s}": status_counts.get(s, 0) for s in RecordStatus.values},
        "written": sum(v for k, v in ctx.stats.items()),
    }


def _build_authorities(ctx: _Context) -> None:
    wanted = list(PROVINCES) + COUNTIES
    regions = Region.objects.filter(
        models.Q(code__in=wanted)
        | models.Q(level=RegionLevel.CITY, parent_id__in=list(PROVINCES), valid_until__isnull=True)
    )
    ctx.regions.update({r.code: r for r in regions})
    ordered = sorted(ctx.regions.values(), key=lambda r: (r.level, r.code))
    for index, region in enumerate(ordered):
        if region.level == RegionLevel.PROVINCE:
            name, level, parent = PROVINCES[region.code], AuthorityLevel.PROVINCE, None
            departments, phone = PROVINCE_DEPARTMENTS[region.code], PROVINCE_PHONES[region.code]
        elif region.level == RegionLevel.CITY:
            name, level = city_authority_name(region), AuthorityLevel.CITY
            parent, departments = ctx.authorities[region.parent_id], [CITY_DEPARTMENT]
            phone = f"{AREA_CODES[region.code[:4]]}-28{index:05d}"
        else:
            city = ctx.regions[region.parent_id]
            name, level = f"{city.name}{region.name}住房和城乡建设局", AuthorityLevel.COUNTY
            parent, departments = ctx.authorities[region.parent_id], [COUNTY_DEPARTMENT]
            phone = f"{AREA_CODES[region.code[:4]]}-38{index:05d}"
        if AUTHORITY_NAMES.get(region.code, name) != name:
            raise RuntimeError(f"demo data: {region.code} is named {name}, DEMO_LOGINS says otherwise")
        authority = _upsert(
            Authority,
            {"region": region},
            {
                "name": name,
                "level": level,
                "parent": parent,
                "phone": phone,
                "is_active": True,
            },
            ctx.stats,
        )
        ctx.authorities[region.code] = authority
        for dept in departments:
            ctx.departments[region.code, dept] = _upsert(
                Department, {"authority": authority, "name": dept}, {}, ctx.stats
            )


def _build_contacts(ctx: _Context) -> None:
    """G9: every city bureau names one contact person for its province's campaign."""
    cities = sorted((r for r in ctx.regions.values() if r.level == RegionLevel.CITY), key=lambda r: r.code)
    for index, city in enumerate(cities):
        campaign = ctx.campaigns["gx" if city.code.startswith("45") else "jl"]
        surnames = _CONTACT_SURNAMES if city.code.startswith("45") else _JILIN_SURNAMES
        name = surnames[index % len(surnames)] + _CONTACT_GIVEN[(index * 5) % len(_CONTACT_GIVEN)]
        _upsert(
            CampaignContact,
            {"campaign": campaign, "authority": ctx.authorities[city.code]},
            {
                "name": name,
                "department": CITY_DEPARTMENT,
                "title": _CONTACT_TITLES[index % len(_CONTACT_TITLES)],
                "office_phone": f"{AREA_CODES[city.code[:4]]}-28{index:05d}",
                "mobile": f"13800{city.code[:4]}{index:02d}",
            },
            ctx.stats,
        )


def _build_enterprises(ctx: _Context) -> None:
    qualifications = {q.code: q for q in Qualification.objects.all()}
    regions = {r.code: r for r in Region.objects.filter(code__in={e.region for e in ENTERPRISES})}
    for spec in ENTERPRISES:
        enterprise = _upsert(
            Enterprise,
            {"credit_code": spec.credit_code},
            {
                "name": spec.name,
                "kinds": list(spec.kinds),
                "status": spec.status,
                "region": regions[spec.region],
                "address": spec.address,
                "contact_name": spec.contact,
                "contact_phone": spec.phone,
            },
            ctx.stats,
        )
        wanted = {qualifications[code].pk for code in spec.qualifications}
        if set(enterprise.applied_qualifications.values_list("pk", flat=True)) != wanted:
            enterprise.applied_qualifications.set(wanted)
            ctx.stats["changed:Enterprise.applied_qualifications"] += 1
        ctx.enterprises[spec.key] = enterprise


def _build_users(ctx: _Context) -> None:
    checked: dict[str, bool] = {}  # one password check per distinct stored hash, not per user
    new_hash = ""
    for spec in DEMO_USERS:
        authority = ctx.authorities[spec.authority] if spec.authority else None
        values = {
            "role": spec.role,
            "real_name": spec.real_name,
            "title": spec.title,
            "phone": spec.phone,
            "enterprise": ctx.enterprises[spec.enterprise] if spec.enterprise else None,
            "authority": authority,
            "department": ctx.departments[spec.authority, spec.department] if spec.department else None,
            "is_superuser": spec.is_superuser,
            "is_staff": spec.is_superuser or spec.role in (Role.REVIEWER, Role.PROVINCIAL),
            "is_active": True,
        }
        user = User.objects.filter(username=spec.username).first()
        stored = user.password if user is not None else ""
        if stored not in checked:
            checked[stored] = bool(stored) and check_password(DEMO_PASSWORD, stored)
        if not checked[stored]:
            new_hash = new_hash or make_password(DEMO_PASSWORD)
            values["password"] = new_hash
        if user is None:
            user = User(username=spec.username, **values)
            user.save()
            ctx.stats["created:User"] += 1
        else:
            _apply(user, values, ctx.stats)
        ctx.users[spec.username] = user


def _reviewer(ctx: _Context, authority: Authority, enterprise: DemoEnterprise) -> User:
    """The official who decided: the authority's reviewer; at a provincial office, the 处 of the enterprise kind."""
    candidates = [u for u in ctx.users.values() if u.authority_id == authority.pk and u.department_id]
    if authority.level == AuthorityLevel.PROVINCE:
        wanted = "勘察设计" if set(enterprise.kinds) & {EnterpriseKind.SURVEY, EnterpriseKind.DESIGN} else "建筑管理"
        candidates = [u for u in candidates if u.department.name.startswith(wanted)]
    if not candidates:
        raise RuntimeError(f"demo data: no reviewer with a department at {authority.name}")
    return candidates[0]


def _build_record(ctx: _Context, spec: DemoRecord) -> None:
    clerk = ctx.users[f"qy_{ENTERPRISE_BY_KEY[spec.enterprise].key}"]
    with pghistory.context(user=clerk.pk, url="seed_demo"):
        record = _enter_record(ctx, spec)
    if record is not None:
        _play(ctx, record, spec, PROJECT_BY_KEY[spec.project], ENTERPRISE_BY_KEY[spec.enterprise])


def _enter_record(ctx: _Context, spec: DemoRecord) -> Record | None:
    """The record as its clerk entered it (None: left as people left it)."""
    p = PROJECT_BY_KEY[spec.project]
    ent = ENTERPRISE_BY_KEY[spec.enterprise]
    enterprise = ctx.enterprises[spec.enterprise]
    campaign = ctx.campaigns[p.campaign]
    county = ctx.regions.get(p.county) or Region.objects.get(code=p.county)
    ctx.regions[county.code] = county
    city = ctx.regions[county.city_code]
    issuing = ctx.authorities.get(county.code) or ctx.authorities[city.code]
    clerk = ctx.users[f"qy_{ent.key}"]
    kind = ent.kinds[0]
    tender_class, contract_type, corp_role, tender_day, contract_day, share = _KIND_STAGES[kind]
    seismic = codes.SeismicIntensity.DEGREE_7 if p.campaign == "jl" else codes.SeismicIntensity.DEGREE_6
    in_guangxi = p.campaign in ("gx", "demo")
    size = f"总长{p.length}米" if p.is_municipal else f"建筑面积{p.area}平方米，地上{p.floors}层"

    project_values = {
        "prj_name": p.name,
        "prj_type": p.prj_type,
        "county": county,
        "address": f"{city.name}{county.name}{p.name}",
        "prj_code": f"{p.approved_on:%Y}-{p.county}-{p.prj_type}-{p.seq:02d}-{p.seq * 7919 % 1000000:06d}",
        "prj_approval_num": f"{city.name[:2]}发改投资〔{p.approved_on:%Y}〕{p.seq + 100}号",
        "prj_approval_level": codes.ApprovalLevel.CITY if county.code == city.code else codes.ApprovalLevel.COUNTY,
        "prj_approval_depart": f"{county.name}发展和改革局",
        "prj_approval_date": p.approved_on,
        "build_corp_name": p.owner,
        "build_corp_code": p.owner_code,
        "build_plan_num": f"地字第{county.code}{p.approved_on:%Y}{p.seq:03d}号",
        "project_plan_num": f"建字第{county.code}{p.approved_on:%Y}{p.seq:03d}号",
        "inv_property": codes.InvestmentNature.GOVERNMENT
        if p.owner_code[:2] in ("11", "12")
        else codes.InvestmentNature.NON_STATE,
        "fund_source": "财政资金" if p.owner_code[:2] in ("11", "12") else "企业自筹",
        "national_percentage": _money(100 if p.owner_code[:2] in ("11", "12") else 0),
        "all_invest": _money(p.invest),
        "all_area": _money(p.area),
        "all_length": _money(p.length),
        "prj_size": size,
        "prj_property": p.nature,
        "prj_function": p.function,
        "begin_date": p.started_on,
        "end_date": p.completed,
    }
    record = Record.objects.filter(enterprise=enterprise, project__prj_num=p.prj_num).select_related("project").first()
    if record is not None and not ctx.reset:
        return  # a demo record people have worked on since is left as they left it (`seed_demo --reset` redoes it)
    if record is None:
        fields = {k: v for k, v in project_values.items() if k not in ("prj_name", "county")}
        record = record_start(
            enterprise=enterprise,
            campaign=campaign,
            user=clerk,
            prj_name=p.name,
            county=county,
            prj_num=p.prj_num,
            licence_cert_no=p.licence_cert_no,
            historical=True,
            **fields,
        )
        ctx.stats["created:Record"] += 1
    else:
        _back_to_draft(ctx, record)
    project = record.project
    _apply(project, project_values, ctx.stats)
    _apply(record, {"campaign": campaign, "created_by": clerk}, ctx.stats)

    # 单体
    per_unit = Decimal(p.invest) / len(p.units)
    unit_rows = []
    for n, unit_name in enumerate(p.units, start=1):
        row = {
            "unit_code": f"{p.prj_num}-{n:03d}",
            "sub_prj_name": unit_name,
            "invest": _money(per_unit),
            "seismic_intensity": seismic,
            "structure_type": p.structure,
        }
        if p.is_municipal:
            row |= {"sub_project_length": _money(Decimal(p.length) / len(p.units)), "sub_project_span": _money(p.span)}
        else:
            area = Decimal(p.area) / len(p.units)
            row |= {
                "build_area": _money(area),
                "floor_build_area": _money(area * Decimal("0.85")),
                "bottom_floor_build_area": _money(area * Decimal("0.15")),
                "floor_count": p.floors,
                "bottom_floor_count": 1,
                "build_height": _money(p.floors * Decimal("3.3") + Decimal("0.45")),
            }
        unit_rows.append(row)
    _sync_children(UnitProject, {"project": project}, ("unit_code",), unit_rows, ctx.stats)

    # 招投标, 合同
    lead = ent.persons[0]
    amount = _money(Decimal(p.invest) * share)
    tender_on, contract_on = p.day(tender_day), p.day(contract_day)
    agency = firm("gx_agency" if in_guangxi else "jl_agency")
    stages: list[tuple[models.Model, dt.date]] = []
    tender = _upsert(
        Tender,
        {"record": record},
        {
            "tender_num": f"{city.code}{tender_on:%Y%m%d}{p.seq:02d}{corp_role}",
            "tender_prj_name": p.name,
            "tender_class": tender_class,
            "tender_method": codes.TenderMethod.OPEN,
            "tender_result_date": tender_on,
            "tender_money": amount,
            "prj_size": size,
            "area": _money(p.area),
            "agency_corp_name": agency.name,
            "agency_corp_code": agency.credit_code,
            "tender_corp_name": ent.name,
            "tender_corp_code": ent.credit_code,
            "constructor_name": lead.name,
            "constructor_id_type": codes.IdCardType.RESIDENT_ID,
            "constructor_id_card": lead.id_card,
        },
        ctx.stats,
    )
    stages.append((tender, tender_on))
    contract = _upsert(
        Contract,
        {"record": record},
        {
            "record_num": f"HT{county.code}{contract_on:%Y%m%d}{p.seq:02d}{corp_role}",
            "contract_num": f"{ent.key.upper()}-{contract_on:%Y}-{p.seq:03d}",
            "con_prj_name": p.name,
            "contract_type": contract_type,
            "contract_money": amount,
            "prj_size": size,
            "propietor_corp_name": p.owner,
            "propietor_corp_code": p.owner_code,
            "contractor_corp_name": ent.name,
            "contractor_corp_code": ent.credit_code,
            "union_corp_name": "",
            "union_corp_code": "",
            "contract_date": contract_on,
        },
        ctx.stats,
    )
    stages.append((contract, contract_on))

    # 施工图审查 and its staff
    survey, design = firm(p.survey), firm(p.design)
    censor_firm = firm("gx_censor" if in_guangxi else "jl_censor")
    censor_on = p.day(_CENSOR_DAY)
    censor = _upsert(
        Censor,
        {"record": record},
        {
            "censor_num": f"SC{county.code}{censor_on:%Y}{p.seq:04d}",
            "cen_prj_name": p.name,
            "censor_e_date": censor_on,
            "one_censor_is_pass": p.seq % 3 != 0,
            "one_censor_wfqt_count": 0 if p.seq % 3 else 2,
            "one_censor_wfqt_content": "" if p.seq % 3 else "GB 50016-2014 第5.5.17条；GB 50010-2010 第8.5.1条",
            "censor_corp_name": censor_firm.name,
            "censor_corp_code": censor_firm.credit_code,
            "survey_corp_name": survey.name,
            "survey_corp_code": survey.credit_code,
            "design_corp_name": design.name,
            "design_corp_code": design.credit_code,
            "prj_size": size,
            "is_joint_review": False,
        },
        ctx.stats,
    )
    stages.append((censor, censor_on))
    duty_of = {R.CENSOR_LEADER: codes.WorkDuty.CENSOR_LEADER, R.CENSOR_REVIEWER: codes.WorkDuty.CENSOR_REVIEWER}
    _sync_children(
        CensorStaff,
        {"censor": censor},
        ("id_card", "duty"),
        [
            {
                "corp_name": censor_firm.name,
                "corp_code": censor_firm.credit_code,
                "user_name": s.name,
                "id_card_type": codes.IdCardType.RESIDENT_ID,
                "id_card": s.id_card,
                "specialty": s.specialty,
                "duty": duty_of[s.role],
                "tech_title_level": codes.TechTitleLevel.SENIOR,
                "registration_type": s.registration_type,
            }
            for s in censor_firm.persons
        ],
        ctx.stats,
    )

    # 施工许可, 竣工验收, 竣工验收备案
    construction_money = _money(Decimal(p.invest) * _KIND_STAGES[EnterpriseKind.CONSTRUCTION][5])
    licence = _upsert(
        BuilderLicence,
        {"record": record},
        {
            "licence_cert_no": p.licence_cert_no,
            "bui_prj_name": p.name,
            "bargain_days": (p.completed - p.started_on).days,
            "contract_money": construction_money,
            "release_date": p.permit_on,
            "issuing_authority": issuing.name,
            "area": _money(p.area),
            "length": _money(p.length),
            "span": _money(p.span),
            "prj_size": size,
        },
        ctx.stats,
    )
    stages.append((licence, p.permit_on))
    finish = {
        "fin_prj_name": p.name,
        "builder_licence_nums": p.licence_cert_no,
        "fact_cost": _money(Decimal(p.invest) * Decimal("0.97")),
        "fact_area": _money(p.area),
        "length": _money(p.length),
        "span": _money(p.span),
        "fact_size": size,
        "b_date": p.started_on,
        "prj_structure_type": p.structure,
        "mark": p.note,
    }
    finish_check = _upsert(
        FinishCheck,
        {"record": record},
        {
            **finish,
            "prj_finish_check_num": f"YS{county.code}{p.completed:%Y%m%d}{p.seq:02d}",
            "e_date": p.completed,
        },
        ctx.stats,
    )
    stages.append((finish_check, p.completed))
    finish_record = _upsert(
        FinishRecord,
        {"record": record},
        {
            **finish,
            "prj_finish_num": f"BA{county.code}{p.filed_on:%Y%m%d}{p.seq:02d}",
            "e_date": p.filed_on,
        },
        ctx.stats,
    )
    stages.append((finish_record, p.filed_on))

    # 参建单位 (each with its responsible person) and 单位人员
    corp_rows = []
    for role_name in ("survey", "design", "construction", "supervision"):
        unit_firm = firm(getattr(p, role_name))
        head = unit_firm.lead
        corp_rows.append(
            {
                "corp_role": _KIND_STAGES[_ROLE_OF_KIND[role_name]][2],
                "corp_name": unit_firm.name,
                "corp_code": unit_firm.credit_code,
                "person_name": head.name,
                "id_card_type": codes.IdCardType.RESIDENT_ID,
                "person_id_card": head.id_card,
                "person_phone": head.phone,
            }
        )
    _sync_children(ProjectCorp, {"record": record}, ("corp_role", "corp_code"), corp_rows, ctx.stats)
    _sync_children(
        RecordPerson,
        {"record": record},
        ("id_card", "role"),
        [
            {
                "corp_name": ent.name,
                "corp_code": ent.credit_code,
                "name": person.name,
                "role": person.role,
                "id_card_type": codes.IdCardType.RESIDENT_ID,
                "id_card": person.id_card,
                "registration_type": person.registration_type,
                "registration_cert_no": person.cert_no,
                "specialty": person.specialty,
                "phone": person.phone,
            }
            for person in ent.persons
        ],
        ctx.stats,
    )

    _clear_grades(ctx, record, [stage for stage, _day in stages])
    _attach(ctx, record, spec, clerk)
    return record


# ----------------------------------------------------------------------------------------------------------------
# The workflow, through the real services (review/), with the clock moved to the demo's dates
# ----------------------------------------------------------------------------------------------------------------

#: The grade fields review writes on the project and every stage; empty until an approval (reset clears them).
_NO_GRADE = {"data_level": "", "check_depart_name": "", "check_person_name": "", "data_source": None}
#: The attachments' names as an enterprise would upload them.
_ATTACHMENT_NAMES = {
    AttachmentKind.BID_NOTICE: "中标通知书.pdf",
    AttachmentKind.CONTRACT: "中标工程合同.pdf",
    AttachmentKind.COMPLETION: "竣工验收证明.pdf",
    AttachmentKind.DIRECT_REVIEW: "直接审核申请书.pdf",
}
#: The nightly run that finds the overdue record: half an hour after its deadline (P1).
_NIGHTLY_DELAY = dt.timedelta(minutes=30)


@contextmanager
def _clock(at: dt.datetime) -> Iterator[None]:
    """Run the services as if it were `at`: they (and the models' auto_now fields) read django.utils.timezone.now."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _back_to_draft(ctx: _Context, record: Record) -> None:
    """`--reset`: the record back to a draft with no log, as record_start left it; its stages lose their grades
    afterwards (_clear_grades), then the workflow is played again."""
    CreditEntry.objects.filter(record=record).delete()
    deleted, _by_model = RecordTransition.objects.filter(record=record).delete()
    draft = {
        "status": RecordStatus.DRAFT,
        "track_id": None,
        "reaches_national": False,
        "responsible_authority_id": None,
        "submitted_at": None,
        "review_deadline": None,
        "decided_at": None,
    }
    if deleted or Record.objects.filter(pk=record.pk).values(*draft).get() != draft:
        Record.objects.filter(pk=record.pk).update(**draft)  # the protected FSM field: no transition goes back
        ctx.stats["changed:Record.state"] += 1
    record.refresh_from_db()


def _clear_grades(ctx: _Context, record: Record, stages: list[models.Model]) -> None:
    """No grade on a record not approved yet; the project's (shared) grade stays while another record approves it."""
    for stage in stages:
        _apply(stage, _NO_GRADE, ctx.stats)
    shared_approval = (
        Record.objects.filter(project_id=record.project_id, status=RecordStatus.APPROVED).exclude(pk=record.pk).exists()
    )
    if not shared_approval:
        _apply(record.project, _NO_GRADE, ctx.stats)


def _demo_pdf(title: str) -> bytes:
    """A one-page PDF saying what it stands for (ASCII text: the demo needs no fonts)."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _attach(ctx: _Context, record: Record, spec: DemoRecord, clerk: User) -> None:
    """The clerk uploads the required documents (a draft only the bid-winning notice; G6: the application too).
    A deregistered enterprise uploads nothing (projects.selectors.enterprise_refusal): its draft stays as it was."""
    if ENTERPRISE_BY_KEY[spec.enterprise].status == EnterpriseStatus.DEREGISTERED:
        return
    if spec.status == RecordStatus.DRAFT:
        kinds = [AttachmentKind.BID_NOTICE]
    else:
        kinds = [AttachmentKind.BID_NOTICE, AttachmentKind.CONTRACT, AttachmentKind.COMPLETION]
        if spec.direct:
            kinds.append(AttachmentKind.DIRECT_REVIEW)
    present = set(record.attachments.values_list("kind", flat=True))
    for kind in kinds:
        if kind in present:
            continue
        content = _demo_pdf(f"Demo {spec.project} {spec.enterprise}: {kind}")
        upload = SimpleUploadedFile(_ATTACHMENT_NAMES[kind], content, content_type="application/pdf")
        attachment_add(record_id=record.pk, user=clerk, kind=kind, uploaded_file=upload)
        ctx.stats["created:Attachment"] += 1


def _play(ctx: _Context, record: Record, spec: DemoRecord, p: DemoProject, ent: DemoEnterprise) -> None:
    """Submit (or ask for direct review) and decide, through the services, at the demo's dates."""
    if spec.status == RecordStatus.DRAFT:
        return
    clerk = ctx.users[f"qy_{ent.key}"]
    try:
        with _clock(_at(spec.submitted, 9, 30 + p.seq)), pghistory.context(user=clerk.pk, url="seed_demo"):
            if spec.direct:
                request_direct_review(
                    record_id=record.pk, user=clerk, reason_code=DirectReviewReason.OWNER_DEREGISTERED
                )
            else:
                submit_record(record_id=record.pk, user=clerk)
    except SubmitRefused as refused:
        raise RuntimeError(f"demo data: {spec} cannot be submitted: {refused.messages}") from refused
    ctx.stats["transition"] += 1
    if spec.status in (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW):
        return
    record = Record.objects.select_related("responsible_authority").get(pk=record.pk)
    if spec.overdue:  # nobody decided in time: the nightly job approves it (P1)
        approved = auto_approve_overdue(now=record.review_deadline + _NIGHTLY_DELAY)
        ctx.stats["transition"] += approved
        return
    decider = _reviewer(ctx, record.responsible_authority, ent)
    decided_at = _at(chinese_calendar.find_workday(spec.decided_after, spec.submitted), 15, p.seq)
    with _clock(decided_at), pghistory.context(user=decider.pk, url="seed_demo"):
        if spec.status == RecordStatus.APPROVED:
            approve_record(record_id=record.pk, user=decider)
        elif spec.status == RecordStatus.REJECTED:
            reject_record(record_id=record.pk, user=decider, reason=spec.reason)
        elif spec.status == RecordStatus.FRAUD:
            mark_fraud(record_id=record.pk, user=decider, facts=spec.reason)
        else:
            raise RuntimeError(f"demo data: {spec} has no way to reach its state")
    ctx.stats["transition"] += 1
