from django.db import migrations

from performance.defaults import ensure_usual_kpis


def seed(apps, schema_editor):
    ensure_usual_kpis(apps.get_model("performance", "Kpi"))


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
