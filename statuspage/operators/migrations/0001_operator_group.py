"""Create the "operator" group with its permissions (statuspage/operators/roles.py)."""

from django.db import migrations

from statuspage.operators import roles


def create_group(apps, schema_editor) -> None:
    roles.sync(apps)


def remove_group(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name=roles.GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("incidents", "0002_operator_workflow"),
        ("components", "0001_initial"),
        ("monitors", "0001_initial"),
        ("subscriptions", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
