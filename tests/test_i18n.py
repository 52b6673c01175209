"""Translations: the catalogs in locale/zh_Hans/ are complete and compiled, and Django serves them.

`tools/i18n.py check` runs here in-process, so `make test` fails as soon as someone adds a msgid without
running `python tools/i18n.py update` and translating it. No database is needed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polib
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


def _load_tool():
    name = "yeji_i18n_tool"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


i18n = _load_tool()


# ----------------------------------------------------------------------------------------------------------
# The project's own catalogs
# ----------------------------------------------------------------------------------------------------------


def test_message_catalogs_are_up_to_date():
    problems, warnings = i18n.check()
    report = "\n".join(f"  - {p}" for p in problems)
    notes = "".join(f"\n  (warning) {w}" for w in warnings)
    assert not problems, (
        f"{len(problems)} problem(s) in locale/zh_Hans (run `python tools/i18n.py update`, translate the "
        f"empty or fuzzy entries in locale/zh_Hans/LC_MESSAGES/django.po, run update again):\n{report}{notes}"
    )


def test_catalog_header():
    po = polib.pofile(str(i18n.po_path("django")))
    assert po.metadata["Language"] == "zh_Hans"
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"


def _zh_and_en(func):
    with translation.override("zh-hans"):
        zh = func()
    with translation.override("en"):
        en = func()
    return zh, en


@pytest.mark.parametrize(
    ("module", "choice", "zh", "en"),
    [
        ("projects.models", "RecordStatus.DRAFT", "暂存", "Draft"),
        ("projects.models", "RecordStatus.SUBMITTED", "待审核", "Pending review"),
        ("projects.models", "RecordStatus.APPROVED", "审核通过", "Approved"),
        ("projects.models", "RecordStatus.REJECTED", "审核不通过", "Rejected"),
        ("projects.codes", "ProjectType.BUILDING", "房屋建筑工程", "Housing construction project"),
        ("projects.codes", "ProjectType.MUNICIPAL", "市政基础设施工程", "Municipal infrastructure project"),
        ("projects.codes", "TenderMethod.OPEN", "公开招标", "Open tender"),
        ("accounts.models", "Role.ENTERPRISE", "企业填报员", "Enterprise clerk"),
        ("accounts.models", "Role.REVIEWER", "主管部门审核员", "Bureau reviewer"),
        ("accounts.models", "Role.PROVINCIAL", "省厅工作人员", "Provincial staff"),
        ("accounts.models", "EnterpriseKind.SURVEY", "勘察", "Survey (勘察)"),
    ],
)
def test_choice_labels_follow_the_language(module, choice, zh, en):
    enum_name, member = choice.split(".")
    value = getattr(getattr(importlib.import_module(module), enum_name), member)
    assert _zh_and_en(lambda: str(value.label)) == (zh, en)


def test_model_and_field_names_follow_the_language():
    from projects.models import Project, Record, Tender

    assert _zh_and_en(lambda: str(Record._meta.verbose_name)) == ("业绩补录记录", "performance record")
    assert _zh_and_en(lambda: str(Tender._meta.get_field("tender_num").verbose_name)) == (
        "中标通知书编号",
        "bid-winning notice number",
    )
    assert _zh_and_en(lambda: str(Project._meta.get_field("all_invest").verbose_name)) == (
        "总投资（万元）",
        "total investment (10k yuan)",
    )


def _first_message(validator, value) -> str:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value.messages[0]  # rendered (with its params) in the active language


def test_validator_messages_follow_the_language():
    from accounts.validators import validate_id_card, validate_mobile, validate_uscc

    assert _zh_and_en(lambda: _first_message(validate_uscc, "91350100M0001TGQX")) == (
        "统一社会信用代码应为18位，当前填写了17位。",
        "The unified social credit code has 18 characters; 17 were entered.",
    )
    assert _zh_and_en(lambda: _first_message(validate_mobile, "+8613800138000")) == (
        "请填写11位手机号码，不要加国家代码+86。",
        "Enter the 11-digit mobile number without the country code +86.",
    )
    zh, en = _zh_and_en(lambda: _first_message(validate_id_card, "11010519491231002x"))
    assert zh == "身份证号码最后一位应为大写X：11010519491231002X。"
    assert en == "Write the last character of the ID card number as an uppercase X: 11010519491231002X."


# ----------------------------------------------------------------------------------------------------------
# The tool itself, on a throwaway project
# ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """An empty project tree for tools/i18n.py: write sources under it, then extract / update / check."""
    monkeypatch.setattr(i18n, "ROOT", tmp_path)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")

    def write(relpath: str, text: str) -> Path:
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


PY_SOURCE = """\
from django.utils.translation import gettext as _, gettext_lazy, ngettext, pgettext_lazy

# Translators: the page heading
TITLE = _("Hello " "world")
COUNT = ngettext("%(n)d record", "%(n)d records", 3)
VERB = pgettext_lazy("verb", "Open")
LABEL = gettext_lazy("Saved for %(name)s")
BAD = _(f"Hello {TITLE}")
"""

TEMPLATE_SOURCE = """\
{% load i18n %}
<h1>{% translate "Pending review" %}</h1>
<p>{% trans 'Draft' context "record status" %}</p>
{% blocktranslate trimmed with name=user.name %}
   Hello {{ name }},
   50% done.
{% endblocktranslate %}
{% blocktranslate count counter=n %}One file{% plural %}{{ counter }} files{% endblocktranslate %}
{{ value|default:_("None given") }}
"""


def test_extract_python_templates_and_js(sandbox):
    sandbox("portal/views.py", PY_SOURCE)
    sandbox("portal/migrations/0001_initial.py", 'X = _("Not extracted from migrations")\n')
    sandbox("bench/load.py", 'X = _("Not extracted from bench")\n')
    sandbox("portal/templates/portal/page.html", TEMPLATE_SOURCE)
    sandbox("static/js/app.js", "const a = gettext('Saved');\nconst b = pgettext(\"menu\", 'Open ' + \"file\");\n")

    extraction = i18n.extract()
    django = extraction.messages["django"]
    assert django[(None, "Hello world")].occurrences == [("portal/views.py", "4")]
    assert django[(None, "Hello world")].comments == ["Translators: the page heading"]
    assert django[(None, "%(n)d record")].msgid_plural == "%(n)d records"
    assert ("verb", "Open") in django
    assert (None, "Pending review") in django
    assert ("record status", "Draft") in django
    assert (None, "Hello %(name)s, 50%% done.") in django
    assert django[(None, "One file")].msgid_plural == "%(counter)s files"
    assert (None, "None given") in django
    assert not any("Not extracted" in msgid for _ctx, msgid in django)
    assert set(extraction.messages["djangojs"]) == {(None, "Saved"), ("menu", "Open file")}
    assert any("f-string" in w for w in extraction.warnings)


def _translate(po_file: Path, table: dict[str, str]) -> None:
    po = polib.pofile(str(po_file))
    for entry in po:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: table[entry.msgid]}
        elif entry.msgid in table:
            entry.msgstr = table[entry.msgid]
    po.save(str(po_file))


def test_update_then_check_round_trip(sandbox):
    source = sandbox("portal/views.py", PY_SOURCE)
    i18n.update(verbose=False)
    po_file = i18n.po_path("django")
    problems, _ = i18n.check()
    assert any("untranslated 'Hello world'" in p for p in problems)

    table = {
        "Hello world": "你好，世界",
        "%(n)d record": "%(n)d条记录",
        "Open": "打开",
        "Saved for %(name)s": "已为%(name)s保存",
    }
    _translate(po_file, table)
    problems, _ = i18n.check()
    assert problems == [
        f"{i18n._rel(i18n.mo_path('django'))} does not match {i18n._rel(po_file)} "
        "(4 entries added/removed, 0 changed, e.g. "
        "['%(n)d record', 'Hello world', 'Open', 'Saved for %(name)s']): "
        "run `python tools/i18n.py update`"
    ]
    i18n.update(verbose=False)
    assert i18n.check()[0] == []
    po = polib.pofile(str(po_file))
    assert "python-format" in po.find("Saved for %(name)s").flags
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"

    # A msgid reworded in the code: the old translation is offered as fuzzy, the old entry goes obsolete.
    source.write_text(PY_SOURCE.replace('"Saved for %(name)s"', '"Saved for %(name)s today"'), encoding="utf-8")
    problems, _ = i18n.check()
    assert any("missing from" in p and "Saved for %(name)s today" in p for p in problems)
    assert any("'Saved for %(name)s' is no longer in the code" in p for p in problems)
    i18n.update(verbose=False)
    po = polib.pofile(str(po_file))
    reworded = po.find("Saved for %(name)s today")
    assert reworded.fuzzy and reworded.msgstr == "已为%(name)s保存"
    assert po.find("Saved for %(name)s", include_obsolete_entries=True).obsolete
    problems, _ = i18n.check()
    assert any("fuzzy translation" in p for p in problems)


def test_check_reports_wrong_placeholders(sandbox):
    sandbox("portal/views.py", 'from django.utils.translation import gettext as _\nX = _("Hi %(name)s")\n')
    i18n.update(verbose=False)
    _translate(i18n.po_path("django"), {"Hi %(name)s": "你好，%(名字)s"})
    i18n.update(verbose=False)
    problems, _ = i18n.check()
    assert len(problems) == 1
    assert "missing %(name)s" in problems[0] and "unknown %(名字)s" in problems[0]
