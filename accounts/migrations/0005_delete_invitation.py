"""Invitations now belong to the negotiation app (its 0008 takes the model over, table
and all): the accounts app only forgets it, in Django's state; no table changes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_invitation_caucus_history"),
        ("negotiation", "0008_invitation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Invitation")],
        ),
    ]
