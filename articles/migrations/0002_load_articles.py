"""Load the team's articles from articles/content/ so a fresh install has them.

Later edits to the files reach an existing database through
``python manage.py sync_articles``.
"""
from django.db import migrations


def load(apps, schema_editor):
    from articles.content_sync import sync_articles

    sync_articles(apps.get_model("articles", "Article"), apps.get_model("articles", "Reference"))


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    # Reversing keeps the rows: they may have been edited in the admin since.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
