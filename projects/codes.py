"""Code tables of the national data standard (建办市〔2018〕81号, §7 of the Wuxi reproduction).

Codes are stored, names shown. The names are English msgids; the official Chinese names are in
locale/zh_Hans/. Source: ../shared/research/national-standard-2018-tables.txt.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectType(models.TextChoices):
    """TBPRJTYPEDIC 项目分类."""

    BUILDING = "01", _("Housing construction project")
    MUNICIPAL = "02", _("Municipal infrastructure project")
    OTHER = "99", _("Other project")


class ApprovalLevel(models.TextChoices):
    """TBLXJBDIC 立项级别."""

    MINISTRY = "001", _("Ministry level")
    PROVINCE = "002", _("Provincial level")
    CITY = "003", _("Prefecture level")
    COUNTY = "004", _("County level")


class ConstructionNature(models.TextChoices):
    """TBPRJPROPERTYDIC 建设性质."""

    NEW = "001", _("New construction")
    REBUILD = "002", _("Reconstruction")
    EXTENSION = "003", _("Extension")
    RESTORATION = "004", _("Restoration")
    RELOCATION = "005", _("Relocation")
    DEMOLITION = "006", _("Demolition")
    OTHER = "099", _("Other nature")


class ProjectFunction(models.TextChoices):
    """TBPRJFUNCTIONDIC 工程用途. Codes 1xx–9xx belong to 房屋建筑 (01), 010–099 to 市政 (02)."""

    RESIDENTIAL = "100", _("Residential building")
    COMMERCIAL_HOUSING = "101", _("Commodity housing")
    PUBLIC_RENTAL = "102", _("Public rental housing")
    SHANTY_RENEWAL = "103", _("Shanty-town renewal housing")
    SHARED_OWNERSHIP = "104", _("Shared-ownership housing")
    OTHER_RESIDENTIAL = "105", _("Other residential building")
    RESIDENTIAL_SUPPORT = "200", _("Residential supporting works")
    PUBLIC_BUILDING = "300", _("Public building")
    OFFICE = "301", _("Office building")
    RETAIL = "302", _("Commercial building")
    TOURISM = "303", _("Tourism building")
    EDUCATION_HEALTH = "304", _("Education, culture and health building")
    TRANSPORT_BUILDING = "305", _("Transport building")
    TELECOM_BUILDING = "306", _("Telecommunication building")
    PUBLIC_SUPPORT = "307", _("Public building supporting works")
    MIXED_USE = "400", _("Mixed commercial-residential building")
    AGRICULTURAL = "500", _("Agricultural building")
    AGRICULTURAL_SUPPORT = "600", _("Agricultural building supporting works")
    INDUSTRIAL = "700", _("Industrial building")
    INDUSTRIAL_SUPPORT = "800", _("Industrial building supporting works")
    OTHER_BUILDING = "999", _("Other building use")
    WATER_SUPPLY = "010", _("Water supply")
    DRAINAGE = "011", _("Drainage")
    GAS = "012", _("Gas")
    HEATING = "013", _("Heating")
    ROAD = "014", _("Road")
    BRIDGE = "015", _("Bridge")
    LANDSCAPING = "016", _("Landscaping")
    SANITATION = "017", _("Environmental sanitation")
    PUBLIC_TRANSPORT = "018", _("Public transport")
    UTILITY_TUNNEL = "019", _("Utility tunnel")
    TUNNEL = "020", _("Tunnel")
    RAIL_TRANSIT = "021", _("Rail transit")
    OTHER_MUNICIPAL = "099", _("Other municipal use")


def functions_for_type(project_type: str) -> list[str]:
    """The 工程用途 codes allowed for a 项目分类 (the portal's dependent list and the submit check ask this)."""
    if project_type == ProjectType.BUILDING:
        return [c for c in ProjectFunction.values if c[0] != "0"]
    if project_type == ProjectType.MUNICIPAL:
        return [c for c in ProjectFunction.values if c[0] == "0"]
    return list(ProjectFunction.values)


class InvestmentNature(models.TextChoices):
    """TBINVPROPERTYDIC 工程投资性质."""

    DOMESTIC = "100", _("Domestic funds")
    GOVERNMENT = "101", _("Government fiscal investment")
    STATE_OWNED = "102", _("State-owned enterprise or institution investment")
    NON_STATE = "103", _("Non-state investment")
    FOREIGN = "200", _("Foreign funds")


class TenderClass(models.TextChoices):
    """TBTENDERCLASSDIC 招标类型."""

    SURVEY = "001", _("Survey tender")
    DESIGN = "002", _("Design tender")
    CONSTRUCTION = "003", _("Construction tender")
    SUPERVISION = "004", _("Supervision tender")
    EPC = "006", _("General contracting (EPC) tender")
    PROJECT_MANAGEMENT = "007", _("Project management tender")
    WHOLE_PROCESS = "010", _("Whole-process consulting tender")
    OTHER = "011", _("Other tender")


class TenderMethod(models.TextChoices):
    """TBTENDERTYPEDIC 招标方式."""

    OPEN = "001", _("Open tender")
    INVITED = "002", _("Invited tender")
    DIRECT = "003", _("Direct award")
    OTHER = "099", _("Other method")


class ContractType(models.TextChoices):
    """TBCONTRACTTYPEDIC 合同类别."""

    SURVEY = "100", _("Survey contract")
    DESIGN = "200", _("Design contract")
    CONSTRUCTION_GENERAL = "301", _("Construction general contract")
    CONSTRUCTION_SUB = "302", _("Construction subcontract")
    CONSTRUCTION_LABOUR = "303", _("Construction labour contract")
    SUPERVISION = "400", _("Supervision contract")
    EPC = "600", _("General contracting (EPC) contract")
    PROJECT_MANAGEMENT = "700", _("Project management contract")
    WHOLE_PROCESS = "800", _("Whole-process consulting contract")
    OTHER = "900", _("Other contract")


class CorpRole(models.TextChoices):
    """TBCORPROLEDIC 企业承担角色 (建设单位 is not a role: it lives on the project)."""

    SURVEY = "1", _("Survey enterprise")
    DESIGN = "2", _("Design enterprise")
    CONSTRUCTION = "3", _("Construction enterprise")
    SUPERVISION = "4", _("Supervision enterprise")
    EPC = "5", _("General contractor (EPC)")
    QUALITY_TESTING = "6", _("Quality testing agency")
    OTHER = "99", _("Other role")


class IdCardType(models.TextChoices):
    """TBIDCARDTYPEDIC 证件类型."""

    RESIDENT_ID = "1", _("Resident identity card")
    MILITARY = "2", _("Military officer card")
    PASSPORT = "3", _("Passport")
    TAIWAN = "4", _("Taiwan resident identity card")
    HONG_KONG = "5", _("Hong Kong permanent identity card")
    POLICE = "6", _("Police officer card")
    OTHER = "9", _("Other document")


class WorkDuty(models.TextChoices):
    """TBWORKDUTYDIC 勘察设计从业人员承担角色 (used for 审图 staff)."""

    PROJECT_LEADER = "001", _("Project leader")
    DISCIPLINE_LEADER = "002", _("Discipline leader")
    MAIN_DESIGNER = "003", _("Main designer")
    CENSOR_LEADER = "004", _("Drawing-review project leader")
    CENSOR_APPROVER = "005", _("Drawing-review approver")
    CENSOR_REVIEWER = "006", _("Drawing reviewer")


class PersonRole(models.TextChoices):
    """What a person did on the project (单位人员录入).

    National dictionaries overlap in their codes (TBWORKDUTYDIC 001 项目负责人, TBSUPERVISERROLEDIC 001 总监理工程师),
    so the stored value carries the dictionary as a prefix: WD = TBWORKDUTYDIC, SV = TBSUPERVISERROLEDIC,
    PM = 施工项目经理 (TBProjectCorpInfo.PersonName for a 施工企业). `national_code()` strips it for the push.
    """

    PROJECT_LEADER = "WD001", _("Project leader")
    DISCIPLINE_LEADER = "WD002", _("Discipline leader")
    MAIN_DESIGNER = "WD003", _("Main designer")
    CENSOR_LEADER = "WD004", _("Drawing-review project leader")
    CENSOR_APPROVER = "WD005", _("Drawing-review approver")
    CENSOR_REVIEWER = "WD006", _("Drawing reviewer")
    CHIEF_SUPERVISOR = "SV001", _("Chief supervising engineer")
    CHIEF_SUPERVISOR_DEPUTY = "SV002", _("Deputy chief supervising engineer")
    SUPERVISING_ENGINEER = "SV003", _("Discipline supervising engineer")
    SUPERVISOR = "SV004", _("Supervisor")
    SUPERVISION_OTHER = "SV009", _("Other supervision staff")
    PROJECT_MANAGER = "PM001", _("Construction project manager")

    @classmethod
    def national_code(cls, value: str) -> str:
        return value[2:]


class RegistrationType(models.TextChoices):
    """TBSPECIALTYTYPEDIC 注册类型及等级."""

    ARCHITECT_1 = "1", _("Class 1 registered architect")
    ARCHITECT_2 = "2", _("Class 2 registered architect")
    STRUCTURAL_1 = "11", _("Class 1 registered structural engineer")
    STRUCTURAL_2 = "12", _("Class 2 registered structural engineer")
    GEOTECHNICAL = "21", _("Registered civil engineer (geotechnical)")
    HVAC = "31", _("Registered utilities engineer (HVAC)")
    WATER = "32", _("Registered utilities engineer (water supply and drainage)")
    POWER_PLANT = "33", _("Registered utilities engineer (power)")
    ELECTRICAL_TRANSMISSION = "41", _("Registered electrical engineer (generation and transmission)")
    ELECTRICAL_DISTRIBUTION = "42", _("Registered electrical engineer (power supply and distribution)")
    CHEMICAL = "61", _("Registered chemical engineer")
    SUPERVISION = "71", _("Registered supervising engineer")
    CONSTRUCTOR_1 = "81", _("Class 1 registered constructor")
    CONSTRUCTOR_2 = "82", _("Class 2 registered constructor")
    CONSTRUCTOR_1_TEMP = "83", _("Class 1 registered constructor (temporary)")
    CONSTRUCTOR_2_TEMP = "84", _("Class 2 registered constructor (temporary)")
    COST_1 = "91", _("Class 1 cost engineer")
    COST_2 = "92", _("Class 2 cost engineer")


class TechTitleLevel(models.TextChoices):
    """TBUSERTECHTITLELEVELDIC 职称等级."""

    JUNIOR = "1", _("Junior title")
    INTERMEDIATE = "2", _("Intermediate title")
    SENIOR = "3", _("Senior title")
    PROFESSOR = "4", _("Professor-level senior title")


class CensorSpecialty(models.TextChoices):
    """TBCENSORSPECIALTYDIC 专业名称 (审图人员的专业)."""

    GEO_SURVEY = "01", _("Geotechnical investigation")
    GEO_DESIGN = "02", _("Geotechnical design")
    HYDROGEOLOGY = "03", _("Hydrogeology")
    SURVEYING = "04", _("Engineering surveying")
    GEOPHYSICS = "05", _("Engineering geophysics")
    GEO_TESTING = "06", _("Geotechnical testing")
    GEO_MONITORING = "07", _("Geotechnical monitoring")
    LAB = "08", _("Laboratory testing")
    ARCHITECTURE = "09", _("Architecture")
    STRUCTURE = "10", _("Structure")
    PLUMBING = "11", _("Water supply and drainage")
    HVAC = "12", _("HVAC")
    ELECTRICAL = "13", _("Electrical")
    PROTECTION = "14", _("Civil-defence protection")
    CHEMICAL_DEFENCE = "15", _("Chemical defence")
    COMMUNICATION = "16", _("Communication")
    POWER = "17", _("Power")
    AUTOMATION = "18", _("Automatic control")
    MECHANICAL = "19", _("Mechanical")
    SIGNALLING = "20", _("Communication and signalling")
    STATIONS = "21", _("Stations and yards")
    ROADS = "22", _("Roads")
    LINES = "23", _("Lines")
    BRIDGES = "24", _("Bridges")
    LANDSCAPE = "25", _("Landscape")
    ENVIRONMENT = "26", _("Environmental protection")
    ESTIMATES = "27", _("Budget estimates")
    ECONOMICS = "28", _("Engineering economics")
    OTHER = "99", _("Other specialty")


class StructureType(models.TextChoices):
    """TBPRJSTUCTURETYPEDIC 结构体系."""

    MASONRY = "001", _("Brick-concrete structure")
    BOTTOM_FRAME = "002", _("Bottom-frame structure")
    FRAME = "003", _("Frame structure")
    FRAME_SHEAR_WALL = "004", _("Frame-shear wall structure")
    SHEAR_WALL = "005", _("Shear wall structure")
    SLAB_COLUMN = "006", _("Slab-column shear wall structure")
    SHORT_LEG = "007", _("Short-leg shear wall structure")
    FRAME_SUPPORTED = "008", _("Partially frame-supported shear wall structure")
    FRAME_TUBE = "009", _("Frame-tube structure")
    TUBE_IN_TUBE = "010", _("Tube-in-tube structure")
    SPECIAL_COLUMN = "011", _("Special-shaped column frame structure")
    COMPLEX_HIGH_RISE = "012", _("Complex high-rise structure")
    MIXED = "013", _("Mixed structure")
    STEEL = "014", _("Steel structure")
    BENT = "015", _("Bent structure")
    TIMBER = "016", _("Timber structure")
    OTHER = "099", _("Other structure")


class ProjectLevel(models.TextChoices):
    """TBPRJLEVELDIC 工程等级."""

    GRADE_A = "201", _("Grade A (甲级)")
    GRADE_B = "202", _("Grade B (乙级)")
    GRADE_C = "203", _("Grade C (丙级)")
    SPECIAL = "310", _("Special class")
    CLASS_1 = "311", _("Class 1")
    CLASS_2 = "312", _("Class 2")
    CLASS_3 = "313", _("Class 3")
    LARGE = "321", _("Large")
    MEDIUM = "322", _("Medium")
    SMALL = "323", _("Small")


class SeismicIntensity(models.TextChoices):
    """TBSEISMICINTENSITYSCALEDIC 抗震设防烈度."""

    NONE = "001", _("No seismic fortification")
    DEGREE_6 = "002", _("Intensity 6")
    DEGREE_7 = "003", _("Intensity 7")
    DEGREE_8 = "004", _("Intensity 8")
    DEGREE_9 = "005", _("Intensity 9")


class GreenBuildingLevel(models.TextChoices):
    """TBGREENBUILDINGLEVELDIC 绿色建筑等级."""

    ONE_STAR = "001", _("One star")
    TWO_STARS = "002", _("Two stars")
    THREE_STARS = "003", _("Three stars")


class DataSource(models.IntegerChoices):
    """TBDATASOURCEDIC 数据来源."""

    BUSINESS = 1, _("Business handling")
    REGISTRATION = 2, _("Information registration")
    BACKFILL = 3, _("Historical performance backfill")
    EXCHANGE = 4, _("Shared exchange")


class DataLevel(models.TextChoices):
    """TBDATALEVELDIC 数据分级: the level of the authority that confirmed the stage record."""

    A = "A", _("A: confirmed by the provincial authority")
    B = "B", _("B: confirmed by a city authority")
    C = "C", _("C: confirmed by a county authority")
    D = "D", _("D: entered by the enterprise, not reviewed")
