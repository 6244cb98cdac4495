"""allauth customisations for this site (adapters rather than forked views)."""
from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

# allauth ends every one-time-code flow whose code was guessed wrong too often with its
# generic "too many failed login attempts" message. On these pages that message is about
# the code, and the useful advice is how to get a fresh one.
CODE_EXHAUSTED_MESSAGES = {
    "account_email_verification_sent": (
        "That code was entered wrongly too many times and no longer works. "
        "Sign in again to get a new code by e-mail."
    ),
    "account_confirm_login_code": (
        "That code was entered wrongly too many times and no longer works. "
        "Please request a new code."
    ),
    "account_confirm_password_reset_code": (
        "That code was entered wrongly too many times and no longer works. "
        "Please request a new password reset code."
    ),
}


class AccountAdapter(DefaultAccountAdapter):
    """Site-specific account behaviour."""

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth counts failed password sign-ins per address ("login_failed": .../key). Per
        # address alone, anyone who knows an address could lock its owner out with a few
        # wrong passwords; counted per address *and* client address, only the guesser is
        # held up. Guessing from many machines is slowed by the per-IP limits.
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"

    def add_message(self, request, level, message_template=None, message_context=None,
                    extra_tags="", message=None):
        if message is not None and message == self.error_messages["too_many_login_attempts"]:
            match = getattr(request, "resolver_match", None)
            url_name = match.url_name if match else None
            message = CODE_EXHAUSTED_MESSAGES.get(url_name, message)
        super().add_message(
            request,
            level,
            message_template=message_template,
            message_context=message_context,
            extra_tags=extra_tags,
            message=message,
        )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Site-specific social login behaviour.

    Google and LinkedIn (OpenID Connect) only hand over addresses they have verified, so a
    social sign-in with the address of an existing account is connected to that account
    (SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT) instead of creating a second one.
    New accounts start as patients, like any sign-up.
    """
