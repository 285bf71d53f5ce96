from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("positions", "0004_holders_become_people")]

    operations = [
        migrations.DeleteModel(name="Holder"),
    ]
