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
