"""Holders become people (员工) holding posts.

Each holder becomes a person with a generated employee number (H + the holder's id, six
digits): HR replaces them with real 工号 later. Holders tied to one login become one
person; that person's first post (lowest holder id) is the primary post, the others
concurrent. Holders without a login each become their own person, holding a primary post.
"""

from django.db import migrations


def holders_to_people(apps, schema_editor):
    Holder = apps.get_model("positions", "Holder")
    Person = apps.get_model("positions", "Person")
    Assignment = apps.get_model("positions", "Assignment")
    people_by_user = {}
    assignments = []
    for holder in Holder.objects.order_by("pk").iterator():
        person = people_by_user.get(holder.user_id) if holder.user_id else None
        if person is None:
            person = Person.objects.create(employee_number=f"H{holder.pk:06d}", name=holder.name, user_id=holder.user_id)
            kind = "primary"
            if holder.user_id:
                people_by_user[holder.user_id] = person
        else:
            kind = "concurrent"
        assignments.append(Assignment(person=person, position_id=holder.position_id, kind=kind))
    Assignment.objects.bulk_create(assignments, batch_size=1000)


def people_to_holders(apps, schema_editor):
    Holder = apps.get_model("positions", "Holder")
    Assignment = apps.get_model("positions", "Assignment")
    Holder.objects.bulk_create(
        [
            Holder(position_id=a.position_id, name=a.person.name, user_id=a.person.user_id)
            for a in Assignment.objects.filter(ended_on__isnull=True).select_related("person").order_by("pk")
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("positions", "0003_sections_people_links")]

    operations = [migrations.RunPython(holders_to_people, people_to_holders)]
