"""Benchmark: letters made into PDFs by one real Celery worker (issue 6).

Seeds complete letters (low or medium risk, high risk and expected behaviour) into its own
PostgreSQL database, starts ONE real ``celery worker`` (solo pool: one task at a time) on the Redis
broker, approves every letter through ``letter_approve`` (each approval queues its
``letter_render_pdf`` task when it commits) and waits for every PDF. Prints letters per minute end
to end, p50/p95 time per letter (the task: both variants) and per PDF, and the target.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ubpanel \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 uv run python -m bench.letters.run --letters 200

The database named by ``--database`` (default ubpanel_bench_letters, on DATABASE_URL's server) is
created and dropped again unless ``--keep``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from bench import database

ROOT = Path(__file__).resolve().parents[2]
TARGET_P95_MS = 300.0  # per letter: both PDFs (issue 6)

INCIDENTS = [
    "Shouted at the receptionist and threw a chair across the waiting area.",
    "Telephoned the housing team 46 times in one week, swearing at the officers who answered.",
    "Followed a planning officer to her car after a site visit and threatened to find out where "
    "she lives.",
    "Sent eleven emails in one night calling a named social worker a liar and worse, and posted "
    "her name and photograph online.",
    "Refused to leave the library when asked, blocked the door, and pushed a member of staff "
    "who tried to pass.",
]
PLACES = [
    "Customer services desk, County Hall, Dorchester",
    "By telephone to the housing options team",
    "The car park of Weymouth library",
    "By email to the adult social care team",
]
REASONS = [
    "Staff were put in fear for their safety and the office had to close for the afternoon.",
    "The number and tone of the calls stopped the team helping other residents and distressed "
    "the officers who took them.",
    "Threats to a member of staff's safety are never acceptable, whatever the frustration behind "
    "them.",
]
SPOCS = [
    "Sam Spoc, Housing Team Leader: 01305 221000, housing.spoc@council.example",
    "Priya Patel, Customer Services Manager: 01305 221001, customer.spoc@council.example",
]
# One letter in five is of expected behaviour, two in five each low/medium and high risk.
KINDS = ["low_medium", "high", "low_medium", "high", "expected_behaviour"]
KIND_NAMES = {
    "low_medium": "low or medium risk",
    "high": "high risk",
    "expected_behaviour": "expected behaviour",
}


def _current_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(0.95 * len(values)) - 1))]


# --- Seeding -----------------------------------------------------------------------------------


def seed(*, letters: int, rng: random.Random, out=sys.stdout):
    """Complete draft letters, and who approves them; returns (legal, manager, letter ids)."""
    from django.contrib.auth.models import Group

    from correspondence import content
    from correspondence.models import Letter
    from referrals.models import Person
    from ubpanel.models import Service, User
    from ubpanel.roles import Role, roles_ensure

    started = time.perf_counter()
    roles_ensure()
    service, _ = Service.objects.get_or_create(name="Housing")
    legal = User.objects.create_user(
        username=f"bench-legal-{uuid.uuid4().hex[:6]}", first_name="Alex", last_name="Advocate"
    )
    legal.groups.add(Group.objects.get(name=Role.LEGAL_SERVICES.label))
    manager = User.objects.create_user(
        username=f"bench-manager-{uuid.uuid4().hex[:6]}",
        first_name="Morgan",
        last_name="Manager",
        service=service,
    )
    manager.groups.add(Group.objects.get(name=Role.REFERRING_MANAGER.label))

    people = Person.objects.bulk_create(
        [
            Person(
                given_names=f"Bench{i}", family_name="Letterson", search_name=f"bench{i} letterson"
            )
            for i in range(letters)
        ]
    )
    rows = []
    for i, person in enumerate(people):
        kind = KINDS[i % len(KINDS)]
        high = kind == "high"
        rows.append(
            Letter(
                kind=kind,
                person=person,
                recipient_name=f"{person.given_names} {person.family_name}",
                recipient_address=f"{rng.randint(1, 200)} Acland Road\nDorchester\nDT1 1JW",
                incident_description=" ".join(rng.sample(INCIDENTS, rng.randint(1, 3))),
                incident_location=rng.choice(PLACES),
                incident_when=f"{rng.randint(1, 28)} March 2026 at {rng.randint(8, 17)}:15",
                why_unreasonable=rng.choice(REASONS),
                expected_behaviour=content.EXPECTED_BEHAVIOUR
                if kind == "expected_behaviour"
                else "",
                cease_and_desist=content.CEASE_AND_DESIST if high else "",
                spoc=rng.choice(SPOCS),
                contact_restrictions="Contact the council in writing, to your single point of "
                "contact only.",
                service_restrictions="Appointments take place at County Hall with two officers "
                "present.",
                consequences_of_breach=content.CONSEQUENCES,
                logging_statement="" if kind == "expected_behaviour" else content.LOGGING_STATEMENT,
                review_or_appeal={
                    "high": content.APPEAL_PROCESS,
                    "low_medium": content.REVIEW_PROCESS,
                }.get(kind, ""),
                ombudsman="" if kind == "expected_behaviour" else content.OMBUDSMAN,
                sender_name=str(legal if high else manager),
                sender_title="Solicitor, Legal Services" if high else "Operations Manager",
            )
        )
    ids = [letter.pk for letter in Letter.objects.bulk_create(rows)]
    shares = Counter(KINDS[i % len(KINDS)] for i in range(letters))
    print(
        f"Seeded {letters} letters ({shares['low_medium']} low or medium risk, {shares['high']} "
        f"high risk, {shares['expected_behaviour']} of expected behaviour) in "
        f"{time.perf_counter() - started:.1f} s",
        file=out,
    )
    return legal, manager, ids


# --- The worker --------------------------------------------------------------------------------


@contextlib.contextmanager
def _tasks_to(queue: str):
    """This process's tasks go to the broker (not run in-process), on the benchmark's queue."""
    from ubpanel.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue")}
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield
    finally:
        app.conf.update(saved)


@contextlib.contextmanager
def _worker(*, queue: str, database_url: str, broker_url: str, media_root: Path, timings: Path):
    """One `celery worker`, solo pool (one task at a time), on its own queue; yields its name."""
    name = f"{queue}@bench"
    log = open(media_root / "worker.log", "w+")  # noqa: SIM115
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(media_root),
        "UBPANEL_BENCH_TIMINGS": str(timings),
    }
    process = subprocess.Popen(  # noqa: S603  (a fixed command: this Python's celery)
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ubpanel",
            "worker",
            "--pool=solo",
            "-n",
            name,
            "-Q",
            queue,
            "--include",
            "bench.letters.timing",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield name, process, log
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        import redis

        redis.Redis.from_url(broker_url).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
        )


def _wait_until_ready(name: str, process, log, seconds: float = 60) -> float:
    from ubpanel.celery import app

    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"The worker stopped:\n{log.read()}")
        if app.control.ping(destination=[name], timeout=0.5):
            return time.perf_counter() - started
    raise RuntimeError(f"The worker did not answer within {seconds:.0f} s")


def _read(timings: Path) -> list[dict]:
    if not timings.exists():
        return []
    return [json.loads(line) for line in timings.read_text().splitlines() if line.strip()]


# --- The run -------------------------------------------------------------------------------------


def run_letters(
    *,
    letters: int,
    rng: random.Random,
    database_url: str,
    broker_url: str,
    media_root: Path,
    out=sys.stdout,
) -> dict:
    from correspondence.models import Letter, LetterPdf
    from correspondence.services import letter_approve
    from correspondence.variants import ALWAYS_MADE

    legal, manager, ids = seed(letters=letters, rng=rng, out=out)
    queue = f"bench-letters-{uuid.uuid4().hex[:8]}"
    timings = media_root / "timings.jsonl"
    # The seeded people need no easy-read version: standard and large print each.
    variants = len(ALWAYS_MADE)
    with (
        _tasks_to(queue),
        _worker(
            queue=queue,
            database_url=database_url,
            broker_url=broker_url,
            media_root=media_root,
            timings=timings,
        ) as (name, process, log),
    ):
        ready_after = _wait_until_ready(name, process, log)
        load_before = os.getloadavg()[0]
        approved_at = {}
        started = time.time()
        for letter in Letter.objects.filter(pk__in=ids).order_by("pk"):
            letter_approve(actor=legal if letter.kind == "high" else manager, letter=letter)
            approved_at[letter.pk] = time.time()
        approving = time.time() - started
        deadline = time.monotonic() + max(120, letters * 5)
        while time.monotonic() < deadline:
            tasks = [r for r in _read(timings) if r["what"] == "task"]
            if len(tasks) >= letters and (
                LetterPdf.objects.filter(letter_id__in=ids).count() == letters * variants
            ):
                break
            if process.poll() is not None:
                break
            time.sleep(0.2)
        else:
            log.seek(0)
            raise RuntimeError(f"Not every PDF was made in time; the worker said:\n{log.read()}")
        load_after = os.getloadavg()[0]
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"The worker stopped:\n{log.read()}")

    records = _read(timings)
    tasks = [r for r in records if r["what"] == "task"]
    pdfs = [r for r in records if r["what"] == "pdf"]
    assert all(r["state"] == "SUCCESS" and r["made"] == variants for r in tasks), tasks
    stored = LetterPdf.objects.filter(letter_id__in=ids).count()
    files = sum(1 for _ in (media_root / "private" / "letters").rglob("*.pdf"))
    finished = max(r["finished"] for r in tasks)
    elapsed = finished - started
    task_ms = [r["ms"] for r in tasks]
    latency = [r["finished"] - approved_at[r["letter_id"]] for r in tasks]
    kinds = dict(Letter.objects.filter(pk__in=ids).values_list("pk", "kind"))
    figures = {
        "letters": letters,
        "pdfs": stored,
        "files": files,
        "worker_ready_s": ready_after,
        "approving_s": approving,
        "elapsed_s": elapsed,
        "letters_per_minute": letters / elapsed * 60,
        "first_letter_ms": tasks[0]["ms"],
        "letter_p50_ms": statistics.median(task_ms),
        "letter_p95_ms": _p95(task_ms),
        "letter_max_ms": max(task_ms),
        "letter_cpu_p50_ms": statistics.median(r["cpu_ms"] for r in tasks),
        "letter_cpu_p95_ms": _p95([r["cpu_ms"] for r in tasks]),
        "latency_p50_s": statistics.median(latency),
        "latency_p95_s": _p95(latency),
        "load_before": load_before,
        "load_after": load_after,
    }
    for variant in ALWAYS_MADE:
        times = [r["ms"] for r in pdfs if r["variant"] == variant]
        figures[f"pdf_{variant}_p50_ms"] = statistics.median(times)
        figures[f"pdf_{variant}_p95_ms"] = _p95(times)
        figures[f"pdf_{variant}_kb"] = (
            statistics.median(r["bytes"] for r in pdfs if r["variant"] == variant) / 1024
        )
    by_kind = {}
    for kind in sorted(set(kinds.values())):
        times = [r["ms"] for r in tasks if kinds[r["letter_id"]] == kind]
        by_kind[kind] = (statistics.median(times), _p95(times))
        figures[f"letter_{kind}_p95_ms"] = by_kind[kind][1]

    verdict = "meets" if figures["letter_p95_ms"] <= TARGET_P95_MS else "MISSES"
    print(
        f"One worker (solo pool, ready {ready_after:.1f} s after starting) made {stored} PDFs "
        f"({files} files) for {letters} letters in {elapsed:.1f} s from the first approval: "
        f"{figures['letters_per_minute']:.0f} letters per minute end to end (the approvals "
        f"themselves took {approving:.1f} s)",
        file=out,
    )
    print(
        f"Per letter (the letter_render_pdf task: lock, both PDFs, files, rows): p50 "
        f"{figures['letter_p50_ms']:.0f} ms, p95 {figures['letter_p95_ms']:.0f} ms (target ≤ "
        f"{TARGET_P95_MS:.0f} ms: {verdict}), max {figures['letter_max_ms']:.0f} ms; the first, "
        f"on a cold worker, {figures['first_letter_ms']:.0f} ms",
        file=out,
    )
    print(
        f"CPU time the worker used per letter (the above without waiting for the machine's other "
        f"processes): p50 {figures['letter_cpu_p50_ms']:.0f} ms, p95 "
        f"{figures['letter_cpu_p95_ms']:.0f} ms",
        file=out,
    )
    print(
        "Per PDF (rendering only): "
        + "; ".join(
            f"{variant.replace('_', ' ')} p50 {figures[f'pdf_{variant}_p50_ms']:.0f} ms, p95 "
            f"{figures[f'pdf_{variant}_p95_ms']:.0f} ms"
            for variant in ALWAYS_MADE
        )
        + f"; median size {figures['pdf_standard_kb']:.0f} KB standard, "
        f"{figures['pdf_large_print_kb']:.0f} KB large print",
        file=out,
    )
    print(
        "Per letter by kind: "
        + "; ".join(
            f"{KIND_NAMES[kind]} p50 {p50:.0f} ms, p95 {p95:.0f} ms"
            for kind, (p50, p95) in by_kind.items()
        ),
        file=out,
    )
    print(
        f"From approval to both PDFs stored (queueing behind the letters approved before it "
        f"included): p50 {figures['latency_p50_s']:.1f} s, p95 {figures['latency_p95_s']:.1f} s; "
        f"load average {load_before:.1f} before, {load_after:.1f} after (the machine's other work)",
        file=out,
    )
    return figures


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--seed", type=int, default=6)
    database.add_database_arguments(
        parser, "ubpanel_bench_letters", keep_help="leave the database and the PDFs"
    )
    parser.add_argument(
        "--media-root",
        help="where the worker writes the PDFs (default: a temporary folder, removed afterwards)",
    )
    return parser.parse_args(argv)


def main(argv=None, out=sys.stdout) -> dict:
    args = parse_args(argv)
    rng = random.Random(args.seed)  # noqa: S311  (repeatable test data, not secrets)
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not broker_url.startswith("redis://"):
        sys.exit("Set CELERY_BROKER_URL to a Redis server (the worker takes its tasks from it).")
    media_root = Path(args.media_root or tempfile.mkdtemp(prefix="ubpanel-bench-letters-"))
    media_root.mkdir(parents=True, exist_ok=True)
    try:
        if args.in_place:
            return run_letters(
                letters=args.letters,
                rng=rng,
                database_url=_current_database_url(),
                broker_url=broker_url,
                media_root=media_root,
                out=out,
            )
        return _in_own_database(args, rng, broker_url, media_root, out)
    finally:
        if not args.media_root and not args.keep:
            shutil.rmtree(media_root, ignore_errors=True)


def _in_own_database(args, rng, broker_url: str, media_root: Path, out) -> dict:
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL server (the benchmark's database goes beside it)."
        )
    database_url = database.url_for(base_url, args.database)
    os.environ["DATABASE_URL"] = database_url
    os.environ["MEDIA_ROOT"] = str(media_root)
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ubpanel.settings")
    database.admin_execute(base_url, f'DROP DATABASE IF EXISTS "{args.database}"')
    database.admin_execute(base_url, f'CREATE DATABASE "{args.database}"')
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        return run_letters(
            letters=args.letters,
            rng=rng,
            database_url=database_url,
            broker_url=broker_url,
            media_root=media_root,
            out=out,
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            database.admin_execute(base_url, f'DROP DATABASE IF EXISTS "{args.database}"')


if __name__ == "__main__":
    main(sys.argv[1:])
