"""`python -m bench load_records` on a tiny load: the output format, the rows it loads, and that they are valid.

The benchmark commits its own transactions when run for real; here it runs inside the test's transaction (its
transactions become savepoints, and it checks deferred foreign keys itself before each "commit"), so everything it
does, TRUNCATE and ALTER TABLE included, is rolled back and the seed data of the migrations stays for later tests.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F

from bench.__main__ import main
from bench.common import LINE_RE
from bench.load_records import _copy_text
from projects import models as m

pytestmark = pytest.mark.django_db

STAGE_MODELS = [
    m.Project,
    m.Record,
    m.Tender,
    m.Contract,
    m.Censor,
    m.BuilderLicence,
    m.FinishCheck,
    m.FinishRecord,
    m.UnitProject,
    m.ProjectCorp,
]


def run_bench(capsys, *args: str) -> tuple[int, dict[str, dict], str]:
    code = main(["load_records", "--no-checkpoint", *args])
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    for line in lines:
        assert LINE_RE.fullmatch(line), f"not `name: value unit (ratio)`: {line!r}"
    return code, {LINE_RE.fullmatch(line)["name"]: LINE_RE.fullmatch(line).groupdict() for line in lines}, captured.err


def test_load_records_prints_ratios_and_loads_every_stage_of_every_record(capsys):
    code, results, _err = run_bench(capsys, "--rows", "200", "--batch-size", "64", "--orm-no-triggers", "--keep")

    assert code == 0
    for name in [
        "orm_bulk_create_all_stages",
        "orm_bulk_create_all_stages_no_triggers",
        "copy_all_stages",
        "copy_all_stages_no_triggers",
    ]:
        assert results[name]["unit"] == "rows/s"
        assert float(results[name]["value"]) > 0
        assert results[f"{name}_seconds"]["unit"] == "s"
    for name in [
        "history_triggers_copy_seconds",
        "history_triggers_orm_seconds",
        "generate_rows_seconds",
        "copy_serialize_seconds",
    ]:
        assert results[name]["unit"] == "s"
    assert {r["baseline"] for r in results.values()} == {"copy"}
    assert results["copy_all_stages"]["ratio"] == "1.00"

    # --keep leaves the last phase, the ORM with its history: every record with all its stage rows.
    for model in STAGE_MODELS:
        assert model.objects.count() == 200, model
        assert model.events.field.model.objects.filter(pgh_label="insert").count() == 200, model
    complete = m.Record.objects.filter(
        tender__isnull=False,
        contract__isnull=False,
        censor__isnull=False,
        licence__isnull=False,
        finish_check__isnull=False,
        finish_record__isnull=False,
    )
    assert complete.count() == 200
    assert not m.ProjectCorp.objects.exclude(unit__project=F("record__project")).exists()
    assert m.Project.objects.values("prj_num").distinct().count() == 200


def test_loaded_rows_pass_the_models_validation(capsys):
    code, _results, _err = run_bench(capsys, "--rows", "30", "--keep")

    assert code == 0
    for model in STAGE_MODELS:
        # The record's status is a protected FSM field, which full_clean() cannot set back.
        exclude = ["status"] if model is m.Record else None
        for obj in model.objects.all():
            obj.full_clean(exclude=exclude)  # valid project, permit, credit and ID card numbers, phones, lengths
    record = m.Record.objects.select_related("finish_record", "finish_check", "licence", "tender").first()
    assert record.tender.tender_result_date < record.licence.release_date < record.finish_check.e_date
    assert record.finish_check.e_date <= record.finish_record.e_date < record.campaign.scope_completed_before


def test_without_keep_it_leaves_nothing_behind(capsys):
    from accounts.models import Enterprise

    enterprises = Enterprise.objects.count()
    code, _results, _err = run_bench(capsys, "--rows", "20", "--enterprises", "5")

    assert code == 0
    for model in STAGE_MODELS:
        assert not model.objects.exists(), model
        assert not model.events.field.model.objects.exists(), model
    assert Enterprise.objects.count() == enterprises


def test_it_refuses_to_empty_tables_that_hold_data(capsys):
    from tests.factories import RecordFactory

    RecordFactory()
    code, results, err = run_bench(capsys, "--rows", "10")

    assert code == 1
    assert results == {}
    assert "projects_record" in err
    assert m.Record.objects.count() == 1


def test_copy_text_format():
    assert _copy_text(None) == "\\N"
    assert _copy_text(True) == "t"
    assert _copy_text("a\tb\nc\\d\re") == "a\\tb\\nc\\\\d\\re"
    assert _copy_text(dt.date(2013, 5, 1)) == "2013-05-01"
    assert _copy_text(Decimal("12.3400")) == "12.3400"


def test_generated_numbers_are_valid_unique_and_reproducible():
    from accounts import validators as v
    from bench.recordgen import County, enterprise_fixtures, generate

    counties = [County("450103", "青秀区", "南宁市", "450000"), County("220102", "南关区", "长春市", "220000")]
    firms = [f.__class__(f.name, f.code, f.kind, n) for n, f in enumerate(enterprise_fixtures(counties, 4, 1))]
    campaigns = {"450000": 1, "220000": 2}
    n = 4_100  # 2,050 records per county: more than one sequence number per county and day

    tables = {t.key: t for t in generate(n, counties, firms, campaigns, seed=7)}
    assert generate(30, counties, firms, campaigns, seed=7)[0].rows == tables["project"].rows[:30]  # same seed

    def column(key: str, name: str) -> list:
        index = tables[key].fields.index(name)
        return [row[index] for row in tables[key].rows]

    prj_nums = column("project", "prj_num")
    assert len(set(prj_nums)) == n
    for value in prj_nums[::7]:
        v.validate_prj_num(value)
    for value in column("licence", "licence_cert_no")[::7]:
        v.validate_licence_cert_no(value)
    for value in column("corp", "person_id_card")[::7]:
        v.validate_id_card(value)
    for value in column("corp", "person_phone")[::7]:
        v.validate_phone(value)
    for key, name in [
        ("project", "build_corp_code"),
        ("corp", "corp_code"),
        ("censor", "censor_corp_code"),
        ("tender", "agency_corp_code"),
    ]:
        for value in column(key, name)[::7]:
            v.validate_uscc(value)


def test_generate_places_records_where_county_of_says_with_unique_numbers():
    from bench.recordgen import County, enterprise_fixtures, generate, mark_submitted

    counties = [County("450103", "青秀区", "南宁市", "450000"), County("450102", "兴宁区", "南宁市", "450000")]
    firms = [f.__class__(f.name, f.code, f.kind, n) for n, f in enumerate(enterprise_fixtures(counties, 4, 1))]
    n = 300

    tables = {
        t.key: t
        for t in generate(
            n, counties, firms, {"450000": 1}, seed=3, county_of=lambda i: counties[0] if i % 3 else counties[1]
        )
    }
    project = tables["project"]
    county_at = project.fields.index("county_id")
    assert sum(row[county_at] == "450103" for row in project.rows) == 200
    assert len({row[project.fields.index("prj_num")] for row in project.rows}) == n

    at = dt.datetime(2017, 6, 1, tzinfo=dt.UTC)
    mark_submitted(
        list(tables.values()),
        {"450103": 7, "450102": 8},
        lambda i: at,
        lambda i: at + dt.timedelta(days=i),
        {1: [11, 12]},
    )
    record = tables["record"]
    row = dict(zip(record.fields, record.rows[4], strict=True))
    assert (row["status"], row["responsible_authority_id"], row["track_id"]) == ("submitted", 7, 11)
    assert row["review_deadline"] - row["submitted_at"] == dt.timedelta(days=4)
