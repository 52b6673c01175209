"""The file layer of every import (issue 13): an upload in, a `Book` of text cells out, or `FileRefused` with a
Chinese message saying what is wrong with the file and what to do.

What is checked, in this order, before the file is read row by row:
1. its size (`settings.IMPORT_MAX_BYTES`) and that it is not empty;
2. what it is, by its first bytes, never by its name: an XLSX is a ZIP with `xl/workbook.xml`; a ZIP without it
   whose members are CSV files is one CSV per sheet (the records export's CSV: 业绩.csv, 单体.csv …); an old .xls (or
   an encrypted workbook: both are OLE2 files) is refused with the advice to save it as .xlsx; anything else is read
   as CSV text;
3. an XLSX's ZIP directory, before openpyxl opens it: the members' uncompressed sizes added up
   (`IMPORT_MAX_UNCOMPRESSED_BYTES`) and each member's compression ratio (`IMPORT_MAX_RATIO`), so a "zip bomb"
   is refused without being inflated; then each sheet's rows and columns (`IMPORT_MAX_ROWS`, `IMPORT_MAX_COLUMNS`),
   from its dimension and again while reading;
   A ZIP of CSV files is checked the same way from its directory — how many files (`MAX_ZIP_FILES`), each
   named after its sheet at the top of the ZIP (no folder, no "..": refused naming them), each file's unpacked size
   (`IMPORT_MAX_BYTES`, as a CSV uploaded alone) and ratio, the sum — and each file is read no further than its limit
   whatever the directory claims;
4. a CSV's encoding (alone or in a ZIP, each file on its own): UTF-8 (with or without BOM), then GB18030 (which
   covers GBK and GB2312), each strictly; a file neither decodes, or whose header comes out garbled, is refused —
   never guessed into mojibake;
5. the header row of each sheet against the importer's `Sheet`: red-star (required) columns present, no unknown
   column, no header twice (a trailing "*" or "＊" and spaces around a header are ignored);
6. the rows: none at all, exact duplicates, or duplicate keys (`Sheet.keys`) refuse the file.

Cells come out as book.py says: stripped text or None, dates as YYYY-MM-DD, whole numbers without ".0", long
numbers never in exponent form, formulas as their computed values (read_only, data_only).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from config.spreadsheet import unguard

from .book import Book, Problem, Sheet, Table

MB = 1024 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
#: at most this many duplicate or header problems are listed in a refusal (the report keeps them all)
LISTED = 20
#: the column of reasons the error file of "import the correct rows only" adds: ignored when that file, corrected,
#: is imported again
ERROR_COLUMN = "错误原因"


class FileRefused(Exception):
    """The file as a whole cannot be imported; nothing was read into the database. `message` is for the user
    (Chinese); `problems` the same reasons by sheet, row and column (row 0: the whole sheet)."""

    def __init__(self, message, *, problems: list[Problem] | None = None, code: str = "") -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.problems = problems or [Problem("", 0, "", self.message)]

    def __str__(self) -> str:
        return self.message


def limit(name: str) -> int:
    defaults = {
        "IMPORT_MAX_BYTES": 20 * MB,
        "IMPORT_MAX_UNCOMPRESSED_BYTES": 200 * MB,
        "IMPORT_MAX_RATIO": 100,
        "IMPORT_MAX_ROWS": 300_000,
        "IMPORT_MAX_COLUMNS": 200,
        "IMPORT_MAX_OPEN_JOBS": 3,  # a user's jobs queued or running at once (transfer.jobs.start_import)
    }
    return int(getattr(settings, name, defaults[name]))


def _mb(size: int) -> str:
    return f"{size / MB:.1f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------------------------------------------
# cells
# --------------------------------------------------------------------------------------------------------------


def cell_text(value) -> str | None:
    """One spreadsheet value as the text book.py promises."""
    if value is None:
        return None
    if isinstance(value, str):
        text = unguard(value.strip())
        return text or None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        if value.is_integer():
            return str(int(value))
        return _plain_decimal(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return _plain_decimal(value)
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    text = str(value).strip()
    return text or None


def _plain_decimal(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# --------------------------------------------------------------------------------------------------------------
# headers
# --------------------------------------------------------------------------------------------------------------


def header_key(text) -> str:
    """A header as written, without the red star (* or ＊) templates put after it and without spaces around it;
    line breaks and full-width spaces inside are dropped too."""
    text = "" if text is None else str(text)
    text = text.replace("\u3000", " ").replace("\r", "").replace("\n", "").strip()
    text = text.strip("*＊").strip()
    return text


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


_GARBLE_RE = re.compile("[\u0080-\u024f\u2500-\u257f\ue000-\uf8ff\uff61-\uff9f\ufffd\u3400-\u4dbf]")


def _looks_garbled(text: str) -> bool:
    """Text a wrong decoding gives: Latin letters with accents, box drawing, private-use, half-width katakana,
    the replacement character, rare CJK of extension A — none of which a header of ours contains."""
    return bool(_GARBLE_RE.search(text))


def _match_headers(sheet: Sheet, raw: list, *, decoded: str = "") -> list[tuple[int, str]]:
    """[(index in the row, our header)] of the columns of `raw`, or FileRefused naming every header problem."""
    known = {header_key(column.header): column.header for column in sheet.columns}
    matched: list[tuple[int, str]] = []
    seen: dict[str, list[int]] = {}
    unknown: list[str] = []
    for index, cell in enumerate(raw):
        key = header_key(cell_text(cell))
        if not key or key == ERROR_COLUMN:
            continue
        header = known.get(key)
        if header is None:
            unknown.append(key)
            continue
        seen.setdefault(header, []).append(index)
        matched.append((index, header))
    problems: list[Problem] = []
    if decoded and len(matched) < max(1, len([c for c in sheet.columns if c.required]) // 2):
        header_text = "".join(header_key(cell_text(c)) for c in raw)
        if _looks_garbled(header_text) or (unknown and not matched and not header_text.isascii()):
            raise FileRefused(
                _(
                    "The encoding of the file cannot be recognised: the header row of the CSV file reads as "
                    "“%(text)s”, which is not the template's column names. Save the file from Excel as “CSV UTF-8 "
                    "(comma delimited)” or as an .xlsx workbook and import it again."
                )
                % {"text": header_text[:60]},
                code="encoding",
            )
    for header, indexes in seen.items():
        if len(indexes) > 1:
            letters = "、".join(_column_letter(i) for i in indexes)
            problems.append(
                Problem(
                    sheet.name,
                    0,
                    header,
                    _("The column “%(header)s” appears %(count)s times (columns %(letters)s): keep only one.")
                    % {"header": header, "count": len(indexes), "letters": letters},
                )
            )
    if unknown:
        problems.append(
            Problem(
                sheet.name,
                0,
                "",
                _(
                    "Unknown columns: %(columns)s. Use the downloaded template and do not add, rename or remove its "
                    "columns (the columns are: %(expected)s)."
                )
                % {"columns": "、".join(f"“{u}”" for u in unknown[:LISTED]), "expected": "、".join(sheet.headers)},
            )
        )
    missing = [c.header for c in sheet.columns if c.required and c.header not in seen]
    if missing:
        problems.append(
            Problem(
                sheet.name,
                0,
                "",
                _("Required (red-star) columns are missing: %(columns)s.")
                % {"columns": "、".join(f"“{m}”" for m in missing)},
            )
        )
    if problems:
        raise _refusal(problems, sheet.name)
    return matched


def _refusal(problems: list[Problem], sheet_name: str = "", code: str = "") -> FileRefused:
    lines = [p.message for p in problems[:LISTED]]
    if len(problems) > LISTED:
        lines.append(_("… and %(count)s more.") % {"count": len(problems) - LISTED})
    prefix = _("Sheet “%(sheet)s”: ") % {"sheet": sheet_name} if sheet_name else ""
    return FileRefused(prefix + " ".join(lines), problems=problems, code=code or "columns")


# --------------------------------------------------------------------------------------------------------------
# the table of one sheet
# --------------------------------------------------------------------------------------------------------------


def _table(sheet: Sheet, rows, *, decoded: str = "") -> Table:
    """`rows`: an iterator of (row number, [values]) with the header first."""
    max_rows, max_columns = limit("IMPORT_MAX_ROWS"), limit("IMPORT_MAX_COLUMNS")
    table = Table(name=sheet.name, headers=list(sheet.headers))
    matched: list[tuple[int, str]] | None = None
    nul_cells: list[Problem] = []
    for number, values in rows:
        if len(values) > max_columns and any(v is not None and v != "" for v in values[max_columns:]):
            raise FileRefused(
                _("Sheet “%(sheet)s” has more than %(max)s columns: this is not a file of the template.")
                % {"sheet": sheet.name, "max": max_columns},
                code="too_many_columns",
            )
        if matched is None:
            if all(cell_text(v) is None for v in values):
                continue  # blank lines above the header
            matched = _match_headers(sheet, list(values), decoded=decoded)
            continue
        cells = {header: None for header in sheet.headers}
        empty = True
        for index, header in matched:
            text = cell_text(values[index]) if index < len(values) else None
            if text is not None and "\x00" in text:  # PostgreSQL cannot store it: the cell is named, not guessed
                nul_cells.append(Problem(sheet.name, number, header, _nul_message(number, header)))
            cells[header] = text
            empty = empty and text is None
        if empty:
            continue
        if len(table.rows) >= max_rows:
            raise FileRefused(
                _(
                    "Sheet “%(sheet)s” has more than %(max)s rows: split the file into several files of at most "
                    "%(max)s rows."
                )
                % {"sheet": sheet.name, "max": max_rows},
                code="too_many_rows",
            )
        table.rows.append((number, cells))
    if matched is None:
        raise FileRefused(
            _("Sheet “%(sheet)s” has no header row: use the downloaded template.") % {"sheet": sheet.name},
            code="no_header",
        )
    if nul_cells:
        raise _refusal(nul_cells, sheet.name, code="nul")
    return table


def _nul_message(row: int, header: str) -> str:
    return _(
        "Row %(row)s, column “%(column)s”: the cell holds a NUL character, which no text may contain. Delete "
        "it (retype the cell) and import the file again."
    ) % {"row": row, "column": header}


def _check_duplicates(sheet: Sheet, table: Table) -> list[Problem]:
    problems: list[Problem] = []
    first_of_row: dict[tuple, int] = {}
    first_of_key: dict[tuple, int] = {}
    for number, cells in table.rows:
        whole = tuple(cells[h] for h in table.headers)
        if whole in first_of_row:
            problems.append(
                Problem(
                    sheet.name,
                    number,
                    "",
                    _("Row %(row)s repeats row %(first)s exactly: delete one of them.")
                    % {"row": number, "first": first_of_row[whole]},
                )
            )
            continue
        first_of_row[whole] = number
        if sheet.keys:
            key = tuple((cells.get(h) or "") for h in sheet.keys)
            if any(key):
                if key in first_of_key:
                    problems.append(
                        Problem(
                            sheet.name,
                            number,
                            "、".join(sheet.keys),
                            _(
                                "Row %(row)s has the same %(columns)s as row %(first)s (%(value)s): "
                                "a row may appear once."
                            )
                            % {
                                "row": number,
                                "first": first_of_key[key],
                                "columns": "、".join(sheet.keys),
                                "value": " / ".join(v for v in key if v),
                            },
                        )
                    )
                else:
                    first_of_key[key] = number
    return problems


# --------------------------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------------------------


def _broken() -> FileRefused:
    return FileRefused(
        _(
            "The file is damaged or is not a valid Excel file: open it in Excel, save it again as an Excel "
            "workbook (.xlsx) and import the new file."
        ),
        code="broken",
    )


def _zip_members(data: bytes) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        return archive, archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _broken() from None


def _check_zip(members: list[zipfile.ZipInfo]) -> None:
    """An XLSX's directory: its members' sizes added up and each member's ratio, before anything is inflated."""
    if len(members) > 10_000:
        raise _bomb()
    total = sum(m.file_size for m in members)
    if total > limit("IMPORT_MAX_UNCOMPRESSED_BYTES"):
        raise _bomb(total)
    ratio = limit("IMPORT_MAX_RATIO")
    for member in members:
        if member.file_size > MB and member.file_size > ratio * max(member.compress_size, 1):
            raise _bomb(total)


def _bomb(total: int = 0) -> FileRefused:
    return FileRefused(
        _(
            "The Excel file unpacks to %(size)s MB, or is packed far more tightly than a spreadsheet of data ever is "
            "(at most %(max)s MB unpacked): it was refused without being opened. Import the data in several smaller "
            "files from the template."
        )
        % {"size": _mb(total) if total else "?", "max": _mb(limit("IMPORT_MAX_UNCOMPRESSED_BYTES"))},
        code="bomb",
    )


def _read_zip(data: bytes, sheets: tuple[Sheet, ...]) -> Book:
    """An XLSX (a ZIP with xl/workbook.xml), or a ZIP of CSV files (one per sheet), or refused as broken."""
    archive, members = _zip_members(data)
    with archive:
        if "xl/workbook.xml" in {m.filename for m in members}:
            _check_zip(members)
            return _read_xlsx(data, sheets)
        files = [m for m in members if not m.is_dir()]
        if files and any(_member_name(m).lower().endswith(".csv") for m in files):
            return _read_csv_zip(archive, files, sheets)
    raise _broken()


def _read_xlsx(data: bytes, sheets: tuple[Sheet, ...]) -> Book:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises whatever its XML parser or the zip module raise on a damaged file
        raise _broken() from None
    try:
        by_name = {header_key(ws.title): ws for ws in workbook.worksheets}
        book = Book(source="xlsx")
        for position, sheet in enumerate(sheets):
            ws = by_name.get(header_key(sheet.name))
            if ws is None and position == 0 and len(sheets) == 1 and workbook.worksheets:
                ws = workbook.worksheets[0]  # a one-sheet import reads the first sheet whatever its name
            if ws is None:
                if sheet.required:
                    raise FileRefused(
                        _("The workbook has no sheet named “%(sheet)s”: use the downloaded template (sheets: %(all)s).")
                        % {"sheet": sheet.name, "all": "、".join(s.name for s in sheets)},
                        code="sheet_missing",
                    )
                book.tables[sheet.name] = Table(name=sheet.name, headers=list(sheet.headers))
                continue
            _check_dimension(ws, sheet)
            try:
                rows = ((n, list(v)) for n, v in enumerate(ws.iter_rows(values_only=True), start=1))
                book.tables[sheet.name] = _table(sheet, rows)
            except FileRefused:
                raise
            except Exception:
                raise _broken() from None
        return book
    finally:
        workbook.close()


def _check_dimension(ws, sheet: Sheet) -> None:
    try:
        max_row, max_column = ws.max_row, ws.max_column
    except Exception:
        return  # no or a wrong <dimension>: the rows are counted while reading
    if max_row and max_row > limit("IMPORT_MAX_ROWS") + 1:
        raise FileRefused(
            _(
                "Sheet “%(sheet)s” has more than %(max)s rows: split the file into several files of at most "
                "%(max)s rows."
            )
            % {"sheet": sheet.name, "max": limit("IMPORT_MAX_ROWS")},
            code="too_many_rows",
        )
    if max_column and max_column > limit("IMPORT_MAX_COLUMNS"):
        raise FileRefused(
            _("Sheet “%(sheet)s” has more than %(max)s columns: this is not a file of the template.")
            % {"sheet": sheet.name, "max": limit("IMPORT_MAX_COLUMNS")},
            code="too_many_columns",
        )


# --------------------------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV file: UTF-8 with or without BOM, else GB18030 (a superset of GBK and GB2312),
    each decoded strictly; FileRefused when neither decodes (never a silent garble)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise FileRefused(
            _(
                "The encoding of the file cannot be recognised: the file is UTF-16 text or not a text file at all. "
                "Save it from Excel as “CSV UTF-8 (comma delimited)” or as an .xlsx workbook and import it again."
            ),
            code="encoding",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        try:
            return data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
    raise FileRefused(
        _(
            "The encoding of the file cannot be recognised: the file is neither UTF-8 nor GBK/GB18030 text. "
            "Save it from Excel as “CSV UTF-8 (comma delimited)” or as an .xlsx workbook and import it again."
        ),
        code="encoding",
    )


def _read_csv(data: bytes, sheets: tuple[Sheet, ...]) -> Book:
    text, encoding = decode_text(data)
    others = [s.name for s in sheets[1:] if s.required]
    if others:
        raise FileRefused(
            _(
                "This import needs several sheets (%(sheets)s), which a CSV file cannot hold: use the downloaded Excel "
                "(.xlsx) template."
            )
            % {"sheets": "、".join(s.name for s in sheets)},
            code="csv_one_sheet",
        )
    book = Book(source=f"csv:{_encoding_name(encoding)}")
    book.tables[sheets[0].name] = _csv_table(text, encoding, sheets[0])
    for sheet in sheets[1:]:
        book.tables[sheet.name] = Table(name=sheet.name, headers=list(sheet.headers))
    return book


def _encoding_name(encoding: str) -> str:
    return "utf-8" if encoding.startswith("utf-8") else encoding


def _csv_table(text: str, encoding: str, sheet: Sheet) -> Table:
    """The table of one CSV text (comma or tab separated), read for `sheet`."""
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = ((reader.line_num, row) for row in reader)
        return _table(sheet, rows, decoded=encoding)
    except csv.Error as error:
        if "field limit" in str(error):  # one cell longer than the csv module's 131,072 characters
            raise FileRefused(
                _(
                    "Row %(row)s of the CSV file has a cell of more than %(max)s characters, longer than any cell of "
                    "the template may be: check the row (a quote not closed swallows the rows after it)."
                )
                % {"row": reader.line_num, "max": f"{csv.field_size_limit():,}"},
                code="csv",
            ) from None
        raise FileRefused(
            _("The CSV file cannot be read (a quote is not closed?): save it again from Excel as CSV."), code="csv"
        ) from None


# --------------------------------------------------------------------------------------------------------------
# A ZIP of CSV files: one per sheet (transfer/record_rows.write_csv_zip writes it)
# --------------------------------------------------------------------------------------------------------------

#: files a ZIP of CSV files may hold before their names are read (each must then be a sheet's)
MAX_ZIP_FILES = 100
#: the ZIP directory's flag of a member name written in UTF-8
_UTF8_NAME = 0x800


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author wrote it: Python writes non-ASCII names in UTF-8 with the flag set, Windows'
    own “compressed folder” in the system's code page (GBK on Chinese Windows) without it, which zipfile then
    reads as cp437; the raw bytes are decoded again, strictly, as UTF-8, then GB18030."""
    name = info.filename
    if info.flag_bits & _UTF8_NAME or name.isascii():
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return name


def _unsafe_path(name: str) -> bool:
    """A member in a folder, with an absolute path, a drive or a “..”: a ZIP of CSV files holds the files alone."""
    return "/" in name or "\\" in name or ":" in name or name.strip() in ("", ".", "..")


def _names(names: list[str]) -> str:
    listed = "、".join(f"“{n}”" for n in names[:LISTED])
    return listed + ("…" if len(names) > LISTED else "")


def _read_csv_zip(archive: zipfile.ZipFile, files: list[zipfile.ZipInfo], sheets: tuple[Sheet, ...]) -> Book:
    expected = "、".join(f"{s.name}.csv" for s in sheets)
    if len(files) > MAX_ZIP_FILES:
        raise FileRefused(
            _(
                "The ZIP file holds %(count)s files; a ZIP of CSV files holds one CSV file per sheet of this import, "
                "named after it (%(expected)s), and nothing else."
            )
            % {"count": len(files), "expected": expected},
            code="zip_members",
        )
    names = {id(info): _member_name(info) for info in files}
    paths = [names[id(info)] for info in files if _unsafe_path(names[id(info)])]
    if paths:
        raise FileRefused(
            _(
                "The ZIP file holds files in folders or with a path (%(names)s): put the CSV files themselves into "
                "the ZIP, each named after its sheet (%(expected)s)."
            )
            % {"names": _names(paths), "expected": expected},
            code="zip_path",
        )
    by_key = {header_key(s.name): s for s in sheets}
    members: dict[str, zipfile.ZipInfo] = {}
    unknown: list[str] = []
    twice: list[str] = []
    for info in files:
        name = names[id(info)]
        stem, dot, suffix = name.rpartition(".")
        sheet = by_key.get(header_key(stem)) if dot and suffix.lower() == "csv" else None
        if sheet is None:
            unknown.append(name)
        elif sheet.name in members:
            twice.append(name)
        else:
            members[sheet.name] = info
    if unknown or twice:
        raise FileRefused(
            _(
                "The ZIP file holds files that are no sheet of this import: %(names)s. Each CSV file is named after "
                "its sheet, once: %(expected)s."
            )
            % {"names": _names(unknown + twice), "expected": expected},
            code="zip_members",
        )
    missing = [s.name for s in sheets if s.required and s.name not in members]
    if missing:
        raise FileRefused(
            _("The ZIP file has no %(names)s: a ZIP of CSV files holds one CSV file per sheet (%(expected)s).")
            % {"names": _names([f"{m}.csv" for m in missing]), "expected": expected},
            code="sheet_missing",
        )
    max_member, max_total = limit("IMPORT_MAX_BYTES"), limit("IMPORT_MAX_UNCOMPRESSED_BYTES")
    ratio = limit("IMPORT_MAX_RATIO")
    total = sum(info.file_size for info in files)
    if total > max_total:
        raise _zip_bomb(total)
    for info in files:
        if info.file_size > max_member:
            raise _member_too_big(names[id(info)], info.file_size, max_member)
        if info.file_size > MB and info.file_size > ratio * max(info.compress_size, 1):
            raise _zip_bomb(total)
    book = Book()
    encodings: set[str] = set()
    read = 0
    for sheet in sheets:
        info = members.get(sheet.name)
        if info is None:
            book.tables[sheet.name] = Table(name=sheet.name, headers=list(sheet.headers))
            continue
        name = names[id(info)]
        data = _read_member(archive, info, max_member)
        if len(data) > max_member:  # the directory understated it
            raise _member_too_big(name, len(data), max_member)
        read += len(data)
        if read > max_total:
            raise _zip_bomb(read)
        try:
            text, encoding = decode_text(data)
            book.tables[sheet.name] = _csv_table(text, encoding, sheet)
        except FileRefused as refused:
            if refused.code != "encoding":
                raise
            message = _("The file “%(name)s” in the ZIP: %(reason)s") % {"name": name, "reason": refused.message}
            raise FileRefused(message, code=refused.code) from None
        encodings.add(_encoding_name(encoding))
    book.source = f"csvzip:{','.join(sorted(encodings))}"[:20]
    return book


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> bytes:
    """At most `max_bytes` + 1 bytes of a member, whatever its directory entry says."""
    try:
        with archive.open(info) as handle:
            return handle.read(max_bytes + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError, zlib.error):
        raise FileRefused(
            _(
                "The ZIP file is damaged or protected by a password: pack the CSV files again into a ZIP without a "
                "password, or import an Excel workbook (.xlsx)."
            ),
            code="broken",
        ) from None


def _member_too_big(name: str, size: int, max_bytes: int) -> FileRefused:
    return FileRefused(
        _(
            "The file “%(name)s” in the ZIP is %(size)s MB unpacked; each CSV file may be at most %(max)s MB. Split "
            "the records into several files."
        )
        % {"name": name, "size": _mb(size), "max": _mb(max_bytes)},
        code="too_big",
    )


def _zip_bomb(total: int) -> FileRefused:
    return FileRefused(
        _(
            "The ZIP file unpacks to %(size)s MB, or is packed far more tightly than CSV files of data ever are (at "
            "most %(max)s MB unpacked): it was refused without being unpacked. Import the data in several smaller "
            "files."
        )
        % {"size": _mb(total), "max": _mb(limit("IMPORT_MAX_UNCOMPRESSED_BYTES"))},
        code="bomb",
    )


# --------------------------------------------------------------------------------------------------------------
# the entry point
# --------------------------------------------------------------------------------------------------------------


def _size_of(uploaded_file) -> int | None:
    size = getattr(uploaded_file, "size", None)
    if size is not None:
        return int(size)
    try:
        position = uploaded_file.tell()
        uploaded_file.seek(0, io.SEEK_END)
        size = uploaded_file.tell()
        uploaded_file.seek(position)
        return size
    except (AttributeError, OSError):
        return None


def read_upload(uploaded_file, *, sheets: tuple[Sheet, ...], name: str | None = None) -> Book:
    """The `Book` of an uploaded file (an UploadedFile, a FieldFile or any binary file object), read for the
    importer's `sheets`; `name` is the name the user gave the file (for a stored file whose own name is random)."""
    name = (name or getattr(uploaded_file, "name", "") or "").lower()
    max_bytes = limit("IMPORT_MAX_BYTES")
    size = _size_of(uploaded_file)
    if size is not None and size > max_bytes:
        raise _too_big(size, max_bytes)
    if hasattr(uploaded_file, "seek"):
        try:
            uploaded_file.seek(0)
        except (OSError, ValueError):
            pass
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(size or len(data), max_bytes)
    book = read_bytes(data, sheets=sheets, name=name)
    return book


def _too_big(size: int, max_bytes: int) -> FileRefused:
    return FileRefused(
        _("The file is %(size)s MB; at most %(max)s MB can be imported at once. Split it into several files.")
        % {"size": _mb(size), "max": _mb(max_bytes)},
        code="too_big",
    )


def read_bytes(data: bytes, *, sheets: tuple[Sheet, ...], name: str = "") -> Book:
    if not data.strip():
        raise FileRefused(_("The file is empty."), code="empty")
    name = name.lower()
    if data.startswith(OLE2_MAGIC) or (name.endswith(".xls") and not data.startswith(ZIP_MAGICS)):
        raise FileRefused(
            _(
                "This is an old Excel file (.xls) or a password-protected workbook, which cannot be imported: open "
                "it in Excel, choose “Save as” → “Excel workbook (*.xlsx)” without a password, and import the new "
                "file."
            ),
            code="xls",
        )
    if data.startswith(ZIP_MAGICS):
        book = _read_zip(data, sheets)
    elif name.endswith((".xlsx", ".xlsm", ".zip", ".docx", ".pdf")) or data.startswith(b"%PDF"):
        raise _broken()
    else:
        book = _read_csv(data, sheets)
    if not book.rows():
        raise FileRefused(
            _("The file has a header row but no data rows: nothing to import."),
            code="empty",
        )
    problems: list[Problem] = []
    for sheet in sheets:
        problems += _check_duplicates(sheet, book.tables[sheet.name])
    if problems:
        raise _refusal(problems, code="duplicates")
    return book
