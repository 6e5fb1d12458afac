"""Real services for the outbox fault rig (bench.reliability) and the email benchmark
(notifications/reliability/bench.py): an SMTP sink (aiosmtpd), a private redis-server on a spare
port, Celery worker processes and a database they all share.

Nothing here touches the machine's own Redis or database: Redis is a child process on its own
port, and the database is a SQLite file in a temporary folder or, when DATABASE_URL points at
PostgreSQL, a database of its own named ``<name>_reliability`` that is dropped and created.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse, urlunparse

BASE_DIR = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
MESSAGE_ID = re.compile(rb"^Message-ID:\s*<outbox-(\d+)\.", re.MULTILINE | re.IGNORECASE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"Nothing listens on port {port} after {timeout} s")


class Sink:
    """An aiosmtpd handler that counts deliveries per outbox row (from the Message-ID) and can
    answer 451 for a while or 550 for addresses starting with ``reject``."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: Counter = Counter()  # accepted (250) per outbox id
        self.attempts: Counter = Counter()  # DATA commands per outbox id
        self.tempfail_until = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        match = MESSAGE_ID.search(envelope.content)
        key = int(match.group(1)) if match else -1
        with self.lock:
            self.attempts[key] += 1
        if any(r.lower().startswith("reject") for r in envelope.rcpt_tos):
            return "550 5.1.1 Mailbox unavailable"
        if time.monotonic() < self.tempfail_until:
            return "451 4.3.0 Try again later"
        with self.lock:
            self.received[key] += 1
        return "250 2.0.0 OK"

    def total(self, ids=None) -> int:
        with self.lock:
            if ids is None:
                return sum(self.received.values())
            return sum(self.received[i] for i in ids)


def start_smtp(sink: Sink, port: int):
    from aiosmtpd.controller import Controller

    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


class _Counting:
    """aiosmtpd handler of :class:`SinkProcess`: counts the messages it accepts."""

    def __init__(self, count):
        self.count = count

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        with self.count.get_lock():
            self.count.value += 1
        return "250 2.0.0 OK"


def _serve_counting(port: int, count) -> None:
    from aiosmtpd.controller import Controller

    Controller(_Counting(count), hostname="127.0.0.1", port=port).start()
    while True:
        time.sleep(3600)


class SinkProcess:
    """An SMTP sink in a process of its own that counts what it accepts, as a real mail server
    would be: a sink thread in the benchmark's process waits for the GIL while the enqueue
    computes, and slows the deliveries it is there to count."""

    def __init__(self, port: int):
        import multiprocessing

        context = multiprocessing.get_context("fork")  # the child imports nothing of Django's
        self.port = port
        self.count = context.Value("q", 0)
        self.proc = context.Process(target=_serve_counting, args=(port, self.count), daemon=True)

    def start(self) -> "SinkProcess":
        self.proc.start()
        wait_for_port(self.port)
        return self

    def total(self) -> int:
        return self.count.value

    def stat_path(self) -> str:
        return f"/proc/{self.proc.pid}/stat"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.join(5)


class Redis:
    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir, self.proc = port, workdir, None

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


class Worker:
    """``celery -A mentorship worker`` in its own process group, so a SIGKILL takes the main
    process and its pool children together, as when a machine or container dies."""

    def __init__(self, name: str, env: dict, workdir: Path, concurrency: int = 1):
        self.name, self.env, self.workdir, self.concurrency = name, env, workdir, concurrency
        self.proc = None
        self.starts = 0

    def start(self):
        self.starts += 1
        log = open(self.workdir / f"{self.name}-{self.starts}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                str(VENV_BIN / "celery"),
                "-A",
                "mentorship",
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "-n",
                f"{self.name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def _prepare_database(workdir: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{workdir / 'outbox.sqlite3'}"
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/") + "_reliability"
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return urlunparse(parsed._replace(path=f"/{name}"))


def setup(extra_env: dict | None = None):
    """Prepare the environment, configure Django in this process and migrate. Returns
    (env for child processes, workdir, redis port, smtp port)."""
    workdir = Path(tempfile.mkdtemp(prefix="outbox-reliability-"))
    redis_port, smtp_port = free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentorship.settings",
        "DATABASE_URL": _prepare_database(workdir),
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CELERY_RESULT_BACKEND": "cache+memory://",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "5",
        "VAR_DIR": str(workdir / "var"),
        "LOG_LEVEL": "WARNING",
        "CELERY_VISIBILITY_TIMEOUT": "30",
        "CELERY_UNACKED_RESTORE_INTERVAL": "2",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        **(extra_env or {}),
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    import mentorship.celery  # noqa: F401  (the Celery app, so tasks publish to our Redis)

    call_command("migrate", verbosity=0, skip_checks=True)
    return env, workdir, redis_port, smtp_port


# --- The outbox side of a fault run (call after setup(): they use Django) ------------------------

SWEEP_SECONDS = 2.0


def start_sweeper(stop: threading.Event, every: float = SWEEP_SECONDS) -> threading.Thread:
    """Run the outbox's sweeper in this process every few seconds until ``stop`` is set."""
    from django.db import close_old_connections

    from notifications import services

    def sweeper():
        while not stop.wait(every):
            try:
                services.email_sweep()
            except Exception as exc:  # a sweep that fails is retried by the next one
                print(f"sweep failed: {exc!r}", file=sys.stderr)
            finally:
                close_old_connections()

    thread = threading.Thread(target=sweeper, daemon=True)
    thread.start()
    return thread


def enqueue(name: str, n: int, *, to: str, batch: int) -> list[int]:
    """Queue ``n`` emails of the "reliability" kind, ``batch`` to a transaction; their ids."""
    from django.db import transaction

    from notifications import services

    ids = []
    for start in range(0, n, batch):
        with transaction.atomic():
            for i in range(start, min(start + batch, n)):
                email = services.email_enqueue(
                    to=to.format(i=i),
                    kind="reliability",
                    template="account",
                    context={"subject": f"{name} {i}", "body_text": f"Message {i} of {n}."},
                    idempotency_key=f"{name}:{i}",
                )
                ids.append(email.pk)
    return ids


def wait_done(ids, final=("sent",), timeout: float = 120.0) -> bool:
    """Wait until every row is in a final state (then a moment more, so a late duplicate, if
    any, arrives before anyone counts)."""
    from notifications.models import Email

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Email.objects.filter(pk__in=ids).exclude(status__in=final).exists():
            time.sleep(0.5)
            return True
        time.sleep(0.2)
    return False
