"""The page version sequence (statuspage.lib.pageversion)."""

from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS statuspage_page_version",
            "DROP SEQUENCE IF EXISTS statuspage_page_version",
        )
    ]
