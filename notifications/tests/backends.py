"""A test email backend that fails the way an SMTP server does, then behaves like locmem."""

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    #: Exceptions raised by the next sends, in order; once empty, sends succeed.
    failures: list[BaseException] = []
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).failures:
            raise type(self).failures.pop(0)
        return super().send_messages(messages)
