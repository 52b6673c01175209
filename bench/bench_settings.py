"""The settings gunicorn runs with in `python -m bench portal_pages`: the project's own, with one URL more.

Everything comes from `config.settings` (and so from the environment, as in a deployment); only ROOT_URLCONF is
swapped for `bench.bench_urls`, the project's URLs plus the bare view the pages are measured against. Never used
outside the benchmark's gunicorn.
"""

from django.conf import global_settings

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"

# The benchmarks' smoke tests make their users with the tests' fast MD5 hasher (tests/conftest.py): this server must
# read those hashes too. New passwords are still hashed with the first (the default) hasher.
PASSWORD_HASHERS = [*global_settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
