"""The settings gunicorn runs with in `python -m bench portal_pages`: the project's own, with one URL more.

Everything comes from `config.settings` (and so from the environment, as in a deployment); only ROOT_URLCONF is
swapped for `bench.bench_urls`, the project's URLs plus the bare view the pages are measured against. Never used
outside the benchmark's gunicorn.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
