"""One row naming this installation: its page id (statuspage.lib.installation), random per install."""

from django.db import migrations

from statuspage.lib.ids import public_id


def create(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO statuspage_installation (id, page_id) VALUES (1, %s) ON CONFLICT DO NOTHING",
            [public_id()],
        )


class Migration(migrations.Migration):
    dependencies = [("public", "0001_page_version")]

    operations = [
        migrations.RunSQL(
            "CREATE TABLE IF NOT EXISTS statuspage_installation"
            " (id integer PRIMARY KEY CHECK (id = 1), page_id text NOT NULL)",
            "DROP TABLE IF EXISTS statuspage_installation",
        ),
        migrations.RunPython(create, migrations.RunPython.noop),
    ]
