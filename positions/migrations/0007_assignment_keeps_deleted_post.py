"""An assignment outlives the post it was for.

Deleting a post used to delete its (ended) assignments with it. Now the assignment stays, its
position set to null, and names the post by the code and title it keeps (filled on every save;
the rows already there are filled here). Going back deletes the assignments whose post is gone,
as the old schema would have.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_post_names(apps, schema_editor):
    Assignment = apps.get_model("positions", "Assignment")
    Position = apps.get_model("positions", "Position")
    post = Position.objects.filter(pk=OuterRef("position_id"))
    Assignment.objects.filter(position__isnull=False).update(
        position_code=Subquery(post.values("code")[:1]),
        position_title=Subquery(post.values("title")[:1]),
    )


def drop_records_of_deleted_posts(apps, schema_editor):
    Assignment = apps.get_model("positions", "Assignment")
    Assignment.objects.filter(position__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("positions", "0006_position_facts"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="position_code",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=40, verbose_name="position code"),
        ),
        migrations.AddField(
            model_name="assignment",
            name="position_title",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=200, verbose_name="position title"),
        ),
        migrations.AlterField(
            model_name="assignment",
            name="position",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="assignments",
                to="positions.position",
                verbose_name="position",
            ),
        ),
        migrations.RunPython(fill_post_names, drop_records_of_deleted_posts),
    ]
