import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The plan's events become its workflow's transition rows (note → comment, created_at → at),
    and objectives get a transition-row table."""

    dependencies = [
        ("plans", "0002_sentence_plan_list_order_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="planevent", old_name="note", new_name="comment"),
        migrations.RenameField(model_name="planevent", old_name="created_at", new_name="at"),
        migrations.AlterField(
            model_name="planevent",
            name="at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="planevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.CreateModel(
            name="ObjectiveTransition",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("comment", models.TextField(blank=True)),
                (
                    "from_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("open", "In progress"),
                            ("achieved", "Achieved"),
                            ("not_achieved", "Not achieved"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        max_length=15,
                    ),
                ),
                (
                    "to_status",
                    models.CharField(
                        choices=[
                            ("open", "In progress"),
                            ("achieved", "Achieved"),
                            ("not_achieved", "Not achieved"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        max_length=15,
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "objective",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="transitions",
                        to="plans.objective",
                    ),
                ),
            ],
            options={"ordering": ["at", "id"], "abstract": False},
        ),
    ]
