"""Benchmarks of 业绩补录平台, run with `make bench` or `python -m bench [NAME [options]]`.

The machine they run on is noisy, so no benchmark prints a bare number: every measurement is printed with its
ratio to a baseline measured in the same run, one line each, in the form

    name: value unit (ratio)

for example `orm_bulk_create_all_stages: 8123 rows/s (0.21x copy)`. Progress and notes go to stderr, so stdout
holds only measurement lines (`bench.common.LINE_RE` matches them).

Every benchmark is a module of this package with `DESCRIPTION`, `add_arguments(parser)` and
`run(options) -> list[Measurement]`, listed in `BENCHMARKS`. A benchmark works against the database Django is
configured for (`DATABASE_URL`): run it against a database of its own, never one whose data matters.
"""

#: Benchmark name -> module, in the order `python -m bench` runs them.
BENCHMARKS: dict[str, str] = {
    "load_records": "bench.load_records",
    "portal_pages": "bench.pages",
    "auto_approve": "bench.auto_approve",
    "queue_page": "bench.queue_page",
    "push": "bench.push",
    "public_search": "bench.public_search",
    "legacy_import": "bench.legacy_import",
    "record_import": "bench.record_import",
}
