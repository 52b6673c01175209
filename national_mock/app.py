"""The mock national platform's HTTP side (WSGI).

- `POST /services/SaveStData` — a province pushes the rows of one national table: an XML document in GBK,
  `<SaveStData><user/><password/><tableName/><body><data>…</data>…</body></SaveStData>`, one `<data>` per row with
  the standard's field codes in camelCase and `<rowGuid>` (the province's row key, `key:vN` for its version). The
  reply is `<ServiceResult>` in GBK: the call's `<success>`/`<message>`, then one `<row>` per row: accepted (with the
  national number kept) or rejected (with the reasons in Chinese). The same row again is acknowledged as a
  duplicate and changes nothing; a higher version replaces the row under the same national number.
- `POST /services/SaveStData` with tableName `TBFalseProjectMark` marks a project's record false (虚假项目).
- `GET /APi/webApi/dataservice/query/project/projectDetail?prjnum=…` and the per-stage lists (`tenderInfo`,
  `builderLicenceManage`, …), UPPERCASE keys as jzsc answers them, DATALEVEL and DATASOURCE on every stage.
- `GET /healthz`.
- `/_control/…` — faults, counts and reset, for tests only: answered only when NATIONAL_MOCK_CONTROL_TOKEN is set
  and the request carries it (X-Control-Token).

Faults (NATIONAL_MOCK_FAULTS, JSON, or POST /_control/faults): error_rate (500 before anything is stored),
burst (the next N calls 500), latency_ms, timeout_rate (an answer after timeout_seconds, nothing stored),
lost_reply_rate (the rows are stored, then the connection is cut), duplicate_ack_rate (every row acknowledged
twice), malformed_rate (a cut-off reply after storing), refuse_credentials, maintenance (503 with Retry-After);
pattern: a list of "ok", "error", "timeout", "lost_reply", "duplicate_ack", "malformed" applied to the calls in
turn instead of the rates (a deterministic fault mix for tests).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import socket
import time
from urllib.parse import parse_qs
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from . import store
from .validate import FALSE_MARK_FIELDS, FALSE_MARK_TABLE, TABLES, check_row, code_of, fields_of, tag

MAX_BODY = 20 * 1024 * 1024
#: the national record number's stage code (PrjNum-XX-NNN) where the standard's examples show one
STAGE_CODES = {
    "TBProjectCensorInfo": "TX",
    "TBBuilderLicenceManage": "SX",
    "TBProjectFinishCheckInfo": "JY",
    "TBProjectFinishManage": "JX",
}
#: each table's own number (what the province calls the row)
NATURAL = {
    "TBProjectInfo": ("PrjNum",),
    "TBUnitProjectInfo": ("UnitCode",),
    "TBProjectCorpInfo": ("UnitCode", "CorpRoleNum", "CorpCode"),
    "TBTenderInfo": ("TenderNum",),
    "TBContractRecordManage": ("RecordNum",),
    "TBProjectCensorInfo": ("CensorNum",),
    "TBProjectDesignEconUserInfo": ("CensorNum", "IDCard", "PrjDuty"),
    "TBBuilderLicenceManage": ("BuilderLicenceNum",),
    "TBProjectFinishCheckInfo": ("PrjFinishCheckNum",),
    "TBProjectFinishManage": ("PrjFinishNum",),
}
QUERY_ENDPOINTS = {
    "projectUnitEngineering": "TBUnitProjectInfo",
    "projectCorpInfo": "TBProjectCorpInfo",
    "tenderInfo": "TBTenderInfo",
    "contractRecordManage": "TBContractRecordManage",
    "projectCensorInfo": "TBProjectCensorInfo",
    "projectDesignEconUserInfo": "TBProjectDesignEconUserInfo",
    "builderLicenceManage": "TBBuilderLicenceManage",
    "projectFinishCheckInfo": "TBProjectFinishCheckInfo",
    "projectFinishManage": "TBProjectFinishManage",
}
QUERY_PREFIX = "/APi/webApi/dataservice/query/project/"
FAULT_KEYS = {
    "error_rate": float,
    "burst": int,
    "latency_ms": int,
    "timeout_rate": float,
    "timeout_seconds": float,
    "lost_reply_rate": float,
    "duplicate_ack_rate": float,
    "malformed_rate": float,
    "refuse_credentials": bool,
    "maintenance": bool,
    "pattern": list,
}
PATTERN_FAULTS = {"ok", "error", "timeout", "lost_reply", "duplicate_ack", "malformed"}


def accounts() -> dict[str, str]:
    raw = os.environ.get("NATIONAL_MOCK_ACCOUNTS", "yeji:yeji-national-demo")
    pairs = (item.split(":", 1) for item in raw.split(",") if ":" in item)
    return {user.strip(): password.strip() for user, password in pairs}


def faults() -> dict:
    configured = store.get_setting("faults")
    if configured is None:
        configured = json.loads(os.environ.get("NATIONAL_MOCK_FAULTS") or "{}")
    return configured


# -- replies -------------------------------------------------------------------------------------------------------


def _xml(status: str, body: str, extra_headers=()):
    data = ('<?xml version="1.0" encoding="GBK"?>\n' + body).encode("gbk", errors="xmlcharrefreplace")
    headers = [("Content-Type", "text/xml; charset=GBK"), ("Content-Length", str(len(data))), *extra_headers]
    return status, headers, [data]


def _result(success: bool, message: str, rows_xml: str = "") -> str:
    return (
        f"<ServiceResult><success>{int(success)}</success><message>{escape(message)}</message>"
        f"<rows>{rows_xml}</rows></ServiceResult>"
    )


def _json(status: str, payload) -> tuple:
    data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    return status, [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))], [data]


def _row_xml(guid: str, ok: bool, national: str = "", duplicate: bool = False, messages=()) -> str:
    text = "；".join(messages)
    return (
        f"<row><rowGuid>{escape(guid)}</rowGuid><success>{int(ok)}</success>"
        f"<nationalNum>{escape(national)}</nationalNum><duplicate>{int(duplicate)}</duplicate>"
        f"<message>{escape(text)}</message></row>"
    )


# -- the push --------------------------------------------------------------------------------------------------------


class BadRequest(Exception):
    pass


def _parse(raw: bytes) -> tuple[str, str, str, list[dict[str, str]]]:
    try:
        text = raw.decode("gbk")
    except UnicodeDecodeError as exc:
        raise BadRequest("报文不是GBK编码") from exc
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise BadRequest("报文不得包含DOCTYPE或实体声明")
    if text.startswith("<?xml"):
        text = text[text.find("?>") + 2 :]
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise BadRequest(f"报文不是有效的XML：{exc}") from exc
    user = (root.findtext("user") or "").strip()
    password = (root.findtext("password") or "").strip()
    table = (root.findtext("tableName") or "").strip()
    body = root.find("body")
    rows = []
    for data in body.findall("data") if body is not None else []:
        rows.append({child.tag: (child.text or "").strip() for child in data})
    return user, password, table, rows


def _split_guid(guid: str) -> tuple[str, int]:
    key, sep, version = guid.rpartition(":v")
    if sep and version.isdigit():
        return key, int(version)
    return guid, 1


def _store_rows(conn, account: str, table: str, rows: list[dict[str, str]]) -> tuple[list[str], dict]:
    """Validate and keep each row; returns the reply's <row> elements and the counts."""
    out, counts = [], {"accepted": 0, "rejected": 0, "duplicates": 0}
    now = time.time()
    for raw in rows:
        guid = raw.pop("rowGuid", "")
        if not guid:
            out.append(_row_xml("", False, messages=["缺少rowGuid（地方数据主键）"]))
            counts["rejected"] += 1
            continue
        values, problems = {}, []
        for name, value in raw.items():
            code = code_of(table, name)
            if code is None:
                problems.append(f"未知字段“{name[:40]}”：表{table}无此字段")
            else:
                values[code] = value
        problems += check_row(table, values)
        prj = values.get("PrjNum", "")
        if not problems and table != "TBProjectInfo":
            if not conn.execute(
                "SELECT 1 FROM rows WHERE account = ? AND table_name = 'TBProjectInfo' AND prj_num = ?", (account, prj)
            ).fetchone():
                problems.append(f"项目编号（PrjNum）“{prj}”未在全国平台登记，请先推送TBProjectInfo")
        if not problems and table == "TBProjectCorpInfo":
            if not conn.execute(
                "SELECT 1 FROM rows WHERE account = ? AND table_name = 'TBUnitProjectInfo' AND natural_num = ?",
                (account, values["UnitCode"]),
            ).fetchone():
                problems.append(
                    f"单体编码（UnitCode）“{values['UnitCode']}”未在全国平台登记，请先推送TBUnitProjectInfo"
                )
        if not problems and table == "TBProjectDesignEconUserInfo":
            if not conn.execute(
                "SELECT 1 FROM rows WHERE account = ? AND table_name = 'TBProjectCensorInfo' AND natural_num = ?",
                (account, values["CensorNum"]),
            ).fetchone():
                problems.append(f"施工图审查合格书编号（CensorNum）“{values['CensorNum']}”未在全国平台登记")
        key, version = _split_guid(guid)
        natural = "/".join(values.get(c, "") for c in NATURAL[table])
        existing = conn.execute(
            "SELECT version, national_id FROM rows WHERE account = ? AND table_name = ? AND row_id = ?",
            (account, table, key),
        ).fetchone()
        if not problems and table == "TBProjectInfo":
            other = conn.execute(
                "SELECT row_id FROM rows WHERE table_name = 'TBProjectInfo' AND natural_num = ? AND "
                "NOT (account = ? AND row_id = ?)",
                (natural, account, key),
            ).fetchone()
            if other:
                problems.append(f"项目编号（PrjNum）“{prj}”已由其他记录登记")
        if not problems and existing is not None and version < existing["version"]:
            problems.append(f"该行已有更新的版本（v{existing['version']}），本次版本v{version}不予接收")
        if problems:
            out.append(_row_xml(guid, False, messages=problems))
            counts["rejected"] += 1
            continue
        data = json.dumps(values, ensure_ascii=False, sort_keys=True)
        if existing is not None and version == existing["version"]:
            conn.execute(
                "UPDATE rows SET receipts = receipts + 1 WHERE account = ? AND table_name = ? AND row_id = ?",
                (account, table, key),
            )
            out.append(_row_xml(guid, True, existing["national_id"], duplicate=True))
            counts["accepted"] += 1
            counts["duplicates"] += 1
            continue
        if existing is not None:
            national = existing["national_id"]
            conn.execute(
                "UPDATE rows SET version = ?, prj_num = ?, natural_num = ?, data = ?, receipts = receipts + 1, "
                "writes = writes + 1, updated_at = ? WHERE account = ? AND table_name = ? AND row_id = ?",
                (version, prj, natural, data, now, account, table, key),
            )
        else:
            if table in STAGE_CODES:
                seq = store.next_sequence(conn, prj, STAGE_CODES[table])
                national = f"{prj}-{STAGE_CODES[table]}-{seq:03d}"
            elif table in ("TBProjectCorpInfo", "TBProjectDesignEconUserInfo"):
                national = f"{prj}-{store.next_sequence(conn, prj, table):03d}"
            else:
                national = natural
            conn.execute(
                "INSERT INTO rows (account, table_name, row_id, version, prj_num, natural_num, national_id, data, "
                "received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (account, table, key, version, prj, natural, national, data, now, now),
            )
        out.append(_row_xml(guid, True, national))
        counts["accepted"] += 1
    return out, counts


def _store_marks(conn, account: str, rows: list[dict[str, str]]) -> tuple[list[str], dict]:
    out, counts = [], {"accepted": 0, "rejected": 0, "duplicates": 0}
    lowered = {tag(k).lower(): k for k in FALSE_MARK_FIELDS}
    for raw in rows:
        guid = raw.pop("rowGuid", "")
        values = {lowered.get(k.lower(), k): v for k, v in raw.items()}
        problems = [f"{k}为必填项" for k, required in FALSE_MARK_FIELDS.items() if required and not values.get(k)]
        if guid == "":
            problems.append("缺少rowGuid（地方数据主键）")
        prj = values.get("PrjNum", "")
        if (
            not problems
            and not conn.execute(
                "SELECT 1 FROM rows WHERE account = ? AND table_name = 'TBProjectInfo' AND prj_num = ?", (account, prj)
            ).fetchone()
        ):
            problems.append(f"项目编号（PrjNum）“{prj}”未在全国平台登记")
        if problems:
            out.append(_row_xml(guid, False, messages=problems))
            counts["rejected"] += 1
            continue
        cur = conn.execute(
            "INSERT INTO false_marks (account, row_id, prj_num, corp_code, corp_name, reason, mark_date) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, row_id) DO UPDATE SET receipts = receipts + 1 "
            "RETURNING receipts",
            (account, guid, prj, values["CorpCode"], values.get("CorpName", ""), values["Reason"], values["MarkDate"]),
        )
        duplicate = cur.fetchone()["receipts"] > 1
        counts["accepted"] += 1
        counts["duplicates"] += int(duplicate)
        out.append(_row_xml(guid, True, prj, duplicate=duplicate))
    return out, counts


def _cut_connection(environ) -> None:
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _next_in_pattern(pattern: list[str]) -> str:
    """The fault of this call when a pattern is set: its entries in turn, one per call, across the workers."""
    with store.write() as conn:
        row = conn.execute("SELECT value FROM settings WHERE key = 'pattern_index'").fetchone()
        index = int(row["value"]) if row else 0
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('pattern_index', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(index + 1),),
        )
    return pattern[index % len(pattern)]


def _chance(f: dict, name: str, planned: str | None) -> bool:
    if planned is not None:
        return planned == name
    return random.random() < float(f.get(f"{name}_rate", 0))


def save(environ):
    f = faults()
    planned = _next_in_pattern(f["pattern"]) if f.get("pattern") else None
    if f.get("maintenance"):
        return _xml(
            "503 Service Unavailable", _result(False, "全国平台系统维护中，请稍后再试"), [("Retry-After", "60")]
        )
    if f.get("latency_ms"):
        time.sleep(int(f["latency_ms"]) / 1000)
    burst = int(store.get_setting("burst_left", f.get("burst", 0)) or 0)
    if burst > 0:
        store.set_setting("burst_left", burst - 1)
        return _xml("500 Internal Server Error", _result(False, "服务器内部错误（连续故障）"))
    if _chance(f, "error", planned):
        return _xml("500 Internal Server Error", _result(False, "服务器内部错误"))
    if _chance(f, "timeout", planned):
        time.sleep(float(f.get("timeout_seconds", 30)))
        return _xml("504 Gateway Timeout", _result(False, "处理超时"))
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        return _xml("413 Request Entity Too Large", _result(False, "报文过大"))
    raw = environ["wsgi.input"].read(length) if length else b""
    try:
        user, password, table, rows = _parse(raw)
    except BadRequest as exc:
        return _xml("400 Bad Request", _result(False, str(exc)))
    if f.get("refuse_credentials") or accounts().get(user) != password or not user:
        return _xml("401 Unauthorized", _result(False, "接口用户名或密码错误"))
    if table != FALSE_MARK_TABLE and table not in TABLES:
        return _xml("400 Bad Request", _result(False, f"不支持的表名“{table[:60]}”"))
    fault = ""
    with store.write() as conn:
        if table == FALSE_MARK_TABLE:
            out, counts = _store_marks(conn, user, rows)
        else:
            out, counts = _store_rows(conn, user, table, rows)
        if _chance(f, "lost_reply", planned):
            fault = "lost_reply"
        elif _chance(f, "malformed", planned):
            fault = "malformed"
        elif _chance(f, "duplicate_ack", planned):
            fault = "duplicate_ack"
        store.log_call(
            conn, user, table, len(rows), counts["accepted"], counts["rejected"], counts["duplicates"], fault
        )
    if fault == "lost_reply":
        _cut_connection(environ)
        time.sleep(float(f.get("timeout_seconds", 30)) if "gunicorn.socket" not in environ else 0)
        return "500 Internal Server Error", [("Content-Length", "0")], [b""]
    if fault == "duplicate_ack":
        out = [x for row in out for x in (row, row)]
    message = f"共{len(rows)}条：接收{counts['accepted']}条，退回{counts['rejected']}条"
    status, headers, body = _xml("200 OK", _result(True, message, "".join(out)))
    if fault == "malformed":
        body = [body[0][: len(body[0]) // 2]]
        headers = [(k, str(len(body[0])) if k == "Content-Length" else v) for k, v in headers]
    return status, headers, body


# -- read-back (jzsc style) ------------------------------------------------------------------------------------------


def _jz_value(field_type: str, value: str):
    if value == "":
        return None
    if field_type in ("date", "datetime"):
        try:
            day = dt.datetime.fromisoformat(value).replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
        except ValueError:
            return value
        return int(day.timestamp() * 1000)  # jzsc gives dates as epoch milliseconds
    return value


def _jz_row(table: str, row) -> dict:
    fields = fields_of(table)
    data = json.loads(row["data"])
    out = {code.upper(): _jz_value(fields[code]["type"], value) for code, value in data.items()}
    out["NATIONALNUM"] = row["national_id"]
    out["ROWGUID"] = f"{row['row_id']}:v{row['version']}"
    out["VERSION"] = row["version"]
    return out


def query(path: str, params: dict[str, str]):
    endpoint = path[len(QUERY_PREFIX) :].strip("/")
    prj = params.get("prjnum", "")
    conn = store.connection()
    if endpoint == "projectDetail":
        row = conn.execute("SELECT * FROM rows WHERE table_name = 'TBProjectInfo' AND prj_num = ?", (prj,)).fetchone()
        if row is None:
            return _json("200 OK", {"code": 404, "message": "未找到该项目", "data": None})
        detail = _jz_row("TBProjectInfo", row)
        marks = conn.execute("SELECT * FROM false_marks WHERE prj_num = ? ORDER BY mark_date", (prj,)).fetchall()
        detail["ISFALSE"] = 1 if marks else 0
        detail["FALSEMARKS"] = [
            {"CORPCODE": m["corp_code"], "CORPNAME": m["corp_name"], "REASON": m["reason"], "MARKDATE": m["mark_date"]}
            for m in marks
        ]
        for name, table in QUERY_ENDPOINTS.items():
            rows = conn.execute(
                "SELECT * FROM rows WHERE table_name = ? AND prj_num = ? ORDER BY received_at, row_id", (table, prj)
            ).fetchall()
            detail[name] = [_jz_row(table, r) for r in rows]
        return _json("200 OK", {"code": 200, "message": "", "data": detail})
    table = QUERY_ENDPOINTS.get(endpoint)
    if table is None:
        return _json("404 Not Found", {"code": 404, "message": f"未知接口“{endpoint[:60]}”", "data": None})
    rows = conn.execute(
        "SELECT * FROM rows WHERE table_name = ? AND prj_num = ? ORDER BY received_at, row_id", (table, prj)
    ).fetchall()
    return _json(
        "200 OK", {"code": 200, "message": "", "data": {"list": [_jz_row(table, r) for r in rows], "total": len(rows)}}
    )


# -- control (tests only) -----------------------------------------------------------------------------------------


def control(environ, path: str, params: dict[str, str]):
    token = os.environ.get("NATIONAL_MOCK_CONTROL_TOKEN", "")
    if not token or environ.get("HTTP_X_CONTROL_TOKEN", "") != token:
        return _json("404 Not Found", {"code": 404, "message": "未找到"})
    action = path[len("/_control/") :].strip("/")
    method = environ["REQUEST_METHOD"]
    conn = store.connection()
    if action == "faults" and method == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        unknown = set(body) - set(FAULT_KEYS)
        if unknown:
            return _json("400 Bad Request", {"code": 400, "message": f"unknown faults: {sorted(unknown)}"})
        configured = {k: FAULT_KEYS[k](v) for k, v in body.items()}
        if set(configured.get("pattern", [])) - PATTERN_FAULTS:
            return _json("400 Bad Request", {"code": 400, "message": f"pattern entries: {sorted(PATTERN_FAULTS)}"})
        store.set_setting("pattern_index", 0)
        store.set_setting("faults", configured)
        store.set_setting("burst_left", configured.get("burst", 0))
        return _json("200 OK", {"code": 200, "faults": configured})
    if action == "faults":
        return _json("200 OK", {"code": 200, "faults": faults()})
    if action == "reset" and method == "POST":
        store.reset()
        return _json("200 OK", {"code": 200})
    if action == "rows":
        table = params.get("table")
        sql = "SELECT account, table_name, row_id, version, prj_num, national_id, receipts, writes FROM rows"
        rows = conn.execute(sql + (" WHERE table_name = ?" if table else ""), (table,) if table else ()).fetchall()
        marks = conn.execute("SELECT row_id, prj_num, corp_code, receipts FROM false_marks").fetchall()
        return _json("200 OK", {"code": 200, "rows": [dict(r) for r in rows], "false_marks": [dict(m) for m in marks]})
    if action == "calls":
        rows = conn.execute(
            "SELECT fault, COUNT(*) AS calls, SUM(rows) AS rows, SUM(accepted) AS accepted, SUM(rejected) AS rejected, "
            "SUM(duplicates) AS duplicates FROM calls GROUP BY fault"
        ).fetchall()
        return _json("200 OK", {"code": 200, "calls": [dict(r) for r in rows]})
    return _json("404 Not Found", {"code": 404, "message": "未找到"})


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    params = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    method = environ.get("REQUEST_METHOD", "GET")
    try:
        if path == "/healthz":
            store.connection().execute("SELECT 1")
            status, headers, body = _json("200 OK", {"status": "ok", "service": "national_mock"})
        elif path == "/services/SaveStData":
            if method != "POST":
                status, headers, body = _xml("405 Method Not Allowed", _result(False, "请使用POST"))
            else:
                status, headers, body = save(environ)
        elif path.startswith(QUERY_PREFIX) and method == "GET":
            status, headers, body = query(path, params)
        elif path.startswith("/_control/"):
            status, headers, body = control(environ, path, params)
        else:
            status, headers, body = _json("404 Not Found", {"code": 404, "message": "未找到"})
    except Exception as exc:  # the mock answers, as a real service would, with its own 500
        status, headers, body = _json(
            "500 Internal Server Error", {"code": 500, "message": f"{type(exc).__name__}: {exc}"}
        )
    start_response(status, headers)
    return body
