"""The dashboards' covering index gains associate_id, so per-associate sums read
the index alone. On PostgreSQL the new index is built CONCURRENTLY before the old
one is dropped CONCURRENTLY: the rollups table stays readable and writable while
it builds (hence a non-atomic migration)."""

from django.db import migrations, models

OLD = models.Index(
    fields=["team", "scope", "day"],
    include=("kpi", "value", "numerator", "denominator", "event_count", "contributors"),
    name="rollup_team_scope_day",
)
NEW = models.Index(
    fields=["team", "scope", "day"],
    include=(
        "kpi",
        "associate",
        "value",
        "numerator",
        "denominator",
        "event_count",
        "contributors",
    ),
    name="rollup_team_scope_day_cover",
)


def _swap(apps, schema_editor, add, remove):
    model = apps.get_model("performance", "DailyKpi")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(model, add, concurrently=True)
        schema_editor.remove_index(model, remove, concurrently=True)
    else:
        schema_editor.add_index(model, add)
        schema_editor.remove_index(model, remove)


def forwards(apps, schema_editor):
    _swap(apps, schema_editor, NEW, OLD)


def backwards(apps, schema_editor):
    _swap(apps, schema_editor, OLD, NEW)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("performance", "0007_dailykpi_dashboard_indexes"),
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="dailykpi", name="rollup_team_scope_day"),
                migrations.AddIndex(model_name="dailykpi", index=NEW),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
