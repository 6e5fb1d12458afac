"""factory_boy factories for the outbox. notifications is the lowest app: it knows no user
factory, so a preference's ``user`` is always passed in."""

import factory

from notifications.models import Email, EmailPreference


class EmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Email

    to = factory.Sequence(lambda n: f"person{n}@example.gov.uk")
    kind = "account"
    template = "account"
    subject = "Hello"
    body_text = "Hello\n"
    idempotency_key = factory.Sequence(lambda n: f"test-email:{n}")


class EmailPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailPreference

    kind = "test-digest"
    enabled = False
