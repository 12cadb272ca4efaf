"""No page shows Django's "---------" empty choice: every page of ``SIGNED_IN_PAGES`` is opened
by a role that may open it, and posted empty so a refused form shows its choices too
(issue 15, point 5)."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from . import url_objects
from .mail import keep_private_files_in
from .test_every_url_every_role import URLS, Url, _kwargs
from .test_pages import SIGNED_IN_PAGES

pytestmark = pytest.mark.django_db

DASHES = "---------"
SIGN_OUT = {"logout"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    patch = pytest.MonkeyPatch()
    keep_private_files_in(patch, tmp_path_factory.mktemp("private"))
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield url_objects.build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            patch.undo()


def _pages(world) -> list[tuple[Url, str]]:
    by_name = {url.name: url for url in URLS if url.name in SIGNED_IN_PAGES}
    pages = []
    for name in sorted(SIGNED_IN_PAGES):
        url = by_name.get(name)
        kwargs = _kwargs(url, world) if url else None
        if kwargs is not None and name not in SIGN_OUT:
            pages.append((url, reverse(name, kwargs=kwargs)))
    return pages


def _is_page(response) -> bool:
    return (
        response.status_code in (200, 400)
        and not response.streaming
        and "text/html" in response.get("Content-Type", "")
    )


def test_no_page_shows_djangos_dashes_to_a_role_that_may_open_it(world):
    clients = []
    for user in world.users.values():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append((user.username, client))
    shown, opened = [], set()
    for url, path in _pages(world):
        for who, client in clients:  # the first role that may open the page
            with transaction.atomic():
                for method in ("get", "post"):
                    response = getattr(client, method)(path, {})
                    if _is_page(response):
                        opened.add(url.name)
                        if DASHES in response.content.decode(errors="replace"):
                            shown.append(f"{who}: {method.upper()} {path} ({url.name})")
                transaction.set_rollback(True)
            if url.name in opened:
                break

    assert shown == []
    # The crawl reached the form pages: the check above was not vacuous.
    assert {"referrals:new", "referrals:triage_detail"} <= opened
