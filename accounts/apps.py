from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sync_site(sender, using="default", **kwargs):
    """Keep the sites framework's row in step with SITE_NAME / SITE_DOMAIN.

    allauth names the site in its e-mails (sign-up codes, password reset) from this row;
    without this it would say "example.com".
    """
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": settings.SITE_DOMAIN, "name": settings.SITE_NAME},
    )


def create_cache_tables(sender, using="default", verbosity=1, **kwargs):
    """Create the database cache's table on every ``migrate`` (createcachetable does nothing
    when it exists). The Redis cache falls back to it while Redis is down (ecgsite.cache), so
    a deployment that only ran ``migrate`` would otherwise answer 500 ("relation
    ecgsite_cache does not exist") to every request during a Redis outage."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=max(0, verbosity - 1))


class AccountsConfig(AppConfig):
    name = "accounts"
    # Not "Accounts": allauth's e-mail addresses app is called that, and the admin index
    # would show two sections with one heading.
    verbose_name = "Users and doctor verification"

    def ready(self):
        from django.apps import apps

        post_migrate.connect(
            sync_site, sender=apps.get_app_config("sites"), dispatch_uid="accounts.sync_site"
        )
        post_migrate.connect(create_cache_tables, sender=self,
                             dispatch_uid="accounts.create_cache_tables")
