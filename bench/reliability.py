"""Reliability run of the outbox against real services: ``make test-reliability``
(``python -m bench.reliability``).

Starts an SMTP sink (aiosmtpd), a private Redis, two Celery worker processes and a sweeper
(``services.email_sweep`` every 2 s in a thread here, as beat would run it), then proves by
counting what the SMTP server accepted:

- kill: 1,000 emails, a worker SIGKILLed part-way twice and restarted: every email received,
  at most one duplicate per kill (a worker killed after the server accepted a message but before
  the row was marked sent leaves it "sending"; the sweeper sends it again. Each worker runs one
  task at a time, so a kill can strand at most one such row);
- redis-down: Redis stopped while 200 emails are created, then started: all delivered once;
- smtp-451: the server answers 451 for 6 s: retried with backoff and delivered once;
- smtp-550: the server answers 550: every row failed after exactly one attempt;
- double-task: two sending tasks for each of 200 rows at once: one delivery each.

Each scenario prints one JSON line. Exit status 1 when anything is lost or duplicated beyond
the bound.
"""

import json
import sys
import threading
import time

from bench import harness
from bench.harness import Redis, Sink, Worker, setup, start_smtp, start_sweeper

SWEEP_SECONDS = 2.0
ENV = {
    "OUTBOX_RETRY_BASE_SECONDS": "1",
    "OUTBOX_RETRY_CAP_SECONDS": "4",
    "OUTBOX_MAX_ATTEMPTS": "20",
    "OUTBOX_SENDING_TIMEOUT_SECONDS": "10",
    "OUTBOX_REQUEUE_GRACE_SECONDS": "3",
    "OUTBOX_BROKER_PAUSE_SECONDS": "1",
    "OUTBOX_SWEEP_BATCH": "5000",
}


def main() -> int:
    env, workdir, redis_port, smtp_port = setup(ENV)

    from notifications import services
    from notifications.kinds import register_kind
    from notifications.models import Email
    from notifications.tasks import email_send

    register_kind("reliability", essential=True, label="Reliability test")
    sink = Sink()
    smtp = start_smtp(sink, smtp_port)
    redis = Redis(redis_port, workdir)
    redis.start()
    workers = [Worker(f"w{i}", env, workdir) for i in (1, 2)]
    for w in workers:
        w.start()

    stop = threading.Event()

    start_sweeper(stop, SWEEP_SECONDS)

    def enqueue(name, n, *, to="person{i}@example.test", batch=1):
        return harness.enqueue(name, n, to=to, batch=batch)

    def wait_done(ids, final=("sent",), timeout=120.0):
        return harness.wait_done(ids, final, timeout)

    failures = []

    def report(scenario, ids, started, *, kills=0, bound=0, expect_received=True, **extra):
        with sink.lock:
            counts = [sink.received[i] for i in ids]
        received = sum(counts)
        duplicates = sum(c - 1 for c in counts if c > 1)
        if expect_received:
            lost = sum(1 for c in counts if c == 0)
        else:  # 550: "lost" = rows not failed; "duplicates" = extra attempts (retries)
            lost = Email.objects.filter(pk__in=ids).exclude(status="failed").count()
            with sink.lock:
                duplicates = sum(sink.attempts[i] - 1 for i in ids if sink.attempts[i] > 1)
        line = {
            "scenario": scenario,
            "emails": len(ids),
            "received": received,
            "duplicates": duplicates,
            "lost": lost,
            "kills": kills,
            "seconds": round(time.monotonic() - started, 1),
            **extra,
        }
        print(json.dumps(line), flush=True)
        if lost or duplicates > bound:
            failures.append(scenario)

    try:
        # 1. SIGKILL a worker part-way, twice, and start it again.
        started = time.monotonic()
        ids = []
        kills = 0
        thresholds = [300, 650]
        for part in range(10):
            ids += enqueue(f"kill-{part}", 100, batch=25)
            while thresholds and sink.total(ids) >= thresholds[0]:
                thresholds.pop(0)
                victim = workers[kills % 2]
                victim.kill()
                kills += 1
                victim.start()
        deadline = time.monotonic() + 60
        while thresholds and time.monotonic() < deadline:
            if sink.total(ids) >= thresholds[0]:
                thresholds.pop(0)
                victim = workers[kills % 2]
                victim.kill()
                kills += 1
                victim.start()
            time.sleep(0.01)
        wait_done(ids)
        report("kill", ids, started, kills=kills, bound=kills)

        # 2. Redis down while the application creates 200 emails.
        started = time.monotonic()
        redis.stop()
        raised = 0
        ids = []
        for i in range(200):
            try:
                ids += enqueue(f"redis-down-{i}", 1)
            except Exception:
                raised += 1
        pending = Email.objects.filter(pk__in=ids, status="pending").count()
        time.sleep(2)
        redis.start()
        wait_done(ids)
        report("redis-down", ids, started, enqueue_raised=raised, pending_while_down=pending)
        if raised or pending != 200:
            failures.append("redis-down-enqueue")

        # 3. The server answers 451 for six seconds.
        started = time.monotonic()
        sink.tempfail_until = time.monotonic() + 6
        ids = enqueue("smtp-451", 100, batch=10)
        wait_done(ids)
        with sink.lock:
            tempfailed = sum(sink.attempts[i] - sink.received[i] for i in ids)
        report("smtp-451", ids, started, answered_451=tempfailed)

        # 4. The server answers 550.
        started = time.monotonic()
        ids = enqueue("smtp-550", 50, batch=10, to="reject{i}@example.test")
        wait_done(ids, final=("failed",), timeout=30)
        time.sleep(SWEEP_SECONDS * 2)  # give a wrong retry the chance to show itself
        report("smtp-550", ids, started, expect_received=False)

        # 5. Two sending tasks for the same row at once.
        started = time.monotonic()
        services._broker_down_until = float("inf")  # create rows without their own task
        ids = enqueue("double-task", 200, batch=50)
        services._broker_down_until = 0.0
        for pk in ids:
            email_send.apply_async(args=(pk,))
            email_send.apply_async(args=(pk,))
        wait_done(ids)
        report("double-task", ids, started)
    finally:
        stop.set()
        for w in workers:
            w.stop()
        redis.stop()
        smtp.stop()

    if failures:
        print(f"FAILED: {', '.join(failures)} (worker logs in {workdir})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
