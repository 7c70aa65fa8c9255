from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db.models.signals import post_delete, post_migrate, post_save


def _usual_kpis_when_there_are_none(apps: Apps | None = None, **kwargs: Any) -> None:
    """A database without any KPI gets the usual ones, like Django's content types.

    The data migration seeds them once; this covers a database flushed after
    migrating (`manage.py flush`, transactional tests), which sends post_migrate.
    KPIs an ops admin deleted on purpose stay deleted while any other remains."""
    from .defaults import ensure_usual_kpis

    kpi = (apps or global_apps).get_model("performance", "Kpi")
    if not kpi.objects.using(kwargs.get("using", "default")).exists():
        ensure_usual_kpis(kpi)


class PerformanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        post_migrate.connect(_usual_kpis_when_there_are_none, sender=self)

        from teams.models import Associate, Site, Team, User

        from .cache import bump_after_edit
        from .models import Kpi

        # The dashboards' cached figures show these; an edit must not wait for the TTL.
        for model in (Kpi, Site, Team, Associate, User):
            for signal in (post_save, post_delete):
                signal.connect(
                    bump_after_edit, sender=model, dispatch_uid=f"kpi-cache-{model.__name__}"
                )

        from teams.selectors import health_providers, home_panel_providers, team_column_providers

        from .services.rollups import health

        if health not in health_providers:
            health_providers.append(health)

        from .home import associate_panels, kpi_alerts, manager_columns, overdue_one_on_ones_panel

        for provider in (kpi_alerts, overdue_one_on_ones_panel, associate_panels):
            if provider not in home_panel_providers:
                home_panel_providers.append(provider)
        # issue 16: recognition
        from .home import celebrations_panel

        if celebrations_panel not in home_panel_providers:
            home_panel_providers.append(celebrations_panel)
        if manager_columns not in team_column_providers:
            team_column_providers.append(manager_columns)

        from teams.selectors import subject_export_providers

        from .selectors.data_export import subject_export

        if subject_export not in subject_export_providers:
            subject_export_providers.append(subject_export)

        from teams.selectors import history_retention_providers, retention_providers

        from .services.retention import anonymise_associate, scrub_old_history

        if anonymise_associate not in retention_providers:
            retention_providers.append(anonymise_associate)
        if scrub_old_history not in history_retention_providers:
            history_retention_providers.append(scrub_old_history)

        from teams.selectors import protected_time_providers

        from .selectors.one_on_ones import booked_one_on_ones

        if booked_one_on_ones not in protected_time_providers:
            protected_time_providers.append(booked_one_on_ones)
