"""Locust scenarios for ``make load-test``. Runs only inside the ``locust`` command, never in
Django or pytest (gevent's monkey-patching breaks both).

Users (``bench/load/run.py`` picks them on the command line):

- ``Participant`` (weight 4): arrives (signs in through allauth's form, or comes back with a
  live session), then opens their home page and pair page, logs check-ins, lists their surveys
  and answers the open ones.
- ``Coordinator`` (weight 1): arrives the same way, then opens the cohort and programme
  dashboards, the cohort page, and downloads the two CSV exports.
- ``Reference``: the landing page, anonymous: the trivial view every figure is compared with.

Every request is named "<group>: <page>" so the report groups them, and checks its status and
content (``catch_response``), so a wrong page counts as an error, not as a fast success.

Every request also says it came through a TLS-terminating proxy (``X-Forwarded-Proto: https``)
from its own client address (``X-Forwarded-For``), which is how production sees it: secure
cookies, HSTS and CSRF's origin check all apply.

Environment: ``LOADTEST_USERS`` (the JSON ``loadtest/seed.py`` wrote), ``LOADTEST_SAMPLES``
(where every request is written, one JSON line each, for the report), ``LOADTEST_WAIT_MIN`` and
``LOADTEST_WAIT_MAX`` (think time in seconds, default 2 and 6), ``LOADTEST_LOGIN_SHARE`` (the share
of people who sign in through the form on arrival, default 0; the others have a session).

Each sample also keeps what the server said the request cost (the ``Server-Timing`` header of
``bench/load/middleware.py``): CPU and wall milliseconds in Django, SQL milliseconds and queries.

The capacity ramp (``run.py --find-capacity``) sets ``LOADTEST_RAMP`` to
"start,step,max,hold_seconds,spawn_rate": the :class:`Ramp` shape then starts ``start`` users,
adds ``step`` every ``hold_seconds`` up to ``max``, writes a line to ``LOADTEST_RAMP_LOG`` when a
step begins, and stops the run when the file ``LOADTEST_RAMP_STOP`` appears (``run.py`` creates
it when a step misses the target). Without ``LOADTEST_RAMP`` there is no shape: ``--users``
applies.
"""

import datetime as dt
import itertools
import json
import os
import random
import re
import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

from locust import HttpUser, LoadTestShape, between, events, task

ACCOUNTS = json.load(open(os.environ["LOADTEST_USERS"]))  # noqa: SIM115 - read once at start
WAIT = between(
    float(os.environ.get("LOADTEST_WAIT_MIN", "2")), float(os.environ.get("LOADTEST_WAIT_MAX", "6"))
)
# The share of people who sign in through the form the moment they arrive; the others come back
# with the live session seed.py gave them (sessions last two weeks). Everyone also signs in again
# now and then (the "sign in again" tasks: one task in 91), so sign-ins are spread over
# the run. Each costs one PBKDF2 check (1,000,000 iterations, about a CPU-second here): a share
# of 0.2 makes a burst of 10 sign-ins in the first seconds, which stalls all 5 sync workers.
LOGIN_SHARE = float(os.environ.get("LOADTEST_LOGIN_SHARE", "0"))
_participants = itertools.cycle(ACCOUNTS["participants"])
ALREADY_LOGGED = "You have already logged a check-in for"
_coordinators = itertools.cycle(ACCOUNTS["coordinators"])
_client_numbers = itertools.count(1)

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANSWER_RE = re.compile(r'href="(/surveys/answer/[^/"]+/)"')

# -- every request, written out for the report ---------------------------------------------------

_samples = open(os.environ["LOADTEST_SAMPLES"], "a", buffering=1 << 16)  # noqa: SIM115
_last_flush = [time.monotonic()]
TIMING_RE = re.compile(r"(\w+);dur=([\d.]+)(?:;desc=\"(\d+)\")?")


def _server_timing(response) -> dict:
    """{"cpu": ms, "app": ms, "db": ms, "q": queries} from the Server-Timing header, or {}."""
    header = getattr(response, "headers", {}).get("Server-Timing", "") if response else ""
    out = {}
    for name, dur, desc in TIMING_RE.findall(header):
        out[name] = float(dur)
        if desc:
            out["q"] = int(desc)
    return out


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kw):
    sample = {
        "t": kw.get("start_time") or time.time(),
        "name": name,
        "ms": response_time,
        "ok": exception is None,
        "error": None if exception is None else str(exception)[:300],
    }
    sample.update(_server_timing(kw.get("response")))
    _samples.write(json.dumps(sample) + "\n")
    # The capacity ramp reads the file while Locust runs: at most a second behind.
    if time.monotonic() - _last_flush[0] > 1:
        _samples.flush()
        _last_flush[0] = time.monotonic()


@events.quitting.add_listener
def _flush(**kw):
    _samples.flush()


class _FormFields(HTMLParser):
    """The survey questions of a page: radio and checkbox values and text areas named q<id>."""

    def __init__(self):
        super().__init__()
        self.radios: dict[str, list[str]] = {}
        self.checkboxes: dict[str, list[str]] = {}
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name") or ""
        if not re.fullmatch(r"q\d+", name):
            return
        if tag == "textarea" or (tag == "input" and a.get("type") == "text"):
            self.texts.append(name)
        elif tag == "input" and a.get("type") == "radio":
            self.radios.setdefault(name, []).append(a.get("value", ""))
        elif tag == "input" and a.get("type") == "checkbox":
            self.checkboxes.setdefault(name, []).append(a.get("value", ""))


# -- the users ------------------------------------------------------------------------------------


class _Person(HttpUser):
    abstract = True
    wait_time = WAIT
    group = ""
    account: dict

    def on_start(self):
        n = self.number = next(_client_numbers)
        self.client.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": f"10.{n // 250 % 250}.{n % 250 + 1}.{random.randint(1, 254)}",
                "User-Agent": "mentorship-load-test",
            }
        )
        self.origin = "https://" + urlsplit(self.host).netloc

    # Helpers: one place that checks every response.

    def _check(self, response, *, status=200, contains=None, location=None):
        # Production cookies are Secure; the proxy in front would carry them over TLS. Here the
        # last hop is plain HTTP on 127.0.0.1, so the client must send them back anyway.
        for cookie in self.client.cookies:
            cookie.secure = False
        if response.status_code != status:
            where = response.headers.get("Location", "")
            response.failure(f"HTTP {response.status_code} (wanted {status}) {where}".strip())
            return False
        if contains is not None and contains not in response.text:
            response.failure(f"page lacks {contains!r}")
            return False
        # The redirect may carry a query (the survey's "?sent=1"): compare the path.
        where = urlsplit(response.headers.get("Location", "")).path
        if location is not None and not where.endswith(location):
            response.failure(f"redirected to {response.headers.get('Location')!r}, not {location}")
            return False
        response.success()
        return True

    def page(self, url, name, *, contains=None, status=200):
        with self.client.get(
            url, name=f"{self.group}: {name}", catch_response=True, allow_redirects=False
        ) as r:
            ok = self._check(r, status=status, contains=contains)
            return r.text if ok else None

    def post(self, url, name, data, *, location=None, status=302, referer=None, also_right=None):
        """POST and check the answer; ``also_right(response)`` may accept another answer that
        is the page's right one (a refusal the test provokes on purpose)."""
        headers = {"Origin": self.origin, "Referer": self.origin + (referer or url)}
        with self.client.post(
            url,
            data=data,
            headers=headers,
            name=f"{self.group}: {name}",
            catch_response=True,
            allow_redirects=False,
        ) as r:
            if also_right is not None and also_right(r):
                r.success()
                return True
            return self._check(r, status=status, location=location)

    def arrive(self):
        # Exactly the share, spread evenly over the arrivals (the 5th, 10th, ... at 0.2).
        if int(self.number * LOGIN_SHARE) != int((self.number - 1) * LOGIN_SHARE):
            self.login()
        else:
            self.client.cookies.set("sessionid", self.account["session"])
        self.page("/home/", "home", contains="My programmes")
        self.wait()  # read the home page before the first click, like the later pages

    def login(self):
        with self.client.get(
            "/accounts/login/", name="login: form", catch_response=True, allow_redirects=False
        ) as r:
            if not self._check(r, contains="csrfmiddlewaretoken"):
                return
            token = CSRF_RE.search(r.text).group(1)
        headers = {"Origin": self.origin, "Referer": self.origin + "/accounts/login/"}
        data = {
            "csrfmiddlewaretoken": token,
            "login": self.account["email"],
            "password": ACCOUNTS["password"],
        }
        with self.client.post(
            "/accounts/login/",
            data=data,
            headers=headers,
            name="login: submit",
            catch_response=True,
            allow_redirects=False,
        ) as r:
            self._check(r, status=302, location="/home/")


class Participant(_Person):
    """A mentee or mentor of the running cohort."""

    weight = 4
    group = "participant"

    def on_start(self):
        super().on_start()
        self.account = next(_participants)
        self.pair_url = f"/pairs/{self.account['pair']}/"
        self.logged_days: set[int] = set()  # days ago this person has logged a meeting for
        self.arrive()

    @task(40)
    def home(self):
        self.page("/home/", "home", contains="My programmes")

    @task(1)
    def sign_in_again(self):
        self.client.cookies.clear()
        self.login()
        self.page("/home/", "home", contains="My programmes")

    @task(30)
    def pair(self):
        self.page(self.pair_url, "pair page", contains="Log a check-in")

    @task(10)
    def log_checkin(self):
        html = self.page(self.pair_url, "pair page", contains="Log a check-in")
        if html is None:
            return
        # One check-in a person a day (pairing.services): a meeting on a day this person has not
        # logged in this run, in the last four weeks (the pairs started twelve weeks ago).
        logged = self.logged_days
        free = [d for d in range(28) if d not in logged]
        if not free:
            return
        days_ago = random.choice(free[:7])
        logged.add(days_ago)
        met_on = dt.date.today() - dt.timedelta(days=days_ago)
        data = {
            "csrfmiddlewaretoken": CSRF_RE.search(html).group(1),
            "met_on": met_on.isoformat(),
            "duration_minutes": random.choice([30, 45, 60, 90]),
            "format": random.choice(["video", "in_person", "call"]),
            "worked_on": "Went through the model evaluation and agreed what to test next.",
            "next_step": "Write up the results for the team.",
            "rating": random.randint(3, 5),
            "wellbeing": random.randint(2, 5),
            "protected_time_kept": "on",
        }
        # A day the seed (or another user with this account) already logged for this person
        # is refused on the form, as it should be: the page's right answer, not an error.
        self.post(
            self.pair_url,
            "log check-in",
            data,
            location=self.pair_url,
            also_right=lambda r: r.status_code == 200 and ALREADY_LOGGED in r.text,
        )

    @task(10)
    def surveys(self):
        html = self.page("/surveys/", "surveys", contains="Surveys to answer")
        if not html:
            return
        links = ANSWER_RE.findall(html)
        if not links:
            return
        url = links[0]
        form_html = self.page(url, "survey form", contains="Send my answers")
        if form_html is None:
            return
        fields = _FormFields()
        fields.feed(form_html)
        data = {"csrfmiddlewaretoken": CSRF_RE.search(form_html).group(1)}
        for name, values in fields.radios.items():
            data[name] = random.choice(values)
        for name, values in fields.checkboxes.items():
            data[name] = values[: random.randint(1, len(values))]
        for name in fields.texts:
            data[name] = "My mentor helps me plan each week; more time would help."
        self.post(url, "survey answer", data, location=url)


class Coordinator(_Person):
    """A coordinator of the load-test programme."""

    weight = 1
    group = "coordinator"

    def on_start(self):
        super().on_start()
        self.account = next(_coordinators)
        self.slug = ACCOUNTS["programme"]
        self.arrive()

    @task(1)
    def sign_in_again(self):
        self.client.cookies.clear()
        self.login()
        self.page("/home/", "home", contains="My programmes")

    def _cohort(self):
        # Mostly the running cohort; sometimes the finished one.
        return ACCOUNTS["cohorts"]["running" if random.random() < 0.75 else "finished"]

    @task(30)
    def cohort_dashboard(self):
        self.page(
            f"/programmes/{self.slug}/cohorts/{self._cohort()}/dashboard/",
            "cohort dashboard",
            contains=": dashboard",
        )

    @task(20)
    def programme_dashboard(self):
        self.page(
            f"/programmes/{self.slug}/dashboard/",
            "programme dashboard",
            contains="Analysis Mentoring Scheme: dashboard",
        )

    @task(20)
    def cohort_page(self):
        self.page(
            f"/programmes/{self.slug}/cohorts/{self._cohort()}/", "cohort page", contains="<h1"
        )

    @task(10)
    def people_export(self):
        self._csv(
            f"/programmes/{self.slug}/cohorts/{self._cohort()}/export.csv", "people export csv"
        )

    @task(10)
    def dashboard_export(self):
        self._csv(
            f"/programmes/{self.slug}/cohorts/{self._cohort()}/dashboard/export.csv",
            "dashboard export csv",
        )

    def _csv(self, url, name):
        with self.client.get(
            url, name=f"{self.group}: {name}", catch_response=True, allow_redirects=False
        ) as r:
            if not self._check(r):
                return
            if "text/csv" not in r.headers.get("Content-Type", "") or r.text.count("\n") < 2:
                r.failure(f"not a CSV with rows: {r.headers.get('Content-Type')}")


class Reference(_Person):
    """The trivial view: the landing page, anonymous. Same users, rate and think time."""

    group = "reference"

    @task
    def landing(self):
        self.page("/", "landing page", contains="Run mentorship programmes")


# -- the capacity ramp (only with LOADTEST_RAMP) --------------------------------------------------

if os.environ.get("LOADTEST_RAMP"):
    _start, _step, _max, _hold, _rate = (float(v) for v in os.environ["LOADTEST_RAMP"].split(","))

    class Ramp(LoadTestShape):
        """``start`` users, then ``step`` more every ``hold`` seconds, up to ``max``."""

        def __init__(self):
            super().__init__()
            self._current = None
            self._log = open(os.environ["LOADTEST_RAMP_LOG"], "a", buffering=1)  # noqa: SIM115
            self._stop = os.environ["LOADTEST_RAMP_STOP"]

        def tick(self):
            if os.path.exists(self._stop):
                return None
            users = int(_start + _step * int(self.get_run_time() // _hold))
            if users > _max:
                return None
            if users != self._current:
                self._current = users
                self._log.write(json.dumps({"users": users, "t": time.time()}) + "\n")
            return users, _rate
