"""/api/v1/public/: the public search's read-only JSON (J5). Anyone may call it ("public_api:*" in config/access.py);
mounted in config/urls.py before the enterprise API's /api/v1/."""

from django.urls import path
from django.views.decorators.http import conditional_page

from . import api

app_name = "public_api"

urlpatterns = [
    path("projects/", conditional_page(api.ProjectListView.as_view()), name="projects"),
    path("projects/<str:prj_num>/", conditional_page(api.ProjectDetailView.as_view()), name="project"),
]
