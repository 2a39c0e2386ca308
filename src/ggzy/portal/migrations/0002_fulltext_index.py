"""The backend's full-text index beside portal_noticedocument: an FTS5 table on SQLite, a generated
tsvector column with a GIN index on PostgreSQL (see ggzy.portal.fulltext)."""

from django.db import migrations

from ggzy.portal import fulltext


def create(apps, schema_editor):
    fulltext.create(schema_editor.connection)


def drop(apps, schema_editor):
    fulltext.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_notice_document")]

    operations = [migrations.RunPython(create, drop)]
