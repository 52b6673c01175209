"""The enterprise portal under /portal/ (who may open each URL: config/access.py, names "portal:*")."""

from django.urls import path

from . import corrections, print_views, qualification_views, transfer_views, views

app_name = "portal"

urlpatterns = [
    path("", views.record_list, name="records"),
    # 导出 and 批量导入 of 我的业绩 (issue 13): the list's records to Excel / GBK CSV, the records import's jobs
    path("records/export/<str:fmt>/", transfer_views.records_export, name="records_export"),
    path("imports/", transfer_views.imports, name="imports"),
    path("imports/template/", transfer_views.import_template, name="import_template"),
    path("imports/<int:pk>/", transfer_views.import_job, name="import_job"),
    path("imports/<int:pk>/progress/", transfer_views.import_job_progress, name="import_job_progress"),
    path("imports/<int:pk>/report/", transfer_views.import_job_report, name="import_job_report"),
    path("imports/<int:pk>/errors/", transfer_views.import_job_errors, name="import_job_errors"),
    path("imports/<int:pk>/requeue/", transfer_views.import_job_requeue, name="import_job_requeue"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("records/new/", views.record_new, name="record_new"),
    path("records/<int:pk>/", views.record_page, name="record"),
    path("records/<int:pk>/submit/", views.record_submit, name="record_submit"),
    path("records/<int:pk>/direct-review/", views.record_direct_review, name="record_direct_review"),
    path("records/<int:pk>/check/", views.record_check, name="record_check"),
    path("records/<int:pk>/receipt/", views.record_receipt, name="record_receipt"),
    path("records/<int:pk>/delete/", views.record_delete_view, name="record_delete"),
    path("records/<int:pk>/print/", print_views.record_print, name="record_print"),  # 打印 (issue 12)
    path("records/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    # 申请更正 and 下载并完善 (J7, issue 12), the evidence files of a correction request
    path("records/<int:pk>/correction/", corrections.correction_new, name="correction_new"),
    path("records/<int:pk>/complete/", corrections.completion_start, name="completion_start"),
    path("correction-evidence/<int:pk>/", corrections.correction_evidence, name="correction_evidence"),
    path("credit/", views.credit_file, name="credit_file"),
    path("notices/", views.notices, name="notices"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("regions/<str:code>/", views.region_children, name="region_children"),
    # 资质申报业绩 (J4, G11)
    path("qualification/", qualification_views.application_index, name="applications"),
    path("qualification/<int:pk>/", qualification_views.application_page, name="application"),
    path("qualification/<int:pk>/picks/", qualification_views.pick_add, name="application_pick_add"),
    path(
        "qualification/<int:pk>/picks/<int:pick_pk>/delete/",
        qualification_views.pick_remove,
        name="application_pick_remove",
    ),
    path("qualification/<int:pk>/delete/", qualification_views.application_delete, name="application_delete"),
    path("qualification/<int:pk>/export.xlsx", qualification_views.application_xlsx, name="application_xlsx"),
    path("qualification/<int:pk>/export.pdf", qualification_views.application_pdf, name="application_pdf"),
]
