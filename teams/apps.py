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

        # hiring: onboarding (the new joiner's card, a lead's overdue items)
        from .selectors import home_panel_providers
        from .selectors.onboarding import joiner_panels, lead_panels

        for provider in (joiner_panels, lead_panels):
            if provider not in home_panel_providers:
                home_panel_providers.append(provider)
        # hiring: applications (a lead's stale applications on the home page)
        from .selectors.applications import stale_applications_panel

        if stale_applications_panel not in home_panel_providers:
            home_panel_providers.append(stale_applications_panel)
        # hiring: interviews
        from .selectors.interviews import scorecards_to_submit_panel

        if scorecards_to_submit_panel not in home_panel_providers:
            home_panel_providers.append(scorecards_to_submit_panel)

        # hiring: requisitions (the manager's "Requisitions to approve")
        from .selectors import team_column_providers
        from .selectors.requisitions import manager_columns

        if manager_columns not in team_column_providers:
            team_column_providers.append(manager_columns)

        # hiring: CV files (a deleted candidate's CV leaves the private storage)
        from django.db.models.signals import post_delete

        from .models import Candidate
        from .services.candidates import delete_cv_after_commit

        post_delete.connect(
            delete_cv_after_commit, sender=Candidate, dispatch_uid="teams.hiring.cv_files"
        )
