from __future__ import annotations

from typing import Any

import factory

from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        # The same person across mediations: reuse a user by e-mail address.
        existing = User.objects.filter(email__iexact=kwargs["email"]).first()
        return existing or User.objects.create_user(*args, **kwargs)
