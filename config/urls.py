from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from kembar.accounts.notifications import notification_list, notification_mark_read
from kembar.common.language import language_switch
from kembar.core.views import healthz, readyz
from kembar.guidance.urls import staff_urlpatterns as staff_guidance
from kembar.insights.urls import staff_urlpatterns as staff_insights

api_v1 = [
    path("", include("kembar.accounts.api.urls")),
    path("", include("kembar.geo.api.urls")),
    path("", include("kembar.partnerships.api.urls")),
    path("", include("kembar.programs.api.urls")),
    path("", include("kembar.participation.api.urls")),
    path("", include("kembar.insights.api.urls")),
    path("", include("kembar.knowledge.api.urls")),
    path("", include("kembar.national.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("i18n/setlang/", language_switch, name="set_language"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(api_v1)),
    path("accounts/", include("kembar.accounts.urls")),
    path("warga/", include("kembar.accounts.citizen_urls")),
    path("", include("kembar.participation.public_urls")),
    path("notifications/", notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", notification_mark_read, name="notification-read"),
    path("staff/activities/", include("kembar.programs.urls")),
    path("staff/opportunities/", include("kembar.participation.urls")),
    path("staff/reports/", include("kembar.reports.urls")),
    path("open-data/", include("kembar.opendata.urls")),
    path("staff/jobs/", include("kembar.jobs.urls")),
    path("staff/insights/", include((staff_insights, "insights-staff"))),
    path("insights/", include("kembar.insights.urls")),
    path("staff/knowledge/", include("kembar.knowledge.urls")),
    path("staff/guidance/", include((staff_guidance, "guidance-staff"))),
    path("guidance/", include("kembar.guidance.urls")),
    path("staff/search/", include("kembar.search.urls")),
    path("staff/national/", include("kembar.national.urls")),
    path("staff/", include("kembar.partnerships.urls")),
    path("admin/", admin.site.urls),
    path("", include("kembar.portal.urls")),
]

# JSON under /api/, Kembar's own pages elsewhere (kembar.core.errors).
handler400 = "kembar.core.errors.bad_request"
handler403 = "kembar.core.errors.permission_denied"
handler404 = "kembar.core.errors.page_not_found"
handler500 = "kembar.core.errors.server_error"
