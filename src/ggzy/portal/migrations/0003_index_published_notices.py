"""Data migration: index the notices published before search existed."""

from django.db import migrations
from ggzy.portal import fulltext


def index(apps, schema_editor):
    Notice = apps.get_model("trading", "Notice")
    NoticeDocument = apps.get_model("portal", "NoticeDocument")
    connection = schema_editor.connection
    for notice in Notice.objects.select_related("project").order_by("id").iterator(chunk_size=500):
        if NoticeDocument.objects.filter(notice_id=notice.pk).exists():
            continue
        fields = fulltext.document(notice, notice.project)
        NoticeDocument.objects.create(notice_id=notice.pk, **fields)
        fulltext.write(connection, notice.pk, fields["title_tokens"], fields["body_tokens"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_fulltext_index"), ("trading", "0002_notices")]

    operations = [migrations.RunPython(index, migrations.RunPython.noop)]
