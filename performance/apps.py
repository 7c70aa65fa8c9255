from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        from teams.selectors import home_panel_providers

        from .home import kpi_alerts

        if kpi_alerts not in home_panel_providers:
            home_panel_providers.append(kpi_alerts)

        from .people_home import overdue_one_on_ones_panel

        if overdue_one_on_ones_panel not in home_panel_providers:
            home_panel_providers.append(overdue_one_on_ones_panel)
