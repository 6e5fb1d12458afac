"""Email benchmark: ``make bench-email`` (``python -m bench.email``).

Enqueues 10,000 emails (100 per transaction, so one broker message and one SMTP connection per
100 emails) and delivers them through one Celery worker (prefork, concurrency 2) to a local
aiosmtpd server; prints emails per second end to end, database queries per email (enqueue in the
caller, delivery measured in-process on a sample), and, measured in the same run against the
same server, a bare smtplib loop opening one connection per message (the reference: the target is
an end-to-end rate of at least half of it) and one over a single connection. The load average
is printed too: the machine's two cores are shared.

A second line (reporting only) does the same with the bulk path, ``email_enqueue_many`` in
batches of 100 (the rhythm run's), whose transactions hold only their INSERTs: its
``delivered_when_enqueued`` shows delivery going on while it enqueues, on SQLite too.

Where the time goes (reporting only; the pass rule is the ratio): emails delivered by the time
the enqueue ended, and CPU milliseconds per email of the enqueue (this process's main thread),
of the SMTP sink (a process of its own, as a real mail server is) and of the worker (its main
process and pool children, read from /proc).
"""

import json
import os
import smtplib
import sys
import time
from email.message import EmailMessage

from bench.harness import Redis, SinkProcess, Worker, setup

N = int(os.environ.get("BENCH_EMAILS", "10000"))
TICK = os.sysconf("SC_CLK_TCK")


def _stat_cpu(path: str) -> float:
    """utime + stime in seconds from a /proc .../stat file (0 if it has gone)."""
    try:
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _group_cpu(pgid: int) -> float:
    """CPU seconds of the live processes of a process group (the worker and its pool)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def main() -> int:
    load_before = os.getloadavg()[0]
    env, workdir, redis_port, smtp_port = setup({"OUTBOX_SWEEP_BATCH": "5000"})
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from notifications import services
    from notifications.kinds import register_kind
    from notifications.models import Email

    register_kind("bench", essential=True, label="Benchmark")
    sink = SinkProcess(smtp_port).start()
    sink_stat = sink.stat_path()
    redis = Redis(redis_port, workdir)
    redis.start()

    def enqueue(prefix, n, batch=100):
        for start in range(0, n, batch):
            with transaction.atomic():
                for i in range(start, min(start + batch, n)):
                    services.email_enqueue(
                        to=f"person{i}@example.test",
                        kind="bench",
                        template="account",
                        context={"subject": f"Bench {i}", "body_text": f"Message {i}."},
                        idempotency_key=f"{prefix}:{i}",
                    )

    # Queries per email, measured in this process on 200 emails, with no worker running.
    sample = 200
    with CaptureQueriesContext(connection) as enqueue_q:
        enqueue("sample", sample, batch=1)
    ids = list(
        Email.objects.filter(idempotency_key__startswith="sample:").values_list("pk", flat=True)
    )
    with CaptureQueriesContext(connection) as deliver_q:
        for pk in ids:
            services.email_deliver(email_id=pk)
    enqueue_qpe = len(enqueue_q) / sample
    deliver_qpe = len(deliver_q) / sample
    # The sample's own tasks are still in Redis; the claim makes them no-ops.

    def enqueue_bulk(prefix, n, batch=100):
        """The same emails through email_enqueue_many (the rhythm run's path), 100 a batch."""
        services.email_enqueue_many(
            [
                {
                    "to": f"person{i}@example.test",
                    "kind": "bench",
                    "template": "account",
                    "context": {"subject": f"Bench {i}", "body_text": f"Message {i}."},
                    "idempotency_key": f"{prefix}:{i}",
                    "user": None,
                }
                for i in range(n)
            ],
            batch_size=batch,
        )

    def timed(enqueue_n, prefix):
        """Enqueue N emails with ``enqueue_n`` while the worker delivers; wait for all."""
        before = sink.total()
        worker_cpu, sink_cpu = _group_cpu(worker.proc.pid), _stat_cpu(sink_stat)
        started = time.monotonic()
        enqueue_cpu = time.thread_time()
        enqueue_n(prefix, N)
        enqueue_cpu = time.thread_time() - enqueue_cpu
        enqueued = time.monotonic() - started
        delivered_when_enqueued = sink.total() - before
        deadline = time.monotonic() + 600
        while sink.total() - before < N and time.monotonic() < deadline:
            time.sleep(0.1)
        total = time.monotonic() - started
        return {
            "delivered": sink.total() - before,
            "enqueued": enqueued,
            "total": total,
            "delivered_when_enqueued": delivered_when_enqueued,
            "cpu_ms_per_email": {
                "enqueue": round(enqueue_cpu / N * 1000, 2),
                "worker": round((_group_cpu(worker.proc.pid) - worker_cpu) / N * 1000, 2),
                "sink": round((_stat_cpu(sink_stat) - sink_cpu) / N * 1000, 2),
            },
        }

    worker = Worker("bench", env, workdir, concurrency=2)
    worker.start()
    time.sleep(3)  # let the worker start before the clock does
    single = timed(enqueue, "bench")
    # Reporting only: the bulk path, whose write transactions hold only their INSERTs, so on
    # SQLite delivery goes on while it enqueues (delivered_when_enqueued above 0).
    bulk = timed(enqueue_bulk, "bulk")
    worker.stop()
    delivered, total = single["delivered"], single["total"]

    # Reference: a plain smtplib loop to the same server, one connection per message (as the
    # worker does) and one connection for all.
    def smtplib_loop(n, reuse):
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "a@example.test", "b@example.test", "Ref"
        msg.set_content("Reference message.")
        t = time.monotonic()
        if reuse:
            with smtplib.SMTP("127.0.0.1", smtp_port) as s:
                for _ in range(n):
                    s.send_message(msg)
        else:
            for _ in range(n):
                with smtplib.SMTP("127.0.0.1", smtp_port) as s:
                    s.send_message(msg)
        return n / (time.monotonic() - t)

    load_after_delivery = os.getloadavg()[0]
    ref_each = smtplib_loop(2000, reuse=False)
    ref_reuse = smtplib_loop(2000, reuse=True)
    redis.stop()
    sink.stop()
    db = env["DATABASE_URL"].split(":", 1)[0]
    print(
        json.dumps(
            {
                "benchmark": "email",
                "database": db,
                "emails": N,
                "delivered": delivered,
                "enqueue_per_s": round(N / single["enqueued"]),
                "end_to_end_per_s": round(delivered / total, 1),
                "seconds": round(total, 1),
                "delivered_when_enqueued": single["delivered_when_enqueued"],
                "cpu_ms_per_email": single["cpu_ms_per_email"],
                "queries_per_email_enqueue": round(enqueue_qpe, 2),
                "queries_per_email_deliver": round(deliver_qpe, 2),
                "smtplib_connection_per_message_per_s": round(ref_each),
                "smtplib_one_connection_per_s": round(ref_reuse),
                "ratio_to_smtplib_connection_per_message": round(delivered / total / ref_each, 2),
                "target_ratio": 0.5,
                "met": delivered == N and delivered / total / ref_each >= 0.5,
                "load_avg_1m_before": round(load_before, 2),
                "load_avg_1m_after_delivery": round(load_after_delivery, 2),
            }
        ),
        flush=True,
    )
    print(
        json.dumps(
            {
                "benchmark": "email-bulk-enqueue",
                "database": db,
                "emails": N,
                "delivered": bulk["delivered"],
                "enqueue_per_s": round(N / bulk["enqueued"]),
                "end_to_end_per_s": round(bulk["delivered"] / bulk["total"], 1),
                "seconds": round(bulk["total"], 1),
                "delivered_when_enqueued": bulk["delivered_when_enqueued"],
                "cpu_ms_per_email": bulk["cpu_ms_per_email"],
                "ratio_to_smtplib_connection_per_message": round(
                    bulk["delivered"] / bulk["total"] / ref_each, 2
                ),
            }
        ),
        flush=True,
    )
    return 0 if delivered == N and bulk["delivered"] == N else 1


if __name__ == "__main__":
    sys.exit(main())
