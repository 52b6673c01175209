"""The Celery application. Tasks are thin adapters that call services (STYLE.md)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("yeji")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
