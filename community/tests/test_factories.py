import pytest

from .factories import (
    ContactMessageFactory,
    DirectoryListingFactory,
    EventFactory,
    GroupMemberFactory,
    ProjectSummaryFactory,
)

pytestmark = pytest.mark.django_db


def test_the_factories_make_valid_rows_that_belong_together():
    member = GroupMemberFactory()
    assert member.enrolment.cohort == member.group.cohort
    message = ContactMessageFactory()
    assert message.cohort == message.recipient.cohort
    for row in (
        member,
        message,
        EventFactory(),
        DirectoryListingFactory(),
        ProjectSummaryFactory(),
    ):
        row.full_clean()
