"""/api/v1/: the enterprise's operations. Every name here has its entry in config/access.py:URL_ROLES."""

from django.urls import path

from . import check, views
from .qualification import QualificationRecordsView

app_name = "api"

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="token"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path("records/", views.RecordListCreateView.as_view(), name="record-list"),
    path("records/<int:pk>/", views.RecordDetailView.as_view(), name="record-detail"),
    path("records/<int:pk>/submit/", views.RecordSubmitView.as_view(), name="record-submit"),
    path("records/<int:pk>/check", check.RecordCheckView.as_view(), name="record-check"),  # the rule check (issue 12)
    path("records/<int:pk>/direct-review/", views.RecordDirectReviewView.as_view(), name="record-direct-review"),
    path("records/<int:pk>/attachments/", views.AttachmentListCreateView.as_view(), name="record-attachments"),
    path(
        "records/<int:pk>/attachments/<int:att_id>/",
        views.AttachmentDetailView.as_view(),
        name="record-attachment",
    ),
    # the qualification review systems (J4, G11; ADR 0015), with their key
    path(
        "qualification/enterprises/<str:credit_code>/records/",
        QualificationRecordsView.as_view(),
        name="qualification-records",
    ),
]
