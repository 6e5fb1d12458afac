"""An opt-out and an enqueue for the same person at the same moment: the row is never left
pending after the opt-out has committed, whichever comes first (services._preference_lock).

Two real database connections (a thread each), the way a worker enqueueing a digest and the
person clicking "unsubscribe" would race. Under PostgreSQL's READ COMMITTED, without the lock,
the opt-out's UPDATE ran before the enqueue's row was committed and the enqueue had read the
preference before the opt-out committed: both missed, and the email stayed pending. SQLite runs
one write transaction at a time, so only PostgreSQL (.ci/run) can show the race.
"""

import threading
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from notifications import services
from notifications.models import Email

from .test_send_after import _request

pytestmark = pytest.mark.django_db(transaction=True)

SEND_TASKS = ("notifications.tasks.email_send.apply_async",)
WAIT = 10  # seconds: only reached when something is wrong


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: no race to show")


@pytest.fixture(autouse=True)
def no_sending():
    """The rows stay as the race left them: no worker claims them."""
    with mock.patch(SEND_TASKS[0]):
        yield


def _thread(work):
    """Run ``work`` on its own connection; its error, if any, is kept for the test to raise."""
    errors = []

    def run():
        try:
            work()
        except BaseException as exc:  # pragma: no cover - shown by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, errors


def _second_waits(first, second) -> bool:
    """``first`` runs in a transaction held open on its own connection; meanwhile ``second``
    runs on another. Whether ``second`` was still waiting half a second later, then both
    finished (the first committed)."""
    done, commit = threading.Event(), threading.Event()

    def holding():
        with transaction.atomic():
            first()
            done.set()
            commit.wait(WAIT)

    held, first_errors = _thread(holding)
    assert done.wait(WAIT)
    waiting, second_errors = _thread(second)
    waiting.join(0.5)
    waited = waiting.is_alive()
    commit.set()
    held.join(WAIT)
    waiting.join(WAIT)
    assert not first_errors and not second_errors, first_errors + second_errors
    return waited


@pytest.fixture
def person():
    return get_user_model().objects.create(email="p@example.gov.uk")


def _enqueue(person, kind, key="race", *, bulk=False):
    request = _request(key, kind=kind, user=person, to=person.email)
    return lambda: (
        services.email_enqueue_many([request]) if bulk else services.email_enqueue(**request)
    )


def _opt_out(person, kind):
    return lambda: services.email_preference_set(user=person, kind=kind, enabled=False)


@pytest.mark.parametrize("bulk", [False, True], ids=["email_enqueue", "email_enqueue_many"])
def test_an_opt_out_waits_for_an_enqueue_in_flight_then_cancels_its_row(
    postgresql, person, digest_kind, bulk
):
    waited = _second_waits(_enqueue(person, digest_kind, bulk=bulk), _opt_out(person, digest_kind))
    email = Email.objects.get(idempotency_key="race")
    assert email.status == Email.Status.CANCELLED, "pending after the person opted out"
    assert email.last_error == f"Not sent: the person turned off '{digest_kind}' emails."
    assert waited, "the opt-out did not wait for the enqueue in flight"


@pytest.mark.parametrize("bulk", [False, True], ids=["email_enqueue", "email_enqueue_many"])
def test_an_enqueue_waits_for_an_opt_out_in_flight_then_writes_its_row_cancelled(
    postgresql, person, digest_kind, bulk
):
    # The enqueue has no transaction of its caller's: it makes its own.
    waited = _second_waits(_opt_out(person, digest_kind), _enqueue(person, digest_kind, bulk=bulk))
    assert Email.objects.get(idempotency_key="race").status == Email.Status.CANCELLED
    assert waited, "the enqueue did not wait for the opt-out in flight"


def test_enqueues_for_one_person_do_not_wait_for_each_other(postgresql, person, digest_kind):
    """The lock an enqueue takes is shared: a worker's digest and a pairing's email to the
    same person go on side by side."""
    waited = _second_waits(
        _enqueue(person, digest_kind, "first"), _enqueue(person, digest_kind, "second")
    )
    assert not waited
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.PENDING}


def test_turning_a_kind_back_on_takes_no_lock(person, digest_kind):
    with mock.patch.object(services, "_preference_lock") as lock:
        services.email_preference_set(user=person, kind=digest_kind, enabled=True)
        lock.assert_not_called()
        services.email_preference_set(user=person, kind=digest_kind, enabled=False)
        lock.assert_called_once_with([person.pk], exclusive=True)


def test_the_lock_refuses_to_be_taken_outside_a_transaction(person):
    """Outside a transaction it would be let go at once: a caller that forgot one hears it."""
    from django.db.transaction import TransactionManagementError

    with pytest.raises(TransactionManagementError):
        services._preference_lock([person.pk])
    services._preference_lock([])  # nobody to lock: nothing to refuse


def test_emailing_a_whole_cohort_in_one_transaction_takes_a_bounded_number_of_locks(
    postgresql, digest_kind
):
    """A transaction-level lock is held until the transaction ends: an event's invitations to a
    national cohort (20,000 people, in the event's transaction) took one per person and ran
    PostgreSQL's lock table out of memory. The lock is per stripe of people: at most
    PREFERENCE_LOCK_STRIPES, whoever is emailed."""
    User = get_user_model()
    people = User.objects.bulk_create(
        User(email=f"p{i}@example.gov.uk") for i in range(3 * services.PREFERENCE_LOCK_STRIPES)
    )
    requests = [_request(f"cohort-{p.pk}", kind=digest_kind, user=p, to=p.email) for p in people]
    with transaction.atomic():
        services.email_enqueue_many(requests)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                " AND pid = pg_backend_pid()"
            )
            held = cursor.fetchone()[0]
    assert 0 < held <= services.PREFERENCE_LOCK_STRIPES
    assert Email.objects.filter(idempotency_key__startswith="cohort-").count() == len(people)


def test_an_opt_out_waits_for_an_enqueue_to_someone_of_its_stripe(postgresql, digest_kind):
    """Two people of one stripe share a lock: the opt-out waits (never misses a row)."""
    User = get_user_model()
    first = User.objects.create(email="first@example.gov.uk")
    second = User.objects.create(
        pk=first.pk + services.PREFERENCE_LOCK_STRIPES, email="second@example.gov.uk"
    )
    waited = _second_waits(_enqueue(first, digest_kind), _opt_out(second, digest_kind))
    assert waited
    assert Email.objects.get(idempotency_key="race").status == Email.Status.PENDING
