from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from teams.views import roster as team_views

admin.site.site_header = "SDC Ops administration"
admin.site.site_title = "SDC Ops admin"

urlpatterns = [
    path("", include("teams.urls")),
    path("", include("scheduling.urls")),
    path("", include("performance.urls")),
    # Throttled, and sent from a task.
    path("accounts/password_reset/", team_views.password_reset, name="password_reset"),
    # Django's own views, each also writing its audit event (teams/audit.py); the rest
    # of Django's account views as they are.
    path(
        "accounts/reset/<uidb64>/<token>/",
        team_views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password_change/",
        team_views.PasswordChange.as_view(),
        name="password_change",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # OpenAPI schema of the API (performance/api/, scheduling/api/); public, describes no data.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI with its start-up script from a URL, not inline (the CSP allows none).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
]
