"""A mock of the national platform (全国建筑市场监管公共服务平台) as provinces reach it: the other side.

It imports nothing of the 业绩补录平台: its own storage (a SQLite file, never our tables), its own reading of the
2018 data standard (standard.json, built by build_standard.py from the standard's tables in
../shared/research/national-standard-2018-tables.txt), its own validation.
Run: `python -m national_mock` (gunicorn on 127.0.0.1:8001).
"""
