from django.contrib.auth.backends import ModelBackend


class LockoutBackend(ModelBackend):
    """Password check; lockout is added by accounts.services (placeholder until then)."""
