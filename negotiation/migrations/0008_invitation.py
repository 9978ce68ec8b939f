"""Invitations move here from the accounts app, which now knows nothing of mediations.
The table stays where it is (accounts_invitation): only Django's idea of which app owns
the model changes, so no row is copied."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("negotiation", "0007_participant_caucus_history_from"),
        ("accounts", "0004_invitation_caucus_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Invitation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("email", models.EmailField(max_length=254)),
                        ("name", models.CharField(blank=True, max_length=150)),
                        ("role", models.CharField(max_length=16)),
                        (
                            "caucus_history",
                            models.BooleanField(
                                default=False,
                                help_text="For an expert invited into a side's private room: whether they may read what was said there before they joined (otherwise only what is said from then on).",
                            ),
                        ),
                        (
                            "token_hash",
                            models.CharField(editable=False, max_length=64, unique=True),
                        ),
                        ("token_salt", models.CharField(editable=False, max_length=32)),
                        (
                            "link_shown",
                            models.BooleanField(
                                default=True,
                                editable=False,
                                help_text="The link was shown to the inviter, not only e-mailed to the invitee. Such a link never signs in to an account with access beyond this invitation.",
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField()),
                        ("redeemed_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="invitations_sent",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "mediation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations",
                                to="negotiation.mediation",
                            ),
                        ),
                        (
                            "redeemed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="invitations_redeemed",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "revoked_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="invitations_revoked",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "side",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="negotiation.side",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_invitation",
                        "ordering": ("-created_at", "-id"),
                    },
                ),
            ],
        ),
    ]
