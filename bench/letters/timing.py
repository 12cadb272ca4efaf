"""Loaded into the benchmark's worker only (``--include bench.letters.timing``): writes how long
each ``letter_render_pdf`` task and each PDF took, one JSON line each, to the file named by
$UBPANEL_BENCH_TIMINGS. Without that variable it does nothing."""

import json
import os
import time

from celery import signals

TIMINGS = os.environ.get("UBPANEL_BENCH_TIMINGS")
TASK = "correspondence.tasks.letter_render_pdf"
_started: dict[str, tuple[float, float]] = {}


def _write(**record) -> None:
    with open(TIMINGS, "a") as file:
        file.write(json.dumps(record) + "\n")


if TIMINGS:
    from correspondence import pdf

    _letter_pdf = pdf.letter_pdf

    def _timed_letter_pdf(letter, variant):
        started = time.perf_counter()
        rendered = _letter_pdf(letter, variant)
        _write(
            what="pdf",
            letter_id=letter.pk,
            kind=letter.kind,
            variant=variant,
            ms=(time.perf_counter() - started) * 1000,
            bytes=len(rendered.pdf),
        )
        return rendered

    # letter_pdf_make imports letter_pdf from the module when it runs, so it finds this one.
    pdf.letter_pdf = _timed_letter_pdf

    @signals.task_prerun.connect(weak=False)
    def _task_started(task_id=None, task=None, **kwargs):
        if task is not None and task.name == TASK:
            _started[task_id] = (time.perf_counter(), time.process_time())

    @signals.task_postrun.connect(weak=False)
    def _task_finished(task_id=None, kwargs=None, retval=None, state=None, **other):
        started = _started.pop(task_id, None)
        if started is not None:
            _write(
                what="task",
                letter_id=(kwargs or {}).get("letter_id"),
                made=retval,
                state=state,
                ms=(time.perf_counter() - started[0]) * 1000,
                # The CPU the worker itself used: the time without waiting for other processes.
                cpu_ms=(time.process_time() - started[1]) * 1000,
                finished=time.time(),
            )
