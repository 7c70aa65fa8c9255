from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from teams.selectors import (
            home_panel_providers,
            schedule_event_providers,
            subject_export_providers,
            team_column_providers,
            week_label_providers,
        )

        from .selectors.data_export import subject_export
        from .selectors.home import associate_panels, manager_columns
        from .selectors.schedule import published_week_labels, schedule_events

        if associate_panels not in home_panel_providers:
            home_panel_providers.append(associate_panels)
        if manager_columns not in team_column_providers:
            team_column_providers.append(manager_columns)

        if published_week_labels not in week_label_providers:
            week_label_providers.append(published_week_labels)
        if schedule_events not in schedule_event_providers:
            schedule_event_providers.append(schedule_events)
        if subject_export not in subject_export_providers:
            subject_export_providers.append(subject_export)

        # issue 16: training — single points of failure on the lead's home, and the
        # skills each team needs (the home's thin-coverage list).
        from teams.selectors import skill_need_providers

        from .selectors.home import single_points_panel
        from .selectors.single_points import needed_skill_ids

        if single_points_panel not in home_panel_providers:
            home_panel_providers.append(single_points_panel)
        if needed_skill_ids not in skill_need_providers:
            skill_need_providers.append(needed_skill_ids)

        from teams.selectors import history_retention_providers, retention_providers

        from .services.retention import anonymise_associate, scrub_old_history

        if anonymise_associate not in retention_providers:
            retention_providers.append(anonymise_associate)
        if scrub_old_history not in history_retention_providers:
            history_retention_providers.append(scrub_old_history)

        # hiring: the staffing gap beside a requisition
        from teams.selectors import staffing_gap_providers

        from .selectors.capacity_overview import staffing_gaps

        if staffing_gaps not in staffing_gap_providers:
            staffing_gap_providers.append(staffing_gaps)
