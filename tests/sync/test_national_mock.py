"""The mock national platform on its own: its reading of the standard, its validation, idempotence by RowGuid,
its faults, its independence from our code."""

from __future__ import annotations

import ast
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from national_mock import build_standard
from national_mock.validate import check_row, fields_of, id_card_ok, standard, uscc_ok

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT.parent / "shared" / "research" / "national-standard-2018-tables.txt"


def test_the_mock_imports_nothing_of_ours():
    ours = {"accounts", "projects", "grading", "review", "sync", "portal", "config", "devtools", "django"}
    for path in (ROOT / "national_mock").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not {n.split(".")[0] for n in names} & ours, f"{path.name} imports {names}"


@pytest.mark.skipif(not SOURCE.exists(), reason="the research extract is not beside the project")
def test_standard_json_is_what_the_builder_makes_of_the_standards_tables():
    assert build_standard.parse(SOURCE.read_text(encoding="utf-8")) == json.loads(
        (ROOT / "national_mock" / "standard.json").read_text(encoding="utf-8")
    )


def test_the_mocks_reading_of_the_standard():
    tables = standard()["tables"]
    mandatory = [f["code"] for f in tables["TBProjectInfo"]["fields"] if f["constraint"] == "M"]
    assert {"PrjNum", "PrjName", "BuildCorpCode", "AllInvest", "CheckDepartName", "DataLevel"} <= set(mandatory)
    assert fields_of("TBProjectInfo")["PrjName"]["length"] == 250
    codes = standard()["dictionaries"]
    assert {"101", "105", "307", "010", "099"} <= set(codes["TBPRJFUNCTIONDIC"]["codes"])  # the starred codes too
    assert set(codes["TBCORPROLEDIC"]["codes"]) == {"1", "2", "3", "4", "5", "6", "99"}
    assert set(codes["TBDATALEVELDIC"]["codes"]) == {"A", "B", "C", "D"}
    assert fields_of("TBContractRecordManage")["ContractNum"]["constraint"] == "O"  # the extract's "0"


def test_lengths_are_bytes_of_gbk_and_codes_come_from_the_dictionaries():
    row = {"PrjNum": "4501032017112001", "UnitCode": "4501032017112001-001", "SubPrjName": "桂" * 101}
    problems = check_row("TBUnitProjectInfo", row)
    assert any("单体建（构）筑物名称（SubPrjName）超过200字节（GBK编码，收到202字节）" in p for p in problems)
    assert any("工程总造价（万元）（Invest）为必填项" in p for p in problems)
    assert check_row("TBTenderInfo", {"TenderClassNum": "005"})  # 2014's 设计施工一体化 is gone in 2018
    assert any("未参照引用自字典表TBTENDERCLASSDIC" in p for p in check_row("TBTenderInfo", {"TenderClassNum": "005"}))
    assert uscc_ok("91110108551385082Q") and not uscc_ok("91110108551385082R")
    assert id_card_ok("11010519491231002X") and not id_card_ok("110105194912310021")


def save(mock, table: str, rows: list[dict], *, user="yeji", password="yeji-national-demo") -> tuple[int, str]:
    body = [f"<user>{user}</user><password>{password}</password><tableName>{table}</tableName><body>"]
    for row in rows:
        body.append("<data>" + "".join(f"<{k}>{v}</{k}>" for k, v in row.items()) + "</data>")
    xml = '<?xml version="1.0" encoding="GBK"?><SaveStData>' + "".join(body) + "</body></SaveStData>"
    request = urllib.request.Request(mock.url + "/services/SaveStData", data=xml.encode("gbk"), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("gbk")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("gbk")


PROJECT = {
    "prjNum": "4501032014120101",
    "prjName": "测试工程",
    "prjTypeNum": "01",
    "provinceNum": "450000",
    "cityNum": "450100",
    "countyNum": "450103",
    "address": "南宁市青秀区",
    "prjApprovalDepart": "青秀区发展和改革局",
    "prjApprovalDate": "2014-12-01",
    "buildCorpName": "某建设单位",
    "buildCorpCode": "其它",
    "invPropertyNum": "101",
    "allInvest": "1200.5",
    "prjPropertyNum": "001",
    "prjFunctionNum": "304",
    "isMajor": "0",
    "checkDepartName": "南宁市青秀区住房和城乡建设局建筑市场监管股",
    "checkPersonName": "韦宏亮",
    "dataSource": "3",
    "dataLevel": "C",
}


def test_rows_are_idempotent_by_row_guid_and_a_new_version_replaces_the_old(national):
    status, reply = save(national, "TBProjectInfo", [{"rowGuid": "prj-1:v1", **PROJECT}])
    assert status == 200 and "<success>1</success><nationalNum>4501032014120101</nationalNum>" in reply
    save(national, "TBProjectInfo", [{"rowGuid": "prj-1:v1", **PROJECT}])  # again: a duplicate, nothing written
    (row,) = national.rows("TBProjectInfo")
    assert (row["version"], row["receipts"], row["writes"]) == (1, 2, 1)
    save(national, "TBProjectInfo", [{"rowGuid": "prj-1:v2", **PROJECT, "prjName": "测试工程（更正）"}])
    (row,) = national.rows("TBProjectInfo")
    assert (row["version"], row["writes"]) == (2, 2)
    assert national.detail("4501032014120101")["data"]["PRJNAME"] == "测试工程（更正）"
    status, reply = save(national, "TBProjectInfo", [{"rowGuid": "prj-1:v1", **PROJECT}])
    assert "已有更新的版本（v2）" in reply


def test_a_row_referring_to_a_project_it_never_received_is_rejected(national):
    tender = {"rowGuid": "tender-1:v1", "tenderNum": "ZB-1", "prjNum": "4501032014120199", "tenderPrjName": "x"}
    _status, reply = save(national, "TBTenderInfo", [tender])
    assert "项目编号（PrjNum）“4501032014120199”未在全国平台登记，请先推送TBProjectInfo" not in reply  # M first
    complete = {
        **tender,
        "tenderClassNum": "002",
        "tenderTypeNum": "001",
        "tenderResultDate": "2015-01-10",
        "tenderMoney": "30",
        "area": "100",
        "agencyCorpName": "代理",
        "agencyCorpCode": "其它",
        "tenderCorpName": "设计院",
        "tenderCorpCode": "91110108551385082Q",
        "iDCardTypeNum": "1",
        "createDate": "2017-12-20",
        "checkDepartName": "部门",
        "checkPersonName": "审核人",
        "dataSource": "3",
        "dataLevel": "C",
    }
    _status, reply = save(national, "TBTenderInfo", [complete])
    assert "未在全国平台登记，请先推送TBProjectInfo" in reply


@pytest.mark.parametrize(
    ("faults", "status", "words"),
    [
        ({"refuse_credentials": True}, 401, "接口用户名或密码错误"),
        ({"maintenance": True}, 503, "系统维护中"),
        ({"error_rate": 1.0}, 500, "服务器内部错误"),
        ({"burst": 2}, 500, "连续故障"),
    ],
)
def test_faults(national, faults, status, words):
    national.faults(**faults)
    got, reply = save(national, "TBProjectInfo", [{"rowGuid": "prj-1:v1", **PROJECT}])
    assert got == status and words in reply
    assert national.rows() == []  # nothing stored


def test_wrong_credentials_are_refused(national):
    status, reply = save(national, "TBProjectInfo", [{"rowGuid": "prj-1:v1", **PROJECT}], password="guess")
    assert status == 401 and "接口用户名或密码错误" in reply


def test_the_control_endpoint_needs_its_token(national):
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(national.url + "/_control/rows", timeout=10)
    assert info.value.code == 404
