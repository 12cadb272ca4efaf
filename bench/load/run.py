"""Benchmark: signed-in users under load through gunicorn (issue 16, point 6).

Seeds its own PostgreSQL database with bench/search's register (people, about 5 % of them on the
schedule, a large audit trail) plus the users and a triage queue, starts gunicorn as the Dockerfile
does but with 2 workers, production settings and secrets made for the run, on a free loopback port,
signs the users in over HTTP (password, and the authenticator app's code for the roles production
asks it of), then has them work without pause for a fixed time: search before contact, live search
as typed, home, an entry's page, the triage queue. Prints requests per second, p50/p95/max per kind
and overall, and errors; then search before contact alone at 1 and at 10 concurrent users.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ubpanel uv run python -m bench.load.run

The database named by ``--database`` (default ubpanel_bench_load, on DATABASE_URL's server) is
created and dropped again unless ``--keep``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.database import add_database_arguments, admin_execute, seal_seeded_trail, url_for
from bench.search.run import seed

ROOT = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
READY_SECONDS = 120.0
REQUEST_TIMEOUT = 60.0
# The baseline: 20 users, 60 s, 2 workers: 41-51 req/s, p95 515-629 ms, 0 errors.
BASELINE_P95_MS = (515.0, 629.0)
TARGET_P95_MS = BASELINE_P95_MS[0] / 2

# What each kind of user does, and how often (weights). Frontline staff search before contact,
# whole pages and as they type; Assurance work the triage queue and read entries.
FRONTLINE_MIX = {"search": 30, "live search": 35, "home": 15, "entry": 20}
ASSURANCE_MIX = {"triage": 40, "home": 20, "search": 20, "entry": 20}
KINDS = ("search", "live search", "home", "entry", "triage")


@dataclass
class BenchUser:
    username: str
    totp_key: str | None = None  # hex, for the roles production asks a code of
    mix: dict = field(default_factory=dict)


@dataclass
class Plan:
    """What the bench's users do: who they are, and what they type and open."""

    password: str
    frontline: list[BenchUser]
    assurance: list[BenchUser]
    searches: list[str]
    typed: list[str]
    entries: list[int]


# --- The database -----------------------------------------------------------------------------


def seed_load(
    *,
    people: int,
    audit_rows: int,
    frontline: int,
    assurance: int,
    rng: random.Random,
    out,
    live_share: float = 0.05,
) -> Plan:
    """bench/search's register, then the load's users (one password, made for the run), a TOTP
    device for each Assurance officer, and submitted referrals for their triage queue."""
    from binascii import hexlify

    from django.contrib.auth.models import Group
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from referrals.models import Referral
    from schedule.models import Entry
    from schedule.selectors import visible_entries
    from ubpanel.models import User
    from ubpanel.roles import Role

    # bench/search's seed returns the searcher and the searches first (then, lately, namesakes).
    searcher, searches, *_ = seed(
        people=people, audit_rows=audit_rows, rng=rng, live_share=live_share, out=out
    )
    seal_seeded_trail(out)
    password = secrets.token_urlsafe(18)
    service = searcher.service
    frontline_group = Group.objects.get(name=Role.FRONTLINE.label)
    assurance_group = Group.objects.get(name=Role.ASSURANCE_OFFICER.label)
    manager_group = Group.objects.get(name=Role.REFERRING_MANAGER.label)

    def user(username, group):
        made = User.objects.create_user(
            username=username,
            password=password,
            service=service,
            first_name="Bench",
            last_name=username,
        )
        made.groups.add(group)
        return made

    plan_frontline = []
    for number in range(frontline):
        user(f"bench-frontline-{number}", frontline_group)
        plan_frontline.append(BenchUser(f"bench-frontline-{number}", mix=FRONTLINE_MIX))
    plan_assurance = []
    for number in range(assurance):
        officer = user(f"bench-assurance-{number}", assurance_group)
        key = hexlify(secrets.token_bytes(20)).decode()
        TOTPDevice.objects.create(user=officer, name="Authenticator app", key=key, confirmed=True)
        plan_assurance.append(BenchUser(officer.username, totp_key=key, mix=ASSURANCE_MIX))

    manager = user("bench-manager", manager_group)
    now = timezone.now()
    Referral.objects.bulk_create(
        Referral(
            status="submitted",
            referrer=manager,
            service=service,
            subject_given_names=f"Given{number}",
            subject_family_name=f"Family{number}",
            subject_postcode="DT1 1AA",
            summary="Repeated abusive calls to the housing team.",
            behaviour_categories=["abusive"],
            number_of_incidents=3,
            suggested_tier="low",
            health_concerns="not_known",
            submitted_at=now,
        )
        for number in range(60)
    )

    frontline_user = User.objects.get(username="bench-frontline-0")
    entries = list(visible_entries(frontline_user).values_list("pk", flat=True)[:500])
    names = Entry.objects.filter(pk__in=entries).values_list(
        "person__given_names", "person__family_name"
    )
    typed = [
        f"{given} {family[: rng.randint(3, len(family))]}".lower()
        for given, family in names
        if len(family) >= 3
    ]
    return Plan(
        password=password,
        frontline=plan_frontline,
        assurance=plan_assurance,
        searches=[query for query, _ in searches],
        typed=typed,
        entries=entries,
    )


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def production_env(
    *, database_url: str, static_root: str, session_step: int | None = None
) -> dict[str, str]:
    """Production settings with secrets made for this run. Plain HTTP on the loopback address
    (no TLS proxy in front), so no redirect to HTTPS; everything else as production has it."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="bench.load.settings",
        BENCH_STATIC_ROOT=static_root,
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        EMAIL_URL="smtp://127.0.0.1:1",  # never used by these pages
        SECURE_SSL_REDIRECT="false",
        PYTHONUNBUFFERED="1",
    )
    if session_step is not None:  # 0: the session saved on every request, as before issue 16
        env["SESSION_ACTIVITY_STEP_SECONDS"] = str(session_step)
    return env


def dockerfile_command() -> list[str]:
    import json

    [line] = [
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")
    ]
    return json.loads(line.removeprefix("CMD "))


@contextlib.contextmanager
def gunicorn(*, database_url: str, workers: int, session_step: int | None = None, out):
    """gunicorn with the Dockerfile's command and ``workers`` workers on a free loopback port,
    once ``/healthz/live`` answers; yields the base URL."""
    folder = Path(tempfile.mkdtemp(prefix="ubpanel-bench-load-"))
    static_root = folder / "static"
    env = production_env(
        database_url=database_url, static_root=str(static_root), session_step=session_step
    )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = free_port()
    command = dockerfile_command()
    assert command[0] == "gunicorn", command
    command = [sys.executable, "-m", "gunicorn", *command[1:]]
    command[command.index("--bind") + 1] = f"{HOST}:{port}"
    command[command.index("--workers") + 1] = str(workers)
    log = folder / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(  # noqa: S603  (our own gunicorn command, no shell)
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
            try:
                if requests.get(f"{base}/healthz/live", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer in {READY_SECONDS:.0f} s")
            time.sleep(0.1)
        print(
            f"gunicorn ({workers} workers, production settings) ready on {base} in "
            f"{time.perf_counter() - started:.1f} s (static files collected)",
            file=out,
        )
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
        if errors:
            print(f"gunicorn's log has {len(errors)} tracebacks: {log}", file=out)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _proc_cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process (Linux /proc), 0 if it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_process(master: int, *, base_url: str, database: str) -> dict[int, tuple]:
    """CPU seconds used so far by each of gunicorn's workers and each PostgreSQL backend serving
    the bench's database (when the server runs on this machine): {pid: (part, seconds)}."""
    import psycopg

    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pid = int(stat.parent.name)
                found[pid] = ("gunicorn", _proc_cpu_seconds(pid))
    with psycopg.connect(url_for(base_url, "postgres"), autocommit=True) as connection:
        for (pid,) in connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ):
            found[pid] = ("postgresql", _proc_cpu_seconds(pid))
    return found


class CpuSampler:
    """Samples the processes' CPU time twice a second while the load runs: a database connection
    is replaced now and then (CONN_MAX_AGE), so a before-and-after reading would miss some."""

    def __init__(self, read):
        self.read = read
        self.first: dict[int, float] = {}
        self.last: dict[int, tuple] = {}
        self.stop = threading.Event()

    def __enter__(self):
        self.first = {pid: used for pid, (_, used) in self.read().items()}
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self):
        while not self.stop.wait(0.5):
            self.last.update(self.read())

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.last.update(self.read())

    def used(self) -> dict[str, float]:
        parts = {"gunicorn": 0.0, "postgresql": 0.0}
        for pid, (part, used) in self.last.items():
            parts[part] += max(0.0, used - self.first.get(pid, 0.0))
        return parts


# --- The users ----------------------------------------------------------------------------------


class SignedIn:
    """One user's browser: its cookies and CSRF token. The production cookies are marked Secure,
    which a client keeps to HTTPS; here, on plain loopback HTTP, they are sent all the same."""

    def __init__(self, base: str, user: BenchUser):
        self.base = base
        self.user = user
        self.http = requests.Session()

    def request(self, method: str, path: str, *, data=None, htmx=False) -> requests.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        if method == "POST":
            data = {**(data or {}), "csrfmiddlewaretoken": self.http.cookies.get("csrftoken", "")}
        response = self.http.request(
            method,
            self.base + path,
            data=data,
            headers=headers,
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT,
        )
        for cookie in self.http.cookies:
            cookie.secure = False
        return response

    def sign_in(self, password: str) -> None:
        from binascii import unhexlify

        from django_otp.oath import TOTP

        self.request("GET", "/accounts/sign-in/")
        response = self.request(
            "POST",
            "/accounts/sign-in/",
            data={"username": self.user.username, "password": password},
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.user.username} could not sign in: {response.status_code}")
        response = self.request("GET", "/")
        if response.status_code == 302 and "/accounts/mfa/verify/" in response.headers["Location"]:
            code = f"{TOTP(unhexlify(self.user.totp_key)).token():06d}"
            response = self.request("POST", "/accounts/mfa/verify/", data={"code": code})
            response = self.request("GET", "/")
        if response.status_code != 200:
            raise RuntimeError(f"{self.user.username} is not signed in: {response.status_code}")


def one_request(client: SignedIn, kind: str, plan: Plan, rng: random.Random):
    if kind == "search":
        return client.request("POST", "/schedule/", data={"q": rng.choice(plan.searches)})
    if kind == "live search":
        return client.request("POST", "/schedule/", data={"q": rng.choice(plan.typed)}, htmx=True)
    if kind == "home":
        return client.request("GET", "/")
    if kind == "entry":
        return client.request("GET", f"/schedule/entries/{rng.choice(plan.entries)}/")
    if kind == "triage":
        return client.request("GET", "/referrals/triage/")
    raise ValueError(kind)


@dataclass
class Sample:
    kind: str
    ms: float
    ok: bool
    finished: float


def drive(clients: list[SignedIn], plan: Plan, *, seconds: float, mix=None, seed_: int = 0):
    """Each client works without pause until ``seconds`` have passed; returns the samples and
    the wall time from the start to the last answer."""
    samples: list[Sample] = []
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def work(client: SignedIn, number: int):
        rng = random.Random(seed_ * 1000 + number)  # noqa: S311  (a workload, not secrets)
        weights = mix or client.user.mix
        kinds, shares = list(weights), list(weights.values())
        mine = []
        while time.perf_counter() < deadline:
            kind = rng.choices(kinds, shares)[0]
            began = time.perf_counter()
            try:
                ok = one_request(client, kind, plan, rng).status_code == 200
            except requests.RequestException:
                ok = False
            ended = time.perf_counter()
            mine.append(Sample(kind, (ended - began) * 1000, ok, ended))
        with lock:
            samples.extend(mine)

    threads = [
        threading.Thread(target=work, args=(client, number), daemon=True)
        for number, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + REQUEST_TIMEOUT + 5)
    wall = max((sample.finished for sample in samples), default=deadline) - start
    return samples, wall


def _p(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def figures(samples: list[Sample], wall: float) -> dict:
    times = [sample.ms for sample in samples]
    return {
        "requests": len(samples),
        "requests_per_second": len(samples) / wall if wall else 0.0,
        "p50_ms": statistics.median(times) if times else 0.0,
        "p95_ms": _p(times, 0.95) if times else 0.0,
        "max_ms": max(times, default=0.0),
        "errors": sum(not sample.ok for sample in samples),
    }


def _line(label: str, row: dict) -> str:
    return (
        f"  {label:<12} {row['requests']:>6} requests {row['requests_per_second']:>7.1f}/s  "
        f"p50 {row['p50_ms']:>7.1f} ms  p95 {row['p95_ms']:>7.1f} ms  max {row['max_ms']:>7.1f} ms"
        f"  errors {row['errors']}"
    )


def run_load(
    base: str, plan: Plan, *, seconds: float, search_seconds: float, cpu=None, out
) -> dict:
    users = plan.frontline + plan.assurance
    clients = [SignedIn(base, user) for user in users]
    started = time.perf_counter()
    for client in clients:
        client.sign_in(plan.password)
    print(f"{len(clients)} users signed in in {time.perf_counter() - started:.1f} s", file=out)
    # A warm-up: each user opens each of their pages once (not counted).
    warm = random.Random(0)  # noqa: S311
    for client in clients:
        for kind in client.user.mix:
            one_request(client, kind, plan, warm)

    load_before = os.getloadavg()[0]
    with CpuSampler(cpu) if cpu else contextlib.nullcontext() as sampler:
        samples, wall = drive(clients, plan, seconds=seconds, seed_=1)
    result = {"users": len(clients), "seconds": seconds, "overall": figures(samples, wall)}
    print(
        f"{len(clients)} users ({len(plan.frontline)} frontline, {len(plan.assurance)} Assurance) "
        f"for {seconds:.0f} s, no pause between requests; load average {load_before:.1f} "
        f"before, {os.getloadavg()[0]:.1f} after (the machine's other work):",
        file=out,
    )
    for kind in KINDS:
        mine = [sample for sample in samples if sample.kind == kind]
        if mine:
            result[kind] = figures(mine, wall)
            print(_line(kind, result[kind]), file=out)
    print(_line("overall", result["overall"]), file=out)
    if sampler and samples and sampler.used()["gunicorn"]:
        used = sampler.used()
        result["cpu_ms_per_request"] = {
            part: seconds_used * 1000 / len(samples) for part, seconds_used in used.items()
        }
        per_request = sum(result["cpu_ms_per_request"].values())
        print(
            f"  CPU per request (less sensitive than the times to the machine's other work): "
            f"{per_request:.1f} ms = gunicorn's workers "
            f"{result['cpu_ms_per_request']['gunicorn']:.1f} ms + their PostgreSQL backends "
            f"{result['cpu_ms_per_request']['postgresql']:.1f} ms; on 2 cores of its own that is "
            f"at most {2000 / per_request:.0f} requests/s",
            file=out,
        )
    print(
        f"  baseline (the issue): 41–51 req/s, p95 {BASELINE_P95_MS[0]:.0f}–"
        f"{BASELINE_P95_MS[1]:.0f} ms, 0 errors; target p95 ≤ {TARGET_P95_MS:.0f} ms, 0 errors",
        file=out,
    )

    search_only = {"search": 1}
    for concurrent in (1, 10):
        chosen = [client for client in clients if client.user in plan.frontline][:concurrent]
        samples, wall = drive(chosen, plan, seconds=search_seconds, mix=search_only, seed_=2)
        row = figures(samples, wall)
        result[f"search_alone_{concurrent}"] = row
        print(_line(f"search ×{concurrent}", row), file=out)
    ratio = (
        result["search_alone_10"]["requests_per_second"]
        / result["search_alone_1"]["requests_per_second"]
        if result["search_alone_1"]["requests_per_second"]
        else 0.0
    )
    result["search_scaling_10_over_1"] = ratio
    print(
        f"  search before contact alone: {ratio:.2f}× the requests/s at 10 concurrent users as at "
        "1 (2 workers: at most 2× on 2 free cores)",
        file=out,
    )
    return result


# --- Main ---------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--audit-rows", type=int, default=1_000_000)
    parser.add_argument(
        "--live-share",
        type=float,
        default=0.05,
        help="the share of people with a live entry (1.0: everyone, as in issue 16's search)",
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument(
        "--assurance", type=int, default=4, help="how many of --users are Assurance officers"
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--search-seconds",
        type=float,
        default=20.0,
        help="how long search before contact alone runs at 1, then at 10 concurrent users",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--session-step",
        type=int,
        default=None,
        help="SESSION_ACTIVITY_STEP_SECONDS for the server (0: save the session on every request)",
    )
    parser.add_argument("--seed", type=int, default=16)
    add_database_arguments(parser, "ubpanel_bench_load", in_place=False)
    args = parser.parse_args(argv)
    if not 0 <= args.assurance <= args.users or args.users - args.assurance < 1:
        parser.error("--assurance must leave at least one frontline user among --users")
    return args


def main(argv=None, out=sys.stdout) -> dict:
    args = parse_args(argv)
    # Stopped (timeout, kill): still stop gunicorn and drop the database, in the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench/load stopped (SIGTERM)"))
    rng = random.Random(args.seed)  # noqa: S311  (repeatable test data, not secrets)
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server (the benchmark's database goes beside it)."
        )
    database_url = url_for(base_url, args.database)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ubpanel.settings")
    admin_execute(base_url, f'DROP DATABASE IF EXISTS "{args.database}"')
    admin_execute(base_url, f'CREATE DATABASE "{args.database}"')
    try:
        import django
        from django.core.management import call_command
        from django.db import connections

        django.setup()
        call_command("migrate", verbosity=0)
        plan = seed_load(
            people=args.people,
            live_share=args.live_share,
            audit_rows=args.audit_rows,
            frontline=args.users - args.assurance,
            assurance=args.assurance,
            rng=rng,
            out=out,
        )
        connections.close_all()
        with gunicorn(
            database_url=database_url,
            workers=args.workers,
            session_step=args.session_step,
            out=out,
        ) as (base, master):
            return run_load(
                base,
                plan,
                seconds=args.seconds,
                search_seconds=args.search_seconds,
                cpu=lambda: cpu_by_process(master, base_url=base_url, database=args.database),
                out=out,
            )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_execute(base_url, f'DROP DATABASE IF EXISTS "{args.database}"')


if __name__ == "__main__":
    main(sys.argv[1:])
