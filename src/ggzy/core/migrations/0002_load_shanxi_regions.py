import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "regions-shanxi.csv"


def load(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    with CSV.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:  # parents come before children in the file
        Region.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "level": row["level"], "parent_id": row["parent_code"] or None},
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
