"""manage.py export_spot_check --province 45 [--output FILE]: the province's published records as the CSV of the
national platform's spot checks (抽查; transfer/exports.py). Without --output the CSV goes to standard output."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Region
from projects.models import Record
from transfer.exports import csv_chunks, spot_check_lines


class Command(BaseCommand):
    help = "Write the published records of a province as CSV (UTF-8 with BOM) for the national platform's spot checks."

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="region code of the province: 45 or 450000")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, province: str, output: str | None, **options):
        prefix = province[:2]
        if not prefix.isdigit() or not Region.objects.filter(code=f"{prefix}0000").exists():
            raise CommandError(f"未知的省级行政区划代码：{province}（例如 45 或 450000）")
        records = Record.objects.filter(project__county__code__startswith=prefix)
        lines = []  # one entry per line written, the header included

        def counted():
            for line in spot_check_lines(records):
                lines.append(None)
                yield line

        target = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
        try:
            for piece in csv_chunks(counted()):
                target.write(piece)
        finally:
            if output:
                target.close()
        if output:
            self.stderr.write(f"{len(lines) - 1} records written to {output}")
