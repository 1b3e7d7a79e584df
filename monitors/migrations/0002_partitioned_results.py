"""ProbeResult becomes a table partitioned by day of started_at (monitors/partitions.py).

The primary key must include the partition key, so it is (id, started_at), and ids come from a
sequence (Postgres 15 and 16 have no identity columns on partitioned tables). (monitor, started_at,
region) is unique, so a replayed batch is caught. No foreign key to monitors: see ProbeResult.
Existing rows are copied over.
"""

import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

CREATE = """
ALTER TABLE monitors_proberesult RENAME TO monitors_proberesult_unpartitioned;
ALTER TABLE monitors_proberesult_unpartitioned RENAME CONSTRAINT monitors_proberesult_pkey TO monitors_proberesult_unpartitioned_pkey;
CREATE SEQUENCE monitors_proberesult_id_next;
CREATE TABLE monitors_proberesult (
    id bigint NOT NULL DEFAULT nextval('monitors_proberesult_id_next'),
    monitor_id bigint NOT NULL,
    started_at timestamp with time zone NOT NULL,
    region varchar(40) NOT NULL,
    outcome varchar(30) NOT NULL,
    http_status smallint NULL CONSTRAINT proberesult_http_status_check CHECK (http_status >= 0),
    error_type varchar(100) NOT NULL,
    message varchar(300) NOT NULL,
    connect_ms double precision NULL,
    ttfb_ms double precision NULL,
    ttft_ms double precision NULL,
    total_ms double precision NULL,
    tokens_out integer NULL CONSTRAINT proberesult_tokens_out_check CHECK (tokens_out >= 0),
    tokens_per_s double precision NULL,
    details jsonb NOT NULL,
    span_ms integer NOT NULL DEFAULT 0 CONSTRAINT proberesult_span_ms_check CHECK (span_ms >= 0),
    span_status varchar(10) NOT NULL DEFAULT '',
    CONSTRAINT monitors_proberesult_pkey PRIMARY KEY (id, started_at),
    CONSTRAINT proberesult_key UNIQUE (monitor_id, started_at, region)
) PARTITION BY RANGE (started_at);
CREATE INDEX proberesult_started ON monitors_proberesult USING brin (started_at) WITH (autosummarize = on);
"""

MOVE = """
INSERT INTO monitors_proberesult (id, monitor_id, started_at, region, outcome, http_status, error_type,
    message, connect_ms, ttfb_ms, ttft_ms, total_ms, tokens_out, tokens_per_s, details)
SELECT id, monitor_id, started_at, region, outcome, http_status, error_type, message, connect_ms,
    ttfb_ms, ttft_ms, total_ms, tokens_out, tokens_per_s, details
FROM monitors_proberesult_unpartitioned;
SELECT setval('monitors_proberesult_id_next', (SELECT coalesce(max(id), 0) + 1 FROM monitors_proberesult), false);
DROP TABLE monitors_proberesult_unpartitioned;
ALTER SEQUENCE monitors_proberesult_id_next RENAME TO monitors_proberesult_id_seq;
ALTER SEQUENCE monitors_proberesult_id_seq OWNED BY monitors_proberesult.id;
"""


def create_partitions(apps, schema_editor):
    from datetime import timedelta

    from monitors.history import partitions

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(started_at), max(started_at) FROM monitors_proberesult_unpartitioned")
        oldest, newest = cursor.fetchone()
    if oldest is not None:
        partitions.ensure(partitions.utc_day(oldest), partitions.utc_day(newest))
    today = timezone.now().date()
    partitions.ensure(today - timedelta(days=1), today + timedelta(days=partitions.AHEAD_DAYS))


class Migration(migrations.Migration):
    dependencies = [
        ("monitors", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(CREATE),
                migrations.RunPython(create_partitions),
                migrations.RunSQL(MOVE),
            ],
            state_operations=[
                migrations.RemoveIndex(model_name="proberesult", name="result_monitor_time"),
                migrations.AddField(
                    model_name="proberesult", name="span_ms", field=models.PositiveIntegerField(default=0)
                ),
                migrations.AddField(
                    model_name="proberesult",
                    name="span_status",
                    field=models.CharField(
                        blank=True,
                        choices=[
                            ("up", "Up"),
                            ("degraded", "Degraded"),
                            ("down", "Down"),
                            ("unknown", "Unknown"),
                            ("paused", "Paused"),
                        ],
                        max_length=10,
                    ),
                ),
                migrations.AlterField(
                    model_name="proberesult",
                    name="monitor",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="results",
                        to="monitors.monitor",
                    ),
                ),
                migrations.AddIndex(
                    model_name="proberesult",
                    index=django.contrib.postgres.indexes.BrinIndex(
                        fields=["started_at"], name="proberesult_started", autosummarize=True
                    ),
                ),
                migrations.AddConstraint(
                    model_name="proberesult",
                    constraint=models.UniqueConstraint(
                        fields=("monitor", "started_at", "region"), name="proberesult_key"
                    ),
                ),
            ],
        ),
    ]
