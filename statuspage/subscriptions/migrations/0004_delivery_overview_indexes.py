"""Indexes for the incident admin's per-update counts and dead rows; the deliveries vacuumed more often."""

import django.db.models.deletion
from django.db import migrations, models

# Index-only scans skip the table only on pages the visibility map marks all-visible; deliveries churn
# (inserted pending, then sent or dead), so vacuum after 2 % of the rows changed or were added, not 20 %.
VACUUM_OFTEN = (
    "ALTER TABLE subscriptions_delivery SET "
    "(autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02)"
)
VACUUM_DEFAULT = (
    "ALTER TABLE subscriptions_delivery RESET "
    "(autovacuum_vacuum_scale_factor, autovacuum_vacuum_insert_scale_factor)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("components", "0002_component_status_log"),
        ("incidents", "0002_operator_workflow"),
        ("subscriptions", "0003_chat_and_operator_channels"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("update__isnull", False)),
                fields=["update", "channel", "state"],
                name="delivery_update_channel_state",
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("state", "dead")), fields=["update", "id"], name="delivery_dead_by_update"
            ),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="update",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="incidents.incidentupdate",
            ),
        ),
        migrations.RunSQL(VACUUM_OFTEN, VACUUM_DEFAULT),
    ]
