from django.urls import path

from . import api, review_views, views
from .people_urls import urlpatterns as people_urlpatterns

app_name = "performance"

urlpatterns = [
    path("kpis/import/", views.kpi_import, name="kpi-import"),
    path("account/api-token/", api.api_token, name="api-token"),
    path("account/api-token/rotate/", api.api_token_rotate, name="api-token-rotate"),
    path("account/api-token/revoke/", api.api_token_revoke, name="api-token-revoke"),
    path("api/v1/kpi-events/", api.KpiEventsView.as_view(), name="api-kpi-events"),
    path("api/v1/kpi-rollups/", api.KpiRollupsView.as_view(), name="api-kpi-rollups"),
    path("kpis/", views.kpi_overview, name="kpi-overview"),
    path("kpis/teams/<int:team_id>/", views.team_dashboard, name="team-dashboard"),
    path(
        "kpis/associates/<int:associate_id>/",
        views.associate_dashboard,
        name="associate-dashboard",
    ),
    # review cycles
    path("reviews/", review_views.cycle_list, name="cycle-list"),
    path("reviews/new/", review_views.cycle_create, name="cycle-create"),
    path("reviews/mine/", review_views.my_reviews, name="my-reviews"),
    path("reviews/cycles/<int:cycle_id>/", review_views.cycle_progress, name="cycle-progress"),
    path(
        "reviews/cycles/<int:cycle_id>/calibration/",
        review_views.cycle_calibration,
        name="cycle-calibration",
    ),
    path("reviews/<int:review_id>/", review_views.review_detail, name="review-detail"),
    path("reviews/<int:review_id>/self/", review_views.review_self, name="review-self"),
    path("reviews/<int:review_id>/lead/", review_views.review_lead, name="review-lead"),
    path(
        "reviews/<int:review_id>/skip-self-review/",
        review_views.review_skip_self,
        name="review-skip-self",
    ),
    path(
        "reviews/<int:review_id>/calibrate/",
        review_views.review_calibrate,
        name="review-calibrate",
    ),
    path("reviews/<int:review_id>/share/", review_views.review_share, name="review-share"),
    path(
        "reviews/<int:review_id>/acknowledge/",
        review_views.review_acknowledge,
        name="review-acknowledge",
    ),
    path("reviews/<int:review_id>/history/", review_views.review_history, name="review-history"),
]

# 1:1s, feedback and goals
urlpatterns += people_urlpatterns
