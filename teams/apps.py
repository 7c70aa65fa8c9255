from django.apps import AppConfig


class TeamsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "teams"
    verbose_name = "Teams and roster"

    def ready(self) -> None:
        from django.contrib.auth import signals

        from . import audit

        # After django-axes's own receivers (axes is installed before teams), so a
        # failed login already knows whether axes locked it out.
        signals.user_logged_in.connect(audit.on_logged_in, dispatch_uid="teams.audit.login")
        signals.user_logged_out.connect(audit.on_logged_out, dispatch_uid="teams.audit.logout")
        signals.user_login_failed.connect(
            audit.on_login_failed, dispatch_uid="teams.audit.login_failed"
        )

        # hiring: requisitions (the manager's "Requisitions to approve")
        from .selectors import team_column_providers
        from .selectors.requisitions import manager_columns

        if manager_columns not in team_column_providers:
            team_column_providers.append(manager_columns)
