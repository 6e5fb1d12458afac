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
5. Prints requests per second, p50/p95/p99, errors, CPU milliseconds and queries per request
   (the ``Server-Timing`` header of ``bench/load/middleware.py``) per page, per group and
   overall for both runs, the ratio of each group to the trivial view, PASS/FAIL against the
   targets, and JSON lines: one per page and one for the run (``results.jsonl`` too).
6. Stops gunicorn and Locust and drops the database, also after a failure or Ctrl+C.

``--find-capacity`` (``make load-capacity``) replaces step 4: one Locust run ramps the mix up
(``--ramp-start`` users, ``--ramp-step`` more every ``--ramp-hold`` seconds, up to
``--ramp-max``) and stops at the first step whose participant p95 (after ``--ramp-settle``
seconds) reaches 300 ms or that has an error; a JSON line per step, then the landing page, then
the final line: the most users held, their requests per second, CPU per page.

Exit status: 1 when any request failed, when a p95 is at or above its target (the target
itself), when the capacity ramp held fewer than 200 users, or when the set-up failed; 0
otherwise. Results stay in ``var/loadtest/<time>/``.

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

# p95 targets (ms) per group (issue 19: sign-in under 500 ms, participant pages under 300 ms;
# coordinator pages under 800 ms since the load test exists). A p95 at or above its target fails.
TARGETS = {"login": 500, "participant": 300, "coordinator": 800}
# --find-capacity: the largest step whose participant p95 stays under this, with no error.
CAPACITY_P95_MS = 300
CAPACITY_TARGET_USERS = 200
# gunicorn: see docs/security.md, section 7 ("Workers").
DEFAULT_WORKERS = 2 * (os.cpu_count() or 1) + 1
DEFAULT_WORKER_CLASS = "sync"
DEFAULT_THREADS = 1


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


# -- CPU accounting (Linux /proc) -----------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stats() -> dict[int, tuple[int, float, str]]:
    """{pid: (parent pid, CPU seconds so far, command line)} for every process we can read."""
    out = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # After the command: state, ppid, ... utime (14th field of the line), stime (15th).
        out[int(entry.name)] = (
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / _TICK,
            cmdline,
        )
    return out


def _children_cpu() -> float:
    """CPU seconds of this process's children that have exited and been waited for."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot, from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return float(sum(values) - idle), float(sum(values))


class CpuMeter:
    """CPU seconds used by gunicorn (master and workers), by the PostgreSQL backends of the load
    test's database, and by Locust, plus how busy the whole machine was, between two reads."""

    def __init__(self, db_name: str):
        self.db_name = db_name
        self.roots: dict[str, int] = {}

    def snapshot(self) -> dict:
        procs = _proc_stats()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _, _) in procs.items():
            children.setdefault(ppid, []).append(pid)
        snap: dict = {"machine": _machine_busy(), "time": time.monotonic()}
        for what, root in self.roots.items():
            pids, stack = {}, [root]
            while stack:
                pid = stack.pop()
                if pid in procs:
                    pids[pid] = procs[pid][1]
                    stack.extend(children.get(pid, []))
            snap[what] = pids
        marker = f" {self.db_name} "
        # The backends serving the load-test database (their title names it); not autovacuum,
        # which works through the freshly seeded tables at the start of a run.
        snap["postgres"] = {
            pid: cpu
            for pid, (_, cpu, cmd) in procs.items()
            if cmd.startswith("postgres:") and marker in cmd and "autovacuum" not in cmd
        }
        return snap

    @staticmethod
    def between(before: dict, after: dict) -> dict:
        """CPU seconds per process group, and the machine's busy share (0-1 of all cores)."""
        out = {}
        for what in after:
            if what in ("machine", "time"):
                continue
            # A process that appeared in between counts from zero; one that ended is lost.
            out[what] = sum(
                cpu - before.get(what, {}).get(pid, 0.0) for pid, cpu in after[what].items()
            )
        busy = after["machine"][0] - before["machine"][0]
        total = after["machine"][1] - before["machine"][1]
        out["machine_busy"] = busy / total if total else float("nan")
        out["seconds"] = after["time"] - before["time"]
        return out


# -- the report -----------------------------------------------------------------------------------


def _pct(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    k = max(0, min(len(sorted_ms) - 1, round(p / 100 * len(sorted_ms) + 0.5) - 1))
    return sorted_ms[k]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def summarise(samples: list[dict], span: tuple[float, float] | None = None) -> dict:
    """Figures per request name, per group (the part before the colon) and overall; with the
    server's own cost per request (the Server-Timing header): CPU ms, queries, SQL ms.

    ``span`` (start, end): only the requests started in that window, rates over its length."""
    if span is not None:
        samples = [s for s in samples if span[0] <= s["t"] < span[1]]
    if not samples:
        return {"rows": {}, "span": 0.0}
    if span is None:
        start = min(s["t"] for s in samples)
        end = max(s["t"] + s["ms"] / 1000 for s in samples)
    else:
        start, end = span
    length = max(end - start, 1e-9)
    buckets: dict[str, list[dict]] = {}
    for s in samples:
        group = s["name"].split(":", 1)[0]
        for key in (s["name"], f"{group} (all)", "overall"):
            buckets.setdefault(key, []).append(s)
    rows = {}
    for key, items in buckets.items():
        ms = sorted(i["ms"] for i in items)
        cpu = sorted(i["cpu"] for i in items if "cpu" in i)
        rows[key] = {
            "requests": len(items),
            "errors": sum(not i["ok"] for i in items),
            "rps": len(items) / length,
            "p50": _pct(ms, 50),
            "p95": _pct(ms, 95),
            "p99": _pct(ms, 99),
            "max": ms[-1],
            "cpu_ms": _mean(cpu),
            "cpu_p50_ms": _pct(cpu, 50),
            "queries": _mean([i["q"] for i in items if "q" in i]),
            "db_ms": _mean([i["db"] for i in items if "db" in i]),
        }
    return {"rows": rows, "span": length}


def load_samples(path: Path) -> list[dict]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:  # the last line of a file Locust is still writing
            continue
    return out


def _order(key: str) -> tuple:
    group = key.split(" (all)")[0].split(":")[0]
    rank = {"login": 0, "participant": 1, "coordinator": 2, "reference": 3, "overall": 4}
    return (rank.get(group, 5), " (all)" not in key, key)


def table(title: str, summary: dict) -> str:
    before, after = summary.get("loadavg", (float("nan"),) * 2)
    lines = [
        f"{title} ({summary['span']:.0f} s; machine load average {before:.1f} before, "
        f"{after:.1f} after, on {os.cpu_count()} cores)",
        f"  {'requests named':<38}{'count':>7}{'errors':>7}{'req/s':>7}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'cpu ms':>8}{'queries':>8}",
    ]
    for key in sorted(summary["rows"], key=_order):
        r = summary["rows"][key]
        label = key if " (all)" in key or key == "overall" else "  " + key
        lines.append(
            f"  {label:<38}{r['requests']:>7}{r['errors']:>7}{r['rps']:>7.1f}"
            f"{r['p50']:>8.0f}{r['p95']:>8.0f}{r['p99']:>8.0f}{r['cpu_ms']:>8.1f}"
            f"{r['queries']:>8.1f}"
        )
    cpu = summary.get("cpu")
    if cpu:
        n = max(summary["rows"].get("overall", {}).get("requests", 0), 1)
        lines.append(
            f"  CPU per request, all processes: gunicorn {cpu['gunicorn'] / n * 1000:.1f} ms, "
            f"PostgreSQL {cpu['postgres'] / n * 1000:.1f} ms, Locust {cpu['locust'] / n * 1000:.1f}"
            f" ms; the machine's {os.cpu_count()} cores {cpu['machine_busy']:.0%} busy"
        )
    return "\n".join(lines)


def _r(value, digits=1):
    return None if value is None or value != value else round(value, digits)  # NaN -> None


def _p95(summary: dict, key: str):
    row = summary["rows"].get(key)
    return _r(row["p95"]) if row else None


def verdict(main: dict, ref: dict, args) -> tuple[list[str], dict]:
    """The lines of the verdict and the JSON line of the run. A p95 at or above its target
    fails, any error fails."""
    rows, ref_row = main["rows"], ref["rows"].get("reference (all)")
    lines = []
    if ref_row:
        lines.append(
            f"Reference (landing page): {ref_row['rps']:.1f} req/s, p50 {ref_row['p50']:.0f} ms, "
            f"p95 {ref_row['p95']:.0f} ms, CPU {ref_row['cpu_ms']:.1f} ms a request, "
            f"{ref_row['errors']} errors"
        )
        for group in ("login", "participant", "coordinator", "overall"):
            key = group if group == "overall" else f"{group} (all)"
            r = rows.get(key)
            if r:
                lines.append(
                    f"  {group:<12} p50 {r['p50'] / max(ref_row['p50'], 1):>6.1f} x   "
                    f"p95 {r['p95'] / max(ref_row['p95'], 1):>6.1f} x   "
                    f"CPU {r['cpu_ms'] / max(ref_row['cpu_ms'], 0.01):>6.1f} x the landing page"
                )
    errors = sum(r["errors"] for k, r in rows.items() if k.endswith(" (all)"))
    errors += ref_row["errors"] if ref_row else 0
    met = errors == 0
    lines.append(f"{'PASS' if errors == 0 else 'FAIL'}  errors: {errors} (target 0)")
    for group, target in TARGETS.items():
        p95 = _p95(main, f"{group} (all)")
        if p95 is None:
            if group == "login":  # no sign-in in this run (--login-share 0 and no re-sign-in)
                lines.append("  -   sign-in: no sign-in in this run")
                continue
            lines.append(f"FAIL  {group}: no requests were made")
            met = False
            continue
        ok = p95 < target
        met &= ok
        lines.append(f"{'PASS' if ok else 'FAIL'}  {group} p95 {p95:.0f} ms (target < {target} ms)")
    overall = rows.get("overall", {})
    record = {
        "benchmark": "load",
        "users": args.users,
        "login_share": args.login_share,
        "workers": args.workers,
        "worker_class": args.worker_class,
        "threads": args.threads,
        "login_p95_ms": _p95(main, "login (all)"),
        "login_submit_p95_ms": _p95(main, "login: submit"),
        "participant_p95_ms": _p95(main, "participant (all)"),
        "coordinator_p95_ms": _p95(main, "coordinator (all)"),
        "errors": errors,
        "rps": _r(overall.get("rps")),
        "cpu_ms_per_request": _r(overall.get("cpu_ms")),
        "reference_rps": _r(ref_row["rps"]) if ref_row else None,
        "reference_p95_ms": _r(ref_row["p95"]) if ref_row else None,
        "reference_cpu_ms": _r(ref_row["cpu_ms"], 2) if ref_row else None,
        "targets": {f"{g}_p95_ms": t for g, t in TARGETS.items()} | {"errors": 0},
        "met": met,
        "load_avg_1m_before": round(main["loadavg"][0], 2),
        "load_avg_1m_after": round(main["loadavg"][1], 2),
    }
    return lines, record


def page_lines(summary: dict, ref: dict, benchmark: str) -> list[dict]:
    """One JSON line per page: what it costs the server against the landing page."""
    ref_row = ref["rows"].get("reference: landing page", {})
    out = []
    for key in sorted(summary["rows"], key=_order):
        if " (all)" in key or key == "overall":
            continue
        r = summary["rows"][key]
        out.append(
            {
                "benchmark": benchmark,
                "page": key,
                "requests": r["requests"],
                "p50_ms": _r(r["p50"]),
                "p95_ms": _r(r["p95"]),
                "cpu_ms": _r(r["cpu_ms"], 2),
                "cpu_p50_ms": _r(r["cpu_p50_ms"], 2),
                "queries": _r(r["queries"]),
                "db_ms": _r(r["db_ms"], 2),
                "landing_cpu_ms": _r(ref_row.get("cpu_ms"), 2),
            }
        )
    return out


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


def emit(record: dict, out: Path) -> None:
    """A JSON line on stdout, and the same in results.jsonl."""
    line = json.dumps(record)
    print(line, flush=True)
    with open(out / "results.jsonl", "a") as fh:
        fh.write(line + "\n")


# -- the capacity ramp ----------------------------------------------------------------------------


def step_record(samples, window, errors_window, cpu, users, loadavg) -> dict:
    """A step's figures: the requests started in ``window`` (after the settle), the errors of
    the whole step (``errors_window``)."""
    measured = summarise(samples, window)
    whole = summarise(samples, errors_window)
    rows = measured["rows"]
    overall = rows.get("overall", {})
    # The CPU was read over the whole step: divide by the whole step's requests.
    n = max(whole["rows"].get("overall", {}).get("requests", 0), 1)
    errors = sum(r["errors"] for k, r in whole["rows"].items() if k.endswith(" (all)"))
    participant_p95 = _p95(measured, "participant (all)")
    return {
        "benchmark": "load-capacity-step",
        "users": users,
        "requests": overall.get("requests", 0),
        "rps": _r(overall.get("rps")),
        "participant_p95_ms": participant_p95,
        "participant_p50_ms": _r(rows.get("participant (all)", {}).get("p50")),
        "coordinator_p95_ms": _p95(measured, "coordinator (all)"),
        "errors": errors,
        "cpu_ms_per_request": _r(overall.get("cpu_ms")),
        "gunicorn_cpu_ms_per_request": _r(cpu["gunicorn"] / n * 1000),
        "postgres_cpu_ms_per_request": _r(cpu["postgres"] / n * 1000),
        "locust_cpu_ms_per_request": _r(cpu["locust"] / n * 1000),
        "machine_busy": _r(cpu["machine_busy"], 2),
        "held": participant_p95 is not None and participant_p95 < CAPACITY_P95_MS and errors == 0,
        "load_avg_1m": round(loadavg, 2),
    }


def find_capacity(args, locust_start, out: Path, meter: CpuMeter) -> tuple[list[dict], list, bool]:
    """Ramp the realistic mix until a step misses participant p95 < 300 ms or has an error.
    Returns the step records, all samples of the held steps, and whether the cap was reached."""
    samples_file = out / "ramp-samples.jsonl"
    ramp_log = out / "ramp-steps.jsonl"
    stop_file = out / "ramp-stop"
    proc = locust_start(
        ["Participant", "Coordinator"],
        None,
        "ramp",
        samples_file,
        {
            "LOADTEST_RAMP": f"{args.ramp_start},{args.ramp_step},{args.ramp_max},"
            f"{args.ramp_hold},{args.spawn_rate}",
            "LOADTEST_RAMP_LOG": str(ramp_log),
            "LOADTEST_RAMP_STOP": str(stop_file),
        },
    )
    steps, held_samples, evaluated = [], [], 0
    step_cpu = {}
    deadline = time.monotonic() + (args.ramp_max / args.ramp_step + 2) * args.ramp_hold + 120
    reached_cap = False
    while True:
        time.sleep(1)
        done = proc.poll() is not None
        marks = load_samples(ramp_log)
        for i, mark in enumerate(marks):
            if mark["users"] not in step_cpu:
                step_cpu[mark["users"]] = (meter.snapshot(), os.getloadavg()[0])
            # A step is complete when the next one began, or when Locust stopped after it.
            if i < evaluated:
                continue
            if i + 1 < len(marks):
                end = marks[i + 1]["t"]
            elif done or time.time() >= mark["t"] + args.ramp_hold:
                end = min(time.time(), mark["t"] + args.ramp_hold)
            else:
                break
            # Samples up to a second behind: wait for the flush before reading the step.
            time.sleep(1.5)
            samples = load_samples(samples_file)
            before, _ = step_cpu[mark["users"]]
            cpu = CpuMeter.between(before, meter.snapshot())
            record = step_record(
                samples,
                (mark["t"] + args.ramp_settle, end),
                (mark["t"], end),
                cpu,
                mark["users"],
                os.getloadavg()[0],
            )
            evaluated = i + 1
            steps.append(record)
            emit(record, out)
            if not record["held"]:
                stop_file.touch()
                break
            held_samples += [s for s in samples if mark["t"] <= s["t"] < end]
            if mark["users"] + args.ramp_step > args.ramp_max:
                reached_cap = True
                stop_file.touch()
        if stop_file.exists() or done or time.monotonic() > deadline:
            break
    stop_file.touch()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        stop(proc, "locust ramp")
    return steps, held_samples, reached_cap


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
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--worker-class", default=DEFAULT_WORKER_CLASS, choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="gthread only")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--find-capacity",
        action="store_true",
        help="ramp the mix up until participant p95 reaches 300 ms or a request fails",
    )
    parser.add_argument("--ramp-start", type=int, default=50, help="users in the first step")
    parser.add_argument("--ramp-step", type=int, default=25, help="users added per step")
    parser.add_argument("--ramp-max", type=int, default=400, help="the last step")
    parser.add_argument("--ramp-hold", type=int, default=40, help="seconds per step")
    parser.add_argument(
        "--ramp-settle", type=int, default=8, help="seconds of each step not measured"
    )
    args = parser.parse_args(argv)
    if args.worker_class == "sync":
        args.threads = 1

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
    meter = CpuMeter(_db_name(db_url))

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
        workers = [f"--workers={args.workers}", f"--worker-class={args.worker_class}"]
        if args.worker_class == "gthread":
            workers.append(f"--threads={args.threads}")
        gunicorn = start(
            [
                str(Path(PY).parent / "gunicorn"),
                "mentorship.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                *workers,
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
        meter.roots["gunicorn"] = gunicorn.pid
        wait_until_up(host + "/", gunicorn)
        how = f"{args.threads} threads each" if args.worker_class == "gthread" else "sync"
        log(f"gunicorn: {args.workers} workers ({how}) on {host}")
        rounds = 2 * args.workers * args.threads
        failed_warm = warm_up(host, json.loads(users_file.read_text()), rounds=rounds)
        if failed_warm:
            raise SetupError(f"{failed_warm} warm-up requests failed: see {gunicorn_log}")
        settle(host + "/")
        log("warmed up: every page type requested twice per worker thread")

        def locust_start(classes, seconds, name, samples, extra_env=None, users=None):
            nonlocal locust_proc
            locust_env = {
                **os.environ,
                "LOADTEST_USERS": str(users_file),
                "LOADTEST_SAMPLES": str(samples),
                "LOADTEST_LOGIN_SHARE": str(args.login_share),
                **(extra_env or {}),
            }
            users = users or args.users
            if seconds is None:
                log(
                    f"locust {name}: {args.ramp_start} users, {args.ramp_step} more every "
                    f"{args.ramp_hold} s up to {args.ramp_max}"
                )
                timing = []
            else:
                log(f"locust {name}: {users} users, {args.spawn_rate:g}/s, {seconds} s")
                timing = [f"--users={users}", f"--run-time={seconds}s"]
            locust_proc = start(
                [
                    locust,
                    "-f",
                    str(ROOT / "bench" / "load" / "locustfile.py"),
                    "--headless",
                    *timing,
                    f"--spawn-rate={args.spawn_rate:g}",
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
            meter.roots["locust"] = locust_proc.pid
            return locust_proc

        def locust_run(classes: list[str], seconds: int, name: str, users=None) -> dict:
            samples = out / f"{name}-samples.jsonl"
            load_before = os.getloadavg()[0]
            before = meter.snapshot()
            children_before = _children_cpu()
            proc = locust_start(classes, seconds, name, samples, users=users)
            try:
                proc.wait(timeout=seconds + 90)
            except subprocess.TimeoutExpired as exc:
                raise SetupError(f"locust {name} did not stop in time") from exc
            if proc.returncode not in (0, 1):  # 1 = some requests failed
                tail = (out / f"locust-{name}.log").read_text(errors="replace")[-3000:]
                raise SetupError(f"locust {name} exited with {proc.returncode}:\n{tail}")
            summary = summarise(load_samples(samples))
            summary["cpu"] = CpuMeter.between(before, meter.snapshot())
            # Locust has exited (its /proc entry with it): its CPU is in our children's usage.
            summary["cpu"]["locust"] = _children_cpu() - children_before
            summary["loadavg"] = (load_before, os.getloadavg()[0])
            return summary

        if args.find_capacity:
            return capacity(args, out, meter, locust_start, locust_run, host, gunicorn_log, started)

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
        lines, record = verdict(main_summary, ref_summary, args)
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
        for line in page_lines(main_summary, ref_summary, "load-page"):
            emit(line, out)
        emit(record, out)
        failed = not record["met"]
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


def capacity(args, out, meter, locust_start, locust_run, host, gunicorn_log, started) -> int:
    """``--find-capacity``: the ramp, then the landing page for the reference CPU figure."""
    load_before = os.getloadavg()[0]
    steps, held_samples, reached_cap = find_capacity(args, locust_start, out, meter)
    settle(host + "/")
    ref = locust_run(["Reference"], args.reference_duration, "reference", users=args.ramp_start)
    held = [s for s in steps if s["held"]]
    best = held[-1] if held else None
    pages = summarise(held_samples) if held_samples else {"rows": {}}
    # Per-page CPU over the whole ramp (a page's CPU hardly depends on the load).
    everything = summarise(load_samples(out / "ramp-samples.jsonl"))
    per_page = {
        key: _r(r["cpu_ms"], 2)
        for key, r in sorted(everything["rows"].items(), key=lambda kv: _order(kv[0]))
        if " (all)" not in key and key != "overall"
    }
    ref_row = ref["rows"].get("reference: landing page", {})
    stopped_by = (
        "cap"
        if reached_cap
        else ("error" if steps and steps[-1]["errors"] else "participant_p95")
        if steps and not steps[-1]["held"]
        else "incomplete"
    )
    record = {
        "benchmark": "load-capacity",
        "max_users_held": best["users"] if best else 0,
        "rps": best["rps"] if best else None,
        "participant_p95_ms": best["participant_p95_ms"] if best else None,
        "stopped_by": stopped_by,
        "first_step_missed": None if reached_cap or not steps else steps[-1]["users"],
        "workers": args.workers,
        "worker_class": args.worker_class,
        "threads": args.threads,
        "cpu_ms_per_request": _r(everything["rows"].get("overall", {}).get("cpu_ms")),
        "page_cpu_ms": per_page,
        "landing_cpu_ms": _r(ref_row.get("cpu_ms"), 2),
        "landing_rps": _r(ref_row.get("rps")),
        "targets": {"users": CAPACITY_TARGET_USERS, "participant_p95_ms": CAPACITY_P95_MS},
        "met": bool(best and best["users"] >= CAPACITY_TARGET_USERS),
        "load_avg_1m_before": round(load_before, 2),
        "load_avg_1m_after": round(os.getloadavg()[0], 2),
    }
    report = []
    if held_samples:
        report += [table("Capacity ramp, every held step together", pages), ""]
    report += [table("Reference: the landing page", ref), ""]
    tracebacks = server_errors(gunicorn_log)
    if tracebacks:
        report += ["Server errors logged by gunicorn (first ones):", *tracebacks]
    text = "\n".join(report)
    print("\n" + text + "\n", flush=True)
    (out / "report.txt").write_text(text + "\n")
    emit(record, out)
    log(
        f"capacity: {record['max_users_held']} users held ({record['rps']} req/s), "
        f"target {CAPACITY_TARGET_USERS}: {'met' if record['met'] else 'NOT met'}, "
        f"in {time.monotonic() - started:.0f} s"
    )
    return 0 if record["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
