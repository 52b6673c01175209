"""/public/: what anyone may read without logging in (J5 公示). Every name here is public in config/access.py
("public:*"); nothing under it writes."""

from django.urls import path  # noqa: F401

app_name = "public"

urlpatterns: list = []
