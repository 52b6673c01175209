"""`python -m bench record_import` on a tiny load: the output format, the three paths in one run, nothing left
behind."""

from __future__ import annotations

import pytest

from accounts.models import User
from bench.__main__ import main
from bench.common import LINE_RE
from projects.models import Project, Record

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_record_import_prints_ratios_to_copy_and_leaves_nothing_behind(capsys):
    code = main(["record_import", "--rows", "300", "--enterprises", "3", "--batch-size", "100"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    results = {}
    for line in captured.out.splitlines():
        match = LINE_RE.fullmatch(line)
        assert match, f"not `name: value unit (ratio)`: {line!r}"
        results[match["name"]] = match.groupdict()
    assert list(results) == ["import_rows", "bulk_create_rows", "copy_rows", "import_vs_bulk_create"]
    assert results["copy_rows"]["ratio"] == "1.00" and float(results["import_rows"]["value"]) > 0
    assert "import_rows" in captured.err and "row counts checked" in captured.err
    assert not Record.objects.exists() and not Project.objects.exists()
    assert not User.objects.filter(username="bench_record_import").exists()
