from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def keep_newest_pending(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Before the constraint: where a race left two pending requests for one comp
    day, keep the newest, as the app always meant to."""
    request_model = apps.get_model("scheduling", "CompDayRequest")
    seen: set[int] = set()
    for ask in request_model.objects.filter(status="pending").order_by(
        "comp_day_id", "-requested_at", "-pk"
    ):
        if ask.comp_day_id in seen:
            ask.delete()
        else:
            seen.add(ask.comp_day_id)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0007_coverage_bounds"),
    ]

    operations = [
        migrations.RunPython(keep_newest_pending, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="compdayrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("comp_day",),
                name="one_pending_request_per_comp_day",
                violation_error_message="This comp day already has an open request.",
            ),
        ),
    ]
