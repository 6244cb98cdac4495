from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Site-specific account behaviour (customised here rather than by forking views)."""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Site-specific social login behaviour."""
