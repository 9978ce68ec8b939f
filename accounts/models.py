from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.socket_groups import credentials_changed


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_mediator", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with an e-mail address; parties never need a password."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_mediator = models.BooleanField(
        default=False, help_text="May create mediations and invite people to them."
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    shown_link_signin_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Last signed in by an invitation link its inviter saw. Such sessions end "
        "before the account is given more access.",
    )

    objects: ClassVar[UserManager] = UserManager()
    # The password and active flag as loaded, to notice a change of either on save.
    _credentials_loaded: tuple[object, object] | None = None

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> User:
        user = super().from_db(db, field_names, values)
        user._credentials_loaded = user._credentials()
        return user

    def _credentials(self) -> tuple[object, object]:
        # From __dict__: a deferred field is not loaded just to be compared.
        return self.__dict__.get("password"), self.__dict__.get("is_active")

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new password (set, or made unusable) or a deactivation changes what every
        # open session is worth: the sockets opened with a session that no longer holds
        # must close, whichever way the change was made (API, admin, a command).
        loaded = self._credentials_loaded
        changed = loaded is not None and self._credentials() != loaded
        super().save(*args, **kwargs)
        self._credentials_loaded = self._credentials()
        if changed:
            credentials_changed(self.pk)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


def muted_default() -> list[str]:
    """Chat notices stay in the app unless the person asks for them elsewhere too."""
    return ["caucus_message"]


class NotificationSettings(models.Model):
    """One person's choice of channels beyond the in-app centre, which is always on, and
    the kinds they muted (muted kinds stay in the centre and go nowhere else)."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)
    phone = models.CharField(
        max_length=16, blank=True, help_text="For SMS: international form, +4915112345678."
    )
    push = models.BooleanField(default=False)
    muted = models.JSONField(
        default=muted_default, blank=True, help_text="Kinds kept to the centre."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"


class PushSubscription(models.Model):
    """A browser's web push subscription (its endpoint and keys), for one person."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"push subscription of {self.user_id}"
