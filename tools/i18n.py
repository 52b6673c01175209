#!/usr/bin/env python3
"""Message catalogs without GNU gettext: extract, update and check ``locale/zh_Hans``.

The UI speaks Simplified Chinese first: every user-facing string in the code is an English msgid
wrapped in gettext, and the Chinese lives in ``locale/zh_Hans/LC_MESSAGES/django.po`` (compiled to
``django.mo``). ``makemessages``/``compilemessages`` need xgettext/msgfmt, which a fresh machine does not
have, so this tool does the same work in pure Python (standard library + ``polib``)::

    python tools/i18n.py extract   # list the msgids found in the code (file:line), no files written
    python tools/i18n.py update    # merge them into the .po files (keeping translations), compile the .mo
    python tools/i18n.py check     # exit 1 and say what is wrong when the catalogs are stale

Sources (domain ``django``):
  * Python files of the apps (``APPS``): calls to ``_``, ``gettext``, ``gettext_lazy``, ``gettext_noop``,
    ``pgettext(_lazy)``, ``ngettext(_lazy)``, ``npgettext(_lazy)`` with string-literal arguments, found by
    parsing the AST (so adjacent literals are already joined). Model ``verbose_name``s and ``choices``
    labels are such calls. A ``# Translators:`` comment right above a call becomes an extracted comment.
  * Django templates under ``templates/`` and ``<app>/templates/``: Django's own ``templatize`` (the
    function ``makemessages`` uses) turns ``{% translate %}``/``{% blocktranslate %}`` (``trimmed``,
    ``context``, ``{% plural %}``, ``{{ var }}`` → ``%(var)s``) and ``_("…")`` filter arguments into
    gettext calls, which are then read with ``tokenize``.
Sources (domain ``djangojs``): ``gettext``/``ngettext``/``pgettext``/``npgettext`` calls with string
literals in ``static/**/*.js`` and ``<app>/static/**/*.js``. The ``djangojs`` catalog is only written
when there is at least one such msgid.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import io
import re
import sys
import tokenize
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
LANGUAGE = "zh_Hans"
APPS = ("accounts", "projects", "grading", "review", "sync", "transfer", "legacy", "portal", "public", "config")
SKIP_DIRS = frozenset(
    {
        "migrations",
        "tests",
        ".venv",
        "venv",
        "var",
        "bench",
        "tools",
        "devtools",
        "node_modules",
        "__pycache__",
        ".git",
        "locale",
    }
)
DOMAINS = ("django", "djangojs")

HEADER = {
    "Project-Id-Version": "yeji-buliu",
    "Report-Msgid-Bugs-To": "",
    "Last-Translator": "业绩补录平台",
    "Language-Team": "简体中文 (zh_Hans)",
    "Language": LANGUAGE,
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}
REQUIRED_HEADER = ("Language", "Content-Type", "Plural-Forms")
NPLURALS = 1

# Which positional arguments of each keyword are (msgctxt, msgid, msgid_plural); None = not used.
KEYWORDS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
JS_KEYWORDS = {k: KEYWORDS[k] for k in ("gettext", "gettext_noop", "pgettext", "ngettext", "npgettext")}

# printf-style placeholders as Python's % operator reads them (%% is a literal percent sign).
PERCENT_RE = re.compile(
    r"%(?:%|(?:\((?P<name>[^()]*)\))?(?P<flags>[#0 +-]*)(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa]))"
)
# The same without the space flag: used to decide whether a msgid *is* a format string, so that
# prose like "100% done" is not mistaken for a "% d" directive.
FORMAT_HINT_RE = re.compile(r"%(?:\([^()]+\))?[#0+-]*(?:\d+)?(?:\.\d+)?[hlL]?[diouxXeEfFgGcrsa]")
BRACE_RE = re.compile(r"(?<!\{)\{(?P<field>[A-Za-z_]\w*|\d*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


# --------------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------------
@dataclass
class Message:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    occurrences: list[tuple[str, str]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


@dataclass
class Extraction:
    messages: dict[str, dict[tuple[str | None, str], Message]]  # domain -> key -> message
    warnings: list[str]


class _Collector:
    def __init__(self) -> None:
        self.messages: dict[str, dict[tuple[str | None, str], Message]] = {d: {} for d in DOMAINS}
        self.warnings: list[str] = []

    def add(self, domain, *, msgid, msgctxt, msgid_plural, ref, comments=()):
        if msgid == "":
            self.warnings.append(f"{ref[0]}:{ref[1]}: empty msgid ignored (it would return the PO header)")
            return
        key = (msgctxt, msgid)
        msg = self.messages[domain].get(key)
        if msg is None:
            msg = self.messages[domain][key] = Message(msgid=msgid, msgctxt=msgctxt, msgid_plural=msgid_plural)
        elif msgid_plural and msg.msgid_plural and msg.msgid_plural != msgid_plural:
            self.warnings.append(
                f"{ref[0]}:{ref[1]}: msgid {msgid!r} used with two plurals "
                f"({msg.msgid_plural!r} and {msgid_plural!r}); keeping the first"
            )
        elif msgid_plural and not msg.msgid_plural:
            msg.msgid_plural = msgid_plural
        if ref not in msg.occurrences:
            msg.occurrences.append(ref)
        for comment in comments:
            if comment not in msg.comments:
                msg.comments.append(comment)


def _walk(base: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(ROOT).parts
        if any(part in SKIP_DIRS for part in rel[:-1]):
            continue
        if path.is_file() and path.suffix in suffixes:
            yield path


def python_sources() -> list[Path]:
    return [p for app in APPS for p in _walk(ROOT / app, (".py",)) if "templates" not in p.parts]


def template_sources() -> list[Path]:
    bases = [ROOT / "templates"] + [ROOT / app / "templates" for app in APPS]
    return [p for base in bases for p in _walk(base, (".html", ".txt", ".xml", ".email"))]


def js_sources() -> list[Path]:
    bases = [ROOT / "static"] + [ROOT / app / "static" for app in APPS]
    return [p for base in bases for p in _walk(base, (".js", ".mjs"))]


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _translator_comments(comment_lines: dict[int, str], lineno: int) -> list[str]:
    """The ``Translators:`` comment block ending on the line right above ``lineno`` (as Django keeps)."""
    block: list[str] = []
    line = lineno - 1
    while line in comment_lines:
        block.insert(0, comment_lines[line])
        line -= 1
    for i, text in enumerate(block):
        if text.startswith("Translators"):
            return [" ".join(block[i:])]
    return []


def _comment_lines(source: str) -> dict[int, str]:
    """Line number → text of each line that holds nothing but a comment."""
    result: dict[int, str] = {}
    lines = source.splitlines()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                row = tok.start[0]
                if lines[row - 1].strip().startswith("#"):
                    result[row] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return result


def _callee_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def extract_python(path: Path, out: _Collector) -> None:
    source = path.read_text(encoding="utf-8")
    rel = _rel(path)
    try:
        tree = ast.parse(source, filename=rel)
    except SyntaxError as exc:
        out.warnings.append(f"{rel}:{exc.lineno}: not parsed ({exc.msg}); its strings were not extracted")
        return
    comments = _comment_lines(source)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _callee_name(node.func)
        spec = KEYWORDS.get(name or "")
        if spec is None:
            continue
        ctx_i, id_i, plural_i = spec
        needed = max(i for i in spec if i is not None)
        if len(node.args) <= needed:
            # e.g. a `_` that is not gettext (a throwaway variable called with other arguments)
            continue
        ref = (rel, str(node.lineno))
        values = {}
        for role, index in (("msgctxt", ctx_i), ("msgid", id_i), ("msgid_plural", plural_i)):
            if index is None:
                values[role] = None
                continue
            arg = node.args[index]
            value = _literal(arg)
            if value is None:
                if isinstance(arg, ast.JoinedStr):
                    out.warnings.append(
                        f"{rel}:{node.lineno}: {name}() with an f-string: the msgid changes at run time, "
                        "so it is never translated; use %(name)s placeholders"
                    )
                elif role == "msgid" and not isinstance(arg, ast.Name | ast.Attribute | ast.Subscript):
                    out.warnings.append(
                        f"{rel}:{node.lineno}: {name}() with a non-literal {role} ({ast.unparse(arg)[:60]})"
                    )
                break
            values[role] = value
        else:
            out.add("django", ref=ref, comments=_translator_comments(comments, node.lineno), **values)


def _string_calls(code: str, keywords: dict) -> Iterator[tuple[str, int, list[str | None]]]:
    """Yield (keyword, line, [literal args...]) for each ``keyword(...)`` call in Python-like code.

    Works token by token, so the code need not be valid Python (``templatize`` output is not)."""
    toks = [
        t
        for t in tokenize.generate_tokens(io.StringIO(code).readline)
        if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
    ]
    for i, tok in enumerate(toks[:-1]):
        if tok.type != tokenize.NAME or tok.string not in keywords:
            continue
        if i and toks[i - 1].string == ".":
            continue
        if toks[i + 1].string != "(":
            continue
        args: list[str | None] = []
        current: list[str] = []
        literal = True
        j = i + 2
        while j < len(toks) and toks[j].string != ")":
            t = toks[j]
            if t.string == ",":
                args.append("".join(current) if literal and current else None)
                current, literal = [], True
            elif t.type == tokenize.STRING and literal:
                current.append(ast.literal_eval(t.string))
            else:
                literal = False  # a non-literal argument, e.g. the `count` of ngettext
            j += 1
        if current or not literal:
            args.append("".join(current) if literal else None)
        yield tok.string, tok.start[0], args


def _add_calls(out, domain, rel, code, keywords, comments):
    for name, line, args in _string_calls(code, keywords):
        ctx_i, id_i, plural_i = keywords[name]

        def arg(index, _args=args):
            return _args[index] if index is not None and index < len(_args) else None

        msgid = arg(id_i)
        if msgid is None or (ctx_i is not None and arg(ctx_i) is None):
            continue
        if plural_i is not None and arg(plural_i) is None:
            continue
        out.add(
            domain,
            msgid=msgid,
            msgctxt=arg(ctx_i),
            msgid_plural=arg(plural_i),
            ref=(rel, str(line)),
            comments=_translator_comments(comments, line),
        )


def extract_template(path: Path, out: _Collector) -> None:
    # The function makemessages uses; it needs no settings.
    from django.utils.translation.template import templatize

    rel = _rel(path)
    source = path.read_text(encoding="utf-8")
    try:
        code = templatize(source, origin=rel)
    except SyntaxError as exc:
        out.warnings.append(f"{rel}: not parsed ({exc}); its strings were not extracted")
        return
    # templatize keeps the template's line breaks and indentation; tokenize would trip over the
    # indentation, which means nothing here, so drop it (line numbers stay the same).
    code = "\n".join(line.lstrip() for line in code.split("\n"))
    comments = {n: line.lstrip("#").strip() for n, line in enumerate(code.split("\n"), start=1) if line.startswith("#")}
    try:
        _add_calls(out, "django", rel, code, KEYWORDS, comments)
    except (tokenize.TokenError, SyntaxError, ValueError) as exc:
        out.warnings.append(f"{rel}: not tokenized ({exc}); its strings were not extracted")


_JS_STRING = r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
_JS_CONCAT = rf"{_JS_STRING}(?:\s*\+\s*{_JS_STRING})*"
_JS_CALL_RE = re.compile(
    rf"(?<![\w$.])(?P<name>n?p?gettext(?:_noop)?)\s*\(\s*(?P<args>{_JS_CONCAT}(?:\s*,\s*{_JS_CONCAT})*)"
)
_JS_LITERAL_RE = re.compile(_JS_STRING)


def _js_unquote(literal: str) -> str:
    body = literal[1:-1]
    body = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), body)
    escapes = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), body)


def extract_js(path: Path, out: _Collector) -> None:
    rel = _rel(path)
    source = path.read_text(encoding="utf-8")
    for match in _JS_CALL_RE.finditer(source):
        name = match.group("name")
        if name not in JS_KEYWORDS:
            continue
        parts = re.findall(_JS_CONCAT, match.group("args"))  # one per argument: "a" + 'b' …
        args = ["".join(_js_unquote(lit) for lit in _JS_LITERAL_RE.findall(part)) for part in parts]
        ctx_i, id_i, plural_i = JS_KEYWORDS[name]
        needed = max(i for i in (ctx_i, id_i, plural_i) if i is not None)
        if len(args) <= needed:
            continue
        line = source.count("\n", 0, match.start()) + 1
        out.add(
            "djangojs",
            msgid=args[id_i],
            msgctxt=args[ctx_i] if ctx_i is not None else None,
            msgid_plural=args[plural_i] if plural_i is not None else None,
            ref=(rel, str(line)),
        )


def extract() -> Extraction:
    """Every msgid of the project's code, by domain, with its source references."""
    out = _Collector()
    for path in python_sources():
        extract_python(path, out)
    for path in template_sources():
        extract_template(path, out)
    for path in js_sources():
        extract_js(path, out)
    for messages in out.messages.values():
        for msg in messages.values():
            msg.occurrences.sort(key=lambda ref: (ref[0], int(ref[1])))
    return Extraction(messages=out.messages, warnings=out.warnings)


# --------------------------------------------------------------------------------------------------
# Catalogs
# --------------------------------------------------------------------------------------------------
def po_path(domain: str) -> Path:
    return LOCALE_DIR / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"


def mo_path(domain: str) -> Path:
    return po_path(domain).with_suffix(".mo")


def is_python_format(text: str) -> bool:
    return bool(FORMAT_HINT_RE.search(text))


def is_brace_format(text: str) -> bool:
    return bool(BRACE_RE.search(text))


def percent_placeholders(text: str) -> tuple[frozenset[str], int]:
    """(named placeholders as "name:conversion", number of positional ones)."""
    named: set[str] = set()
    positional = 0
    for m in PERCENT_RE.finditer(text):
        if m.group(0) == "%%":
            continue
        if m.group("name") is not None:
            named.add(f"{m.group('name')}:{m.group('conv')}")
        else:
            positional += 1
    return frozenset(named), positional


def brace_placeholders(text: str) -> Counter:
    return Counter(m.group("field") for m in BRACE_RE.finditer(text))


def _sort_key(msg: Message):
    path, line = msg.occurrences[0]
    return (path, int(line), msg.msgid, msg.msgctxt or "")


def _expected_flags(msg: Message, domain: str = "django") -> set[str]:
    """The format flags xgettext would give: python-format (javascript-format for djangojs), brace format."""
    texts = [msg.msgid] + ([msg.msgid_plural] if msg.msgid_plural else [])
    flags = set()
    if any(is_python_format(t) for t in texts):
        flags.add("javascript-format" if domain == "djangojs" else "python-format")
    if domain == "django" and any(is_brace_format(t) for t in texts):
        flags.add("python-brace-format")
    return flags


_FORMAT_FLAGS = {
    prefix + kind for prefix in ("", "no-") for kind in ("python-format", "python-brace-format", "javascript-format")
}
PERCENT_FLAGS = {"python-format", "javascript-format"}


def load_po(domain: str) -> polib.POFile | None:
    path = po_path(domain)
    if not path.exists():
        return None
    return polib.pofile(str(path), wrapwidth=100)


def _plural_form(entry: polib.POEntry, index: int) -> str:
    return entry.msgstr_plural.get(index, entry.msgstr_plural.get(str(index), ""))


def _translation(entry: polib.POEntry) -> str:
    """The entry's (singular) translation, whether it is a plural entry or not."""
    return entry.msgstr or _plural_form(entry, 0)


def merge(domain: str, messages: dict[tuple[str | None, str], Message], old: polib.POFile | None):
    """A new POFile holding ``messages`` with the translations of ``old`` carried over.

    New msgids get an empty msgstr, or, when an old entry is very similar (a reworded msgid), its
    translation marked fuzzy with the previous msgid, for a human to confirm. Entries the code no
    longer has are kept as obsolete (``#~``) entries so their translations can come back."""
    po = polib.POFile(wrapwidth=100, encoding="utf-8")
    po.header = (
        f"Simplified Chinese ({LANGUAGE}) messages of 业绩补录平台 (domain {domain}).\n"
        "Maintained with tools/i18n.py (update / check); translations are edited by hand."
    )
    po.metadata = dict(HEADER)
    if old is not None:
        for name in ("POT-Creation-Date", "PO-Revision-Date"):
            if name in old.metadata:
                po.metadata[name] = old.metadata[name]
    old_entries: dict[tuple[str | None, str], polib.POEntry] = {}
    if old is not None:
        for entry in old:
            key = (entry.msgctxt, entry.msgid)
            if key not in old_entries or old_entries[key].obsolete:
                old_entries[key] = entry
    translated_old = {k: e for k, e in old_entries.items() if e.msgstr or any(e.msgstr_plural.values())}
    unused = {k for k in translated_old if k not in messages}

    for msg in sorted(messages.values(), key=_sort_key):
        entry = polib.POEntry(
            msgid=msg.msgid,
            msgctxt=msg.msgctxt,
            occurrences=list(msg.occurrences),
            comment="\n".join(msg.comments),
        )
        if msg.msgid_plural:
            entry.msgid_plural = msg.msgid_plural
        flags = _expected_flags(msg, domain)
        prev = old_entries.get(msg.key)
        fuzzy_from = None  # the old entry whose translation is only a suggestion
        if prev is None:
            # A new msgid: offer the translation of a very similar msgid that left the code (a rewording).
            candidates = {e.msgid: k for k, e in translated_old.items() if k in unused and k[0] == msg.msgctxt}
            close = difflib.get_close_matches(msg.msgid, list(candidates), n=1, cutoff=0.8)
            if close:
                fuzzy_from = prev = translated_old[candidates[close[0]]]
        if prev is not None:
            entry.tcomment = prev.tcomment
            # Keep the translator's own flags (fuzzy, no-python-format …); format flags follow the msgid.
            kept = {f for f in prev.flags if f not in _FORMAT_FLAGS or f.startswith("no-")}
            flags = (flags - {f[3:] for f in kept if f.startswith("no-")}) | kept
            if (prev.msgid_plural or None) != msg.msgid_plural and _translation(prev):
                fuzzy_from = fuzzy_from or prev  # singular became plural or the plural changed
        text = _translation(prev) if prev is not None else ""
        if msg.msgid_plural:
            if prev is not None and prev.msgid_plural and fuzzy_from is None:
                entry.msgstr_plural = {i: _plural_form(prev, i) for i in range(NPLURALS)}
            else:
                entry.msgstr_plural = {i: text for i in range(NPLURALS)}
        else:
            entry.msgstr = text
        if fuzzy_from is not None and text:
            flags.add("fuzzy")
            if fuzzy_from.msgid != msg.msgid:
                entry.previous_msgid = fuzzy_from.msgid
            if (fuzzy_from.msgid_plural or None) != msg.msgid_plural and fuzzy_from.msgid_plural:
                entry.previous_msgid_plural = fuzzy_from.msgid_plural
        elif "fuzzy" in flags and prev is not None and prev.previous_msgid:
            entry.previous_msgid = prev.previous_msgid  # still waiting for review
            entry.previous_msgid_plural = prev.previous_msgid_plural
        entry.flags = sorted(flags, key=lambda f: (f != "fuzzy", f))
        po.append(entry)

    for key in sorted(unused, key=lambda k: (k[1], k[0] or "")):
        prev = translated_old[key]
        gone = polib.POEntry(
            msgid=prev.msgid,
            msgctxt=prev.msgctxt,
            msgstr=prev.msgstr,
            tcomment=prev.tcomment,
            flags=list(prev.flags),
            obsolete=True,
        )
        if prev.msgid_plural:
            gone.msgid_plural = prev.msgid_plural
            gone.msgstr_plural = dict(prev.msgstr_plural)
        po.append(gone)
    return po


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000")


def update(extraction: Extraction | None = None, *, verbose: bool = True, keep_obsolete: bool = True) -> int:
    """Merge the code's msgids into the .po files and compile the .mo files; returns the exit status."""
    extraction = extraction or extract()
    for warning in extraction.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for domain in DOMAINS:
        messages = extraction.messages[domain]
        old = load_po(domain)
        if not messages and old is None:
            continue  # no JavaScript catalog until some script uses gettext
        po = merge(domain, messages, old)
        if not keep_obsolete:
            for entry in po.obsolete_entries():
                po.remove(entry)
        path = po_path(domain)
        path.parent.mkdir(parents=True, exist_ok=True)
        before = path.read_text(encoding="utf-8") if path.exists() else None
        # Dates change only with the content, so an update with nothing new leaves the files as they are.
        if before != str(po) or "PO-Revision-Date" not in po.metadata:
            if old is None or {(e.msgctxt, e.msgid) for e in old if not e.obsolete} != set(messages):
                po.metadata["POT-Creation-Date"] = _now()
            po.metadata["PO-Revision-Date"] = _now()
            path.write_text(str(po), encoding="utf-8", newline="\n")
        po.save_as_mofile(str(mo_path(domain)))
        if verbose:
            total = len([e for e in po if not e.obsolete])
            done = len(po.translated_entries())
            fuzzy = len(po.fuzzy_entries())
            obsolete = len(po.obsolete_entries())
            print(
                f"{_rel(path)}: {total} msgids, {done} translated, {fuzzy} fuzzy, "
                f"{total - done - fuzzy} untranslated, {obsolete} obsolete; compiled {_rel(mo_path(domain))}"
            )
    return 0


# --------------------------------------------------------------------------------------------------
# Check
# --------------------------------------------------------------------------------------------------
def _ref(entry) -> str:
    if entry.occurrences:
        path, line = entry.occurrences[0]
        return f"{path}:{line}"
    return "(no source)"


def _show(entry) -> str:
    text = f"{entry.msgid!r}"
    if entry.msgctxt:
        text = f"[{entry.msgctxt}] {text}"
    return text


def _catalog_map(entries: Iterable) -> dict:
    result = {}
    for e in entries:
        if e.msgid == "":
            continue
        if e.msgid_plural:
            value = (e.msgid_plural, tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural, key=int)))
        else:
            value = e.msgstr
        result[(e.msgctxt or None, e.msgid)] = value
    return result


def placeholder_problem(msgid: str, msgstr: str, *, python_format: bool, brace_format: bool) -> str | None:
    want_named, want_pos = percent_placeholders(msgid)
    got_named, got_pos = percent_placeholders(msgstr)
    if want_named != got_named:
        missing = sorted(want_named - got_named)
        extra = sorted(got_named - want_named)
        parts = []
        if missing:
            parts.append("missing " + ", ".join("%(" + n.split(":")[0] + ")" + n.split(":")[1] for n in missing))
        if extra:
            parts.append("unknown " + ", ".join("%(" + n.split(":")[0] + ")" + n.split(":")[1] for n in extra))
        return "placeholders differ: " + "; ".join(parts)
    if python_format and want_pos != got_pos:
        return f"{want_pos} positional %-placeholder(s) in the msgid, {got_pos} in the translation"
    if brace_format and brace_placeholders(msgid).keys() != brace_placeholders(msgstr).keys():
        return (
            f"{{}} placeholders differ: {sorted(brace_placeholders(msgid))} in the msgid, "
            f"{sorted(brace_placeholders(msgstr))} in the translation"
        )
    return None


def check(extraction: Extraction | None = None) -> tuple[list[str], list[str]]:
    """(problems, warnings). The catalogs are up to date when ``problems`` is empty."""
    extraction = extraction or extract()
    problems: list[str] = []
    warnings: list[str] = list(extraction.warnings)
    for domain in DOMAINS:
        messages = extraction.messages[domain]
        path = po_path(domain)
        po = load_po(domain)
        if po is None:
            if messages:
                problems.append(f"{_rel(path)} is missing ({len(messages)} msgids in the code)")
            continue
        rel = _rel(path)
        for name in REQUIRED_HEADER:
            if po.metadata.get(name) != HEADER[name]:
                problems.append(f"{rel}: header {name} is {po.metadata.get(name)!r}, expected {HEADER[name]!r}")

        live = [e for e in po if not e.obsolete]
        entries = {}
        for e in live:
            key = (e.msgctxt or None, e.msgid)
            if key in entries:
                problems.append(f"{rel}: duplicate entry {_show(e)}")
            entries[key] = e

        for key, msg in sorted(messages.items(), key=lambda kv: _sort_key(kv[1])):
            if key not in entries:
                where = ", ".join(f"{p}:{n}" for p, n in msg.occurrences[:3])
                ctx = f"[{msg.msgctxt}] " if msg.msgctxt else ""
                problems.append(f"missing from {rel}: {ctx}{msg.msgid!r} ({where})")
        for key, e in entries.items():
            if key not in messages:
                problems.append(f"{rel}: {_show(e)} is no longer in the code (was {_ref(e)})")
                continue
            msg = messages[key]
            if (msg.msgid_plural or "") != (e.msgid_plural or ""):
                problems.append(
                    f"{rel}: {_show(e)} plural is {e.msgid_plural!r} in the .po, {msg.msgid_plural!r} in the code"
                )
            missing_flags = _expected_flags(msg, domain) - set(e.flags)
            negated = {f[3:] for f in e.flags if f.startswith("no-")}
            missing_flags -= negated
            if missing_flags:
                problems.append(f"{rel}: {_show(e)} lacks the flag(s) {', '.join(sorted(missing_flags))}")

        for e in live:
            if e.fuzzy:
                problems.append(f"{rel}: fuzzy translation of {_show(e)} ({_ref(e)}): check it, then drop the flag")
                continue
            if e.msgid_plural:
                forms = [e.msgstr_plural.get(i, e.msgstr_plural.get(str(i), "")) for i in range(NPLURALS)]
                if len(e.msgstr_plural) != NPLURALS or not all(forms):
                    problems.append(f"{rel}: untranslated {_show(e)} ({_ref(e)}): needs {NPLURALS} plural form(s)")
                    continue
                pairs = [(e.msgid_plural, form) for form in forms]
            else:
                if not e.msgstr:
                    problems.append(f"{rel}: untranslated {_show(e)} ({_ref(e)})")
                    continue
                pairs = [(e.msgid, e.msgstr)]
            for source, target in pairs:
                problem = placeholder_problem(
                    source,
                    target,
                    python_format=bool(PERCENT_FLAGS & set(e.flags)),
                    brace_format="python-brace-format" in e.flags,
                )
                if problem:
                    problems.append(f"{rel}: {_show(e)} ({_ref(e)}): {problem}: {target!r}")
            if not e.msgid_plural and e.msgstr == e.msgid and re.search(r"[A-Za-z]{3}", e.msgid):
                warnings.append(f"{rel}: {_show(e)} is 'translated' to itself")

        mo = mo_path(domain)
        if not mo.exists():
            problems.append(f"{_rel(mo)} is missing: run `python tools/i18n.py update`")
        else:
            try:
                compiled = polib.mofile(str(mo))
            except (OSError, ValueError) as exc:
                problems.append(f"{_rel(mo)} cannot be read ({exc})")
            else:
                want = _catalog_map(po.translated_entries())
                got = _catalog_map(compiled)
                if want != got:
                    stale = sorted(k[1] for k in set(want) ^ set(got))
                    changed = sorted(k[1] for k in set(want) & set(got) if want[k] != got[k])
                    detail = (stale + changed)[:5]
                    problems.append(
                        f"{_rel(mo)} does not match {rel} ({len(stale)} entries added/removed, "
                        f"{len(changed)} changed, e.g. {detail}): run `python tools/i18n.py update`"
                    )
                for name in REQUIRED_HEADER:
                    if compiled.metadata.get(name) != HEADER[name]:
                        problems.append(f"{_rel(mo)}: header {name} is {compiled.metadata.get(name)!r}")
    return problems, warnings


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------
def _print_extract(extraction: Extraction) -> None:
    for domain in DOMAINS:
        messages = extraction.messages[domain]
        if not messages:
            continue
        print(f"# domain {domain}: {len(messages)} msgids")
        for msg in sorted(messages.values(), key=_sort_key):
            refs = " ".join(f"{p}:{n}" for p, n in msg.occurrences)
            ctx = f"[{msg.msgctxt}] " if msg.msgctxt else ""
            plural = f" / {msg.msgid_plural!r}" if msg.msgid_plural else ""
            print(f"{refs}\t{ctx}{msg.msgid!r}{plural}")
    for warning in extraction.warnings:
        print(f"warning: {warning}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("extract", help="print every msgid found in the code, with file:line")
    update_parser = sub.add_parser("update", help="merge the msgids into the .po files and compile the .mo files")
    update_parser.add_argument(
        "--no-obsolete",
        action="store_true",
        help="drop the translations of msgids that left the code instead of keeping them as #~ entries",
    )
    sub.add_parser("check", help="exit 1 when a catalog is stale, untranslated, fuzzy or not compiled")
    args = parser.parse_args(argv)

    if args.command == "extract":
        _print_extract(extract())
        return 0
    if args.command == "update":
        return update(keep_obsolete=not args.no_obsolete)
    extraction = extract()
    problems, warnings = check(extraction)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in the message catalogs:")
        for problem in problems:
            print(f"  - {problem}")
        print("Run `python tools/i18n.py update`, translate the empty/fuzzy entries, then run it again.")
        return 1
    counts = ", ".join(
        f"{domain}: {len(extraction.messages[domain])} msgids"
        for domain in DOMAINS
        if extraction.messages[domain] or po_path(domain).exists()
    )
    print(f"message catalogs are up to date ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
