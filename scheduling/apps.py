from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from teams.selectors import week_label_providers

        from .selectors import published_week_labels

        if published_week_labels not in week_label_providers:
            week_label_providers.append(published_week_labels)
