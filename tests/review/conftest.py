"""Fixtures of the review tests (`seeded` lives in tests/conftest.py: every app's transactional tests need it)."""
