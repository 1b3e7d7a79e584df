"""Hourly and daily rollups of probe results and their watermark; a lower fillfactor leaves room for
in-page (HOT) updates."""

import django.db.models.deletion
from django.db import migrations, models


def rollup_fields():
    return [
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
        ("region", models.CharField(max_length=40)),
        ("probes", models.PositiveIntegerField(default=0)),
        ("outcomes", models.JSONField(default=dict)),
        ("up_ms", models.BigIntegerField(default=0)),
        ("degraded_ms", models.BigIntegerField(default=0)),
        ("down_ms", models.BigIntegerField(default=0)),
        ("unknown_ms", models.BigIntegerField(default=0)),
        ("ttft", models.JSONField(default=dict)),
        ("total", models.JSONField(default=dict)),
        ("tps", models.JSONField(default=dict)),
        (
            "monitor",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="monitors.monitor",
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("monitors", "0002_partitioned_results"),
    ]

    operations = [
        migrations.CreateModel(
            name="HourlyRollup",
            fields=[*rollup_fields(), ("hour", models.DateTimeField())],
            options={
                "indexes": [models.Index(fields=["hour"], name="hourlyrollup_hour")],
                "constraints": [
                    models.UniqueConstraint(fields=("monitor", "region", "hour"), name="hourlyrollup_key")
                ],
            },
        ),
        migrations.CreateModel(
            name="DailyRollup",
            fields=[*rollup_fields(), ("day", models.DateField())],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("monitor", "region", "day"), name="dailyrollup_key")
                ],
            },
        ),
        migrations.CreateModel(
            name="RollupProgress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("through", models.DateTimeField(null=True)),
            ],
        ),
        migrations.RunSQL(
            "ALTER TABLE monitors_hourlyrollup SET (fillfactor = 70);"
            "ALTER TABLE monitors_dailyrollup SET (fillfactor = 70);"
            "INSERT INTO monitors_rollupprogress (id, through) VALUES (1, NULL);",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
