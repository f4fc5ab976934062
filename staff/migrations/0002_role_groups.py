from django.db import migrations

ROLES = [
    "probation_officer",
    "service_manager",
    "admin_support",
    "prison_officer",
    "recommending_officer",
    "approving_officer",
    "data_share",
    "system_admin",
]
# Sensitive casenotes need their own permission (DOMAIN.md); these roles hold it by default,
# and it can be granted to a single user.
SENSITIVE_ROLES = ["service_manager", "system_admin"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="casenotes", model="casenote")
    sensitive, _ = Permission.objects.get_or_create(
        codename="view_sensitive_casenote",
        content_type=content_type,
        defaults={"name": "Can read and write sensitive casenotes"},
    )
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role in SENSITIVE_ROLES:
            group.permissions.add(sensitive)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("casenotes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
