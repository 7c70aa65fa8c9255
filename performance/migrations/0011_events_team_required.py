# Split from 0010: PostgreSQL cannot alter a table with the backfill's pending
# foreign-key checks in the same transaction.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0010_events_keep_their_team"),
    ]

    operations = [
        migrations.AlterField(
            model_name="kpievent",
            name="site",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="teams.site"
            ),
        ),
        migrations.AlterField(
            model_name="kpievent",
            name="team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="teams.team"
            ),
        ),
    ]
