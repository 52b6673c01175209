"""/public/: what anyone may read without logging in (J5 公示). Every name here is public in config/access.py
("public:*"); nothing under it writes (GET and HEAD only).

The printed record's verification page (/public/verify/…) joins these patterns from its own module."""

from django.urls import path

from . import verify, views

app_name = "public"

urlpatterns: list = [
    path("", views.search_page, name="search"),
    path("projects/<str:prj_num>/", views.project_page, name="project"),
    path("records/<int:pk>/", views.record_page, name="record"),
    path("verify/<str:code>/", verify.verify_view, name="verify"),  # a printed record's code (public/verify.py)
    path("regions/", views.region_children, name="regions"),
    path("regions/<str:code>/", views.region_children, name="region_children"),
]
