"""Run the benchmarks: `python -m bench` runs every one with its defaults, `python -m bench NAME [options]` one.

    python -m bench                                # all of them
    python -m bench load_records --rows 20000      # one, with its options (`--help` lists them)
    python -m bench --list

Django is set up here (DJANGO_SETTINGS_MODULE defaults to config.settings) and the benchmarks work against the
database of `DATABASE_URL`; `make bench` runs this under `devtools.services`, which starts an embedded
PostgreSQL when no `DATABASE_URL` is given. Measurement lines go to stdout, everything else to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from bench import BENCHMARKS
from bench.common import BenchError, note


def setup_django() -> None:
    """Configure Django unless the caller (pytest-django, a shell) already has."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


def _module(name: str):
    return importlib.import_module(BENCHMARKS[name])


def run_one(name: str, argv: Sequence[str]) -> None:
    module = _module(name)
    parser = argparse.ArgumentParser(prog=f"python -m bench {name}", description=module.DESCRIPTION)
    module.add_arguments(parser)
    options = parser.parse_args(list(argv))
    for measurement in module.run(options):
        print(measurement.line(), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if argv and argv[0] == "--list":
        for name in BENCHMARKS:
            print(f"{name}: {_module(name).DESCRIPTION}")
        return 0
    if argv and argv[0] not in BENCHMARKS:
        print(f"unknown benchmark {argv[0]!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    names = [argv[0]] if argv else list(BENCHMARKS)
    setup_django()
    try:
        for name in names:
            note(f"benchmark {name}")
            run_one(name, argv[1:] if argv else [])
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
