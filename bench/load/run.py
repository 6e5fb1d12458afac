"""``make load-test``: the application on gunicorn with PostgreSQL and Redis, under Locust.

1. Checks PostgreSQL and Redis answer (it starts neither), drops and recreates the throwaway
   database (its name must contain "load"), empties the two Redis databases it was given.
2. Migrates, runs ``seed_demo --force`` and ``bench/load/seed.py`` (a second programme: 200 active
   pairs, ~2,000 check-ins, surveys with open invitations, 500+ accounts with one shared hash),
   ``collectstatic`` into a temporary folder.
3. Starts gunicorn (2 x cores + 1 sync workers) on a free port of 127.0.0.1 with production
   settings (``DJANGO_ENV=production``, a random secret key, DEBUG off, MFA for coordinators off)
   and waits for it to answer.
4. Runs Locust headless, as its own process: the realistic mix (80 % participants, 20 %
   coordinators), then the same number of users against the landing page, the trivial view.
5. Prints requests per second, p50/p95/p99 and errors per page, per group and overall for both
   runs, the ratio of each group to the trivial view, and PASS/FAIL against the targets.
6. Stops gunicorn and Locust and drops the database, also after a failure or Ctrl+C.

Exit status: 1 when any request failed, when a latency target is clearly violated (p95 more
than twice its target), or when the set-up failed; 0 otherwise (a p95 between one and two times
its target is reported as a warning). Results stay in ``var/loadtest/<time>/``.

Environment: ``DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/mentorship_load),
``CELERY_BROKER_URL`` (redis://127.0.0.1:6379/14), ``CACHE_URL`` (redis://127.0.0.1:6379/13),
``LOADTEST_LOCUST`` (the locust command, default the one next to this Python).
"""

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/mentorship_load"
DEFAULT_BROKER = "redis://127.0.0.1:6379/14"
DEFAULT_CACHE = "redis://127.0.0.1:6379/13"

# p95 targets (ms) per group; "login" has none (see the docs: one PBKDF2 check per sign-in).
TARGETS = {"participant": 300, "coordinator": 800}
CLEARLY = 2.0  # a p95 above CLEARLY x target fails the run; between 1x and 2x warns


class SetupError(RuntimeError):
    pass


def log(msg: str) -> None:
    print(f"[load-test {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# -- services -------------------------------------------------------------------------------------


def _pg_connect(url: str, dbname: str):
    import psycopg2

    parts = urlsplit(url)
    return psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname=dbname,
        connect_timeout=5,
    )


def check_services(db_url: str, redis_urls: list[str]) -> None:
    import psycopg2
    import redis

    if urlsplit(db_url).scheme not in ("postgres", "postgresql", "pgsql"):
        raise SetupError(f"DATABASE_URL must be PostgreSQL for the load test, not {db_url!r}.")
    try:
        _pg_connect(db_url, "postgres").close()
    except psycopg2.OperationalError as exc:
        raise SetupError(
            f"PostgreSQL is not reachable at {_safe(db_url)}: {str(exc).strip()}\n"
            "Start it (or set DATABASE_URL) and run `make load-test` again."
        ) from exc
    for url in redis_urls:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            raise SetupError(
                f"Redis is not reachable at {url}: {exc}\n"
                "Start it (or set CELERY_BROKER_URL and CACHE_URL) and run `make load-test` again."
            ) from exc


def _safe(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _db_name(db_url: str) -> str:
    name = urlsplit(db_url).path.lstrip("/")
    if not name or "load" not in name:
        raise SetupError(
            f"The load test drops and recreates its database; {name!r} does not look like a "
            "throwaway one (its name must contain 'load', e.g. mentorship_load)."
        )
    return name


def recreate_db(db_url: str) -> None:
    _admin(db_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", "CREATE DATABASE {}")


def drop_db(db_url: str) -> None:
    _admin(db_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")


def _admin(db_url: str, *statements: str) -> None:
    from psycopg2 import sql

    name = sql.Identifier(_db_name(db_url))
    conn = _pg_connect(db_url, "postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(sql.SQL(statement).format(name))
    finally:
        conn.close()


def flush_redis(urls: list[str]) -> None:
    import redis

    for url in urls:
        redis.Redis.from_url(url, socket_connect_timeout=3).flushdb()


# -- processes ------------------------------------------------------------------------------------


def run(cmd: list[str], env: dict, what: str, timeout: float, logfile: Path) -> None:
    started = time.monotonic()
    with open(logfile, "ab") as out:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout
        )
    if proc.returncode != 0:
        tail = logfile.read_text(errors="replace")[-3000:]
        raise SetupError(f"{what} failed (exit {proc.returncode}); end of {logfile}:\n{tail}")
    log(f"{what}: {time.monotonic() - started:.0f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict, logfile: Path) -> subprocess.Popen:
    out = open(logfile, "ab")  # noqa: SIM115 - closed with the process
    # A session of its own, so stopping it stops every worker it forked, and nothing else.
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(proc: subprocess.Popen | None, what: str) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass
    log(f"stopped {what}")


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SetupError(f"gunicorn exited with {proc.returncode} before answering")
        request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.5)
    raise SetupError(f"gunicorn did not answer {url} within {timeout:.0f} s ({last})")


def warm_up(host: str, users: dict, rounds: int) -> int:
    """Request every page type ``rounds`` times, a few at once, so that each gunicorn worker has
    compiled its templates and opened its database connection before anything is measured (a
    server in production is warm). Returns the number of requests that did not answer 200."""
    from concurrent.futures import ThreadPoolExecutor

    slug, cohort = users["programme"], users["cohorts"]["running"]
    participant, coordinator = users["participants"][-1], users["coordinators"][-1]
    pages = [
        (None, "/"),
        (None, "/accounts/login/"),
        (participant, "/home/"),
        (participant, f"/pairs/{participant['pair']}/"),
        (participant, "/surveys/"),
        (coordinator, "/home/"),
        (coordinator, f"/programmes/{slug}/dashboard/"),
        (coordinator, f"/programmes/{slug}/cohorts/{cohort}/dashboard/"),
        (coordinator, f"/programmes/{slug}/cohorts/{cohort}/"),
        (coordinator, f"/programmes/{slug}/cohorts/{cohort}/export.csv"),
        (coordinator, f"/programmes/{slug}/cohorts/{cohort}/dashboard/export.csv"),
    ]

    def fetch(item) -> bool:
        who, path = item
        headers = {"X-Forwarded-Proto": "https"}
        if who:
            headers["Cookie"] = f"sessionid={who['session']}"
        request = urllib.request.Request(host + path, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
                response.read()
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(fetch, pages * rounds))
    return results.count(False)


def settle(url: str, timeout: float = 60) -> None:
    """Wait until the server answers the landing page quickly three times in a row."""
    deadline, fast = time.monotonic() + timeout, 0
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    while time.monotonic() < deadline and fast < 3:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                response.read()
        except (urllib.error.URLError, OSError):
            fast = 0
        else:
            fast = fast + 1 if time.monotonic() - started < 0.2 else 0
        time.sleep(0.3)


# -- the report -----------------------------------------------------------------------------------


def _pct(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    k = max(0, min(len(sorted_ms) - 1, round(p / 100 * len(sorted_ms) + 0.5) - 1))
    return sorted_ms[k]


def summarise(samples: list[dict]) -> dict:
    """Figures per request name, per group (the part before the colon) and overall."""
    if not samples:
        return {"rows": {}, "span": 0.0}
    start = min(s["t"] for s in samples)
    end = max(s["t"] + s["ms"] / 1000 for s in samples)
    span = max(end - start, 1e-9)
    buckets: dict[str, list[dict]] = {}
    for s in samples:
        group = s["name"].split(":", 1)[0]
        for key in (s["name"], f"{group} (all)", "overall"):
            buckets.setdefault(key, []).append(s)
    rows = {}
    for key, items in buckets.items():
        ms = sorted(i["ms"] for i in items)
        rows[key] = {
            "requests": len(items),
            "errors": sum(not i["ok"] for i in items),
            "rps": len(items) / span,
            "p50": _pct(ms, 50),
            "p95": _pct(ms, 95),
            "p99": _pct(ms, 99),
            "max": ms[-1],
        }
    return {"rows": rows, "span": span}


def load_samples(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _order(key: str) -> tuple:
    group = key.split(" (all)")[0].split(":")[0]
    rank = {"login": 0, "participant": 1, "coordinator": 2, "reference": 3, "overall": 4}
    return (rank.get(group, 5), " (all)" not in key, key)


def table(title: str, summary: dict) -> str:
    before, after = summary.get("loadavg", (float("nan"),) * 2)
    lines = [
        f"{title} ({summary['span']:.0f} s; machine load average {before:.1f} before, "
        f"{after:.1f} after, on {os.cpu_count()} cores)",
        f"  {'requests named':<42}{'count':>7}{'errors':>7}{'req/s':>8}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}",
    ]
    for key in sorted(summary["rows"], key=_order):
        r = summary["rows"][key]
        label = key if " (all)" in key or key == "overall" else "  " + key
        lines.append(
            f"  {label:<42}{r['requests']:>7}{r['errors']:>7}{r['rps']:>8.1f}"
            f"{r['p50']:>8.0f}{r['p95']:>8.0f}{r['p99']:>8.0f}"
        )
    return "\n".join(lines)


def verdict(main: dict, ref: dict) -> tuple[list[str], bool]:
    rows, ref_row = main["rows"], ref["rows"].get("reference (all)")
    lines, failed = [], False
    if ref_row:
        lines.append(
            f"Reference (landing page): {ref_row['rps']:.1f} req/s, p50 {ref_row['p50']:.0f} ms, "
            f"p95 {ref_row['p95']:.0f} ms, {ref_row['errors']} errors"
        )
        for group in ("login", "participant", "coordinator", "overall"):
            key = group if group == "overall" else f"{group} (all)"
            r = rows.get(key)
            if r:
                lines.append(
                    f"  {group:<12} p50 {r['p50'] / max(ref_row['p50'], 1):>6.1f} x   "
                    f"p95 {r['p95'] / max(ref_row['p95'], 1):>6.1f} x the landing page"
                )
    errors = sum(r["errors"] for k, r in rows.items() if k.endswith(" (all)"))
    errors += ref_row["errors"] if ref_row else 0
    ok = errors == 0
    lines.append(f"{'PASS' if ok else 'FAIL'}  errors: {errors} (target 0)")
    failed |= not ok
    for group, target in TARGETS.items():
        r = rows.get(f"{group} (all)")
        if r is None:
            lines.append(f"FAIL  {group}: no requests were made")
            failed = True
            continue
        p95 = r["p95"]
        if p95 < target:
            mark = "PASS"
        elif p95 < CLEARLY * target:
            mark = "WARN"
        else:
            mark, failed = "FAIL", True
        lines.append(f"{mark}  {group} pages p95 {p95:.0f} ms (target < {target} ms)")
    return lines, failed


def server_errors(logfile: Path, limit: int = 2) -> list[str]:
    """The first tracebacks gunicorn's workers logged (Django logs every 500 with one)."""
    text = logfile.read_text(errors="replace") if logfile.exists() else ""
    found, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            start = max(0, i - 2)
            end = i + 1
            while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end]):
                end += 1
            found.append("\n".join(lines[start : end + 1]))
            if len(found) >= limit:
                break
    return found


# -- main -----------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Load-test the application (see the docstring).")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=60, help="seconds of the mix")
    parser.add_argument("--reference-duration", type=int, default=20, help="seconds")
    parser.add_argument(
        "--login-share",
        type=float,
        default=0.0,
        help="share of people who sign in through the form on arrival (others have a session); "
        "0.2 reproduces the sign-in burst described in the docs",
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    args = parser.parse_args(argv)

    db_url = os.environ.get("DATABASE_URL", DEFAULT_DB)
    broker_url = os.environ.get("CELERY_BROKER_URL", DEFAULT_BROKER)
    cache_url = os.environ.get("CACHE_URL", DEFAULT_CACHE)
    locust = os.environ.get("LOADTEST_LOCUST") or str(Path(PY).parent / "locust")
    out = ROOT / "var" / "loadtest" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)
    static_root = Path(tempfile.mkdtemp(prefix="mentorship-load-static-"))
    port = free_port()
    host = f"http://127.0.0.1:{port}"

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load.settings",
        "LOADTEST_STATIC_ROOT": str(static_root),
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": db_url,
        "CELERY_BROKER_URL": broker_url,
        "CACHE_URL": cache_url,
        # Production requires coordinators to set up MFA before they see personal data; the
        # simulated coordinators have no authenticator, so the requirement is off here.
        "REQUIRE_MFA_FOR_COORDINATORS": "false",
        # Locust plays the TLS-terminating proxy: every simulated person has their own
        # X-Forwarded-For address, as behind a real one. Otherwise all 50 share 127.0.0.1 and
        # allauth's "30 sign-ins a minute per address" refuses the 31st: the rig, not the app.
        "TRUSTED_PROXY_COUNT": "1",
        # Emails go to the outbox and the Redis broker; nothing consumes them, nothing is sent.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("EMAIL_URL", None)

    gunicorn = locust_proc = None
    db_created = False
    interrupted = False

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    try:
        if not Path(locust).exists():
            raise SetupError(f"{locust} not found: run `make load-test` (it installs locust).")
        log(f"results in {out.relative_to(ROOT)}")
        check_services(db_url, [broker_url, cache_url])
        recreate_db(db_url)
        db_created = True
        flush_redis([broker_url, cache_url])
        log(f"database {_db_name(db_url)} recreated; Redis {broker_url} and {cache_url} emptied")

        setup_log = out / "setup.log"
        manage = [PY, "manage.py"]
        run([*manage, "migrate", "--noinput"], env, "migrate", 300, setup_log)
        run([*manage, "seed_demo", "--force"], env, "seed_demo --force", 300, setup_log)
        users_file = out / "users.json"
        run([PY, "-m", "bench.load.seed", "--out", str(users_file)], env, "seed", 300, setup_log)
        run([*manage, "collectstatic", "--noinput", "-v0"], env, "collectstatic", 300, setup_log)
        counts = json.loads(users_file.read_text())["counts"]
        log("load-test programme: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))

        gunicorn_log = out / "gunicorn.log"
        gunicorn = start(
            [
                str(Path(PY).parent / "gunicorn"),
                "mentorship.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={args.workers}",
                "--worker-class=sync",
                "--timeout=60",
                # Import the application once, then fork: the workers answer within seconds on
                # a busy machine. Requests are handled exactly as without it.
                "--preload",
                "--access-logfile",
                str(out / "access.log"),
                "--capture-output",
            ],
            env,
            gunicorn_log,
        )
        wait_until_up(host + "/", gunicorn)
        log(f"gunicorn: {args.workers} sync workers on {host}")
        failed_warm = warm_up(host, json.loads(users_file.read_text()), rounds=2 * args.workers)
        if failed_warm:
            raise SetupError(f"{failed_warm} warm-up requests failed: see {gunicorn_log}")
        settle(host + "/")
        log("warmed up: every page type requested twice per worker")

        def locust_run(classes: list[str], seconds: int, name: str) -> dict:
            nonlocal locust_proc
            samples = out / f"{name}-samples.jsonl"
            locust_env = {
                **os.environ,
                "LOADTEST_USERS": str(users_file),
                "LOADTEST_SAMPLES": str(samples),
                "LOADTEST_LOGIN_SHARE": str(args.login_share),
            }
            log(f"locust {name}: {args.users} users, {args.spawn_rate:g}/s, {seconds} s")
            locust_proc = start(
                [
                    locust,
                    "-f",
                    str(ROOT / "bench" / "load" / "locustfile.py"),
                    "--headless",
                    f"--users={args.users}",
                    f"--spawn-rate={args.spawn_rate:g}",
                    f"--run-time={seconds}s",
                    f"--host={host}",
                    f"--csv={out / name}",
                    f"--html={out / name}.html",
                    "--stop-timeout=10",
                    "--loglevel=WARNING",
                    *classes,
                ],
                locust_env,
                out / f"locust-{name}.log",
            )
            load_before = os.getloadavg()[0]
            try:
                locust_proc.wait(timeout=seconds + 90)
            except subprocess.TimeoutExpired as exc:
                raise SetupError(f"locust {name} did not stop in time") from exc
            if locust_proc.returncode not in (0, 1):  # 1 = some requests failed
                tail = (out / f"locust-{name}.log").read_text(errors="replace")[-3000:]
                raise SetupError(f"locust {name} exited with {locust_proc.returncode}:\n{tail}")
            summary = summarise(load_samples(samples))
            summary["loadavg"] = (load_before, os.getloadavg()[0])
            return summary

        main_summary = locust_run(["Participant", "Coordinator"], args.duration, "mix")
        # Requests Locust abandoned at its stop are still being served: let them drain first.
        settle(host + "/")
        ref_summary = locust_run(["Reference"], args.reference_duration, "reference")

        report = [
            table("Realistic mix: 80 % participants, 20 % coordinators", main_summary),
            "",
            table("Reference: the landing page", ref_summary),
            "",
        ]
        lines, failed = verdict(main_summary, ref_summary)
        report += lines
        tracebacks = server_errors(gunicorn_log)
        if tracebacks:
            report += ["", "Server errors logged by gunicorn (first ones):", *tracebacks]
        text = "\n".join(report)
        print("\n" + text + "\n", flush=True)
        (out / "report.txt").write_text(text + "\n")
        (out / "report.json").write_text(
            json.dumps({"mix": main_summary, "reference": ref_summary, "args": vars(args)})
        )
        log(f"{'FAILED' if failed else 'passed'} in {time.monotonic() - started:.0f} s")
        return 1 if failed else 0
    except SetupError as exc:
        log(f"FAIL: {exc}")
        return 1
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted")
        return 130
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        stop(locust_proc, "locust")
        stop(gunicorn, "gunicorn")
        shutil.rmtree(static_root, ignore_errors=True)
        if db_created and not args.keep_db:
            try:
                drop_db(db_url)
                flush_redis([broker_url, cache_url])
                log(f"database {_db_name(db_url)} dropped")
            except Exception as exc:  # report, never mask the run's own outcome
                log(f"could not drop the database: {exc}")
        if interrupted:
            log("stopped early: no figures")


if __name__ == "__main__":
    sys.exit(main())
