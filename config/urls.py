from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from transfer import exports as transfer_exports

from . import admin_export, admin_menu
from .health import healthz
from .views import home

admin.site.site_header = _("Performance Backfill Platform")
admin.site.site_title = _("Performance Backfill Platform")
admin.site.index_title = _("Review workbench")
admin.site.index_template = "admin/yeji_index.html"  # the workbench and calendar alerts
admin_menu.install(admin.site)  # the menus by role, over the pages the apps add
admin_export.install(admin.site)  # 导出 Excel on every admin list (issue 13 item 4)
transfer_exports.install(admin.site)  # 附件3 and 抽查导出 (transfer/exports.py)

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("portal/", include("portal.urls")),
    path("public/", include("public.urls")),
    path("api/v1/public/", include("public.api_urls")),  # before api/v1/: the public search's JSON (J5)
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
