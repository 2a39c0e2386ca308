from django.db import migrations

EMPTY_ROOT = "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"  # SM3("")


def create_head(apps, schema_editor):
    ReceiptLogHead = apps.get_model("tendering", "ReceiptLogHead")
    ReceiptLogHead.objects.get_or_create(pk=1, defaults={"size": 0, "root_hash": EMPTY_ROOT})


class Migration(migrations.Migration):
    dependencies = [("tendering", "0001_initial")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
