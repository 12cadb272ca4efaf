import logging
import re
import time
import uuid
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control

from . import audit
from .logging import request_id_var

SESSION_STARTED_KEY = "ubpanel_signed_in_at"
# When the session was last active, as far as it records (at most SESSION_ACTIVITY_STEP_SECONDS late).
SESSION_ACTIVE_AT_KEY = "ubpanel_active_at"

request_logger = logging.getLogger("ubpanel.request")
proxy_logger = logging.getLogger("ubpanel.proxy")

# A request id from the trusted proxy is kept only if it is short and plain (it goes into logs).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Gives every request an id, puts it on every log line written while handling it and in the
    ``X-Request-ID`` response header, and logs one line per request: the URL's name and the status,
    never the path's query string (searches carry names). Behind the trusted proxy
    (``USE_X_FORWARDED_FOR``) the proxy's ``X-Request-ID`` is kept, so its logs and ours join up;
    otherwise a client could choose the id, so a new one is made."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        if settings.USE_X_FORWARDED_FOR and _REQUEST_ID.match(given):
            request_id = given
        else:
            request_id = uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            url_name = _url_name(request)
            request_logger.log(
                logging.DEBUG if url_name.startswith("healthz") else logging.INFO,
                "%s %s %s",
                request.method,
                url_name,
                response.status_code,
                extra={
                    "method": request.method,
                    "url_name": url_name,
                    "status_code": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


def _url_name(request) -> str:
    """The name of the URL asked for ("schedule:search"), also for a request answered before the
    URL was resolved (a redirect to HTTPS, a refused proxy); "-" for no URL of ours."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return "-"
    return match.view_name or "-"


class UntrustedProxyMiddleware:
    """A proxy says the request came over HTTPS, but ubpanel was not told to trust it: Django would
    see plain HTTP and redirect to HTTPS, the proxy would send the redirected request back as plain
    HTTP, and the browser would go round for ever. Say what is wrong instead, once, clearly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        if (
            forwarded == "https"
            and settings.SECURE_SSL_REDIRECT
            and not settings.USE_X_FORWARDED_FOR
            and not request.is_secure()
            and not any(
                re.search(pattern, request.path.lstrip("/"))
                for pattern in settings.SECURE_REDIRECT_EXEMPT
            )
        ):
            proxy_logger.error(
                "A request came through a proxy saying X-Forwarded-Proto: https, but "
                "USE_X_FORWARDED_FOR is off, so the proxy is not trusted: refused rather than "
                "redirected to HTTPS in a loop. Set USE_X_FORWARDED_FOR=true behind the "
                "council's reverse proxy.",
                extra={"setting": "USE_X_FORWARDED_FOR", "status_code": 500},
            )
            response = HttpResponse(
                "ubpanel is misconfigured: it is behind a proxy that forwards HTTPS "
                "(X-Forwarded-Proto: https) but USE_X_FORWARDED_FOR is off, so it would redirect "
                "to HTTPS for ever. Set USE_X_FORWARDED_FOR=true when ubpanel runs behind the "
                "council's reverse proxy (and only then).\n",
                status=500,
                content_type="text/plain; charset=utf-8",
            )
            # Logged once, above: not again as Django's "Internal Server Error".
            response._has_been_logged = True
            return response
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """End a session SESSION_ABSOLUTE_SECONDS after sign-in, however active it has been.

    The 30-minute idle limit is SessionMiddleware's (below), with the stored session's expiry.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            if started is None:
                request.session[SESSION_STARTED_KEY] = time.time()
            elif time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                user = request.user
                audit.record(audit.Event.SESSION_EXPIRED, objects=[user], actor=user)
                logout(request)
                messages.info(request, "Your session has ended. Sign in again to carry on.")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages for signed-in users may carry personal data: no browser or proxy may keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, keeping the 30-minute idle rule without saving the session on every request.

    Each request is activity, but its time is written into the session (which saves it, and so
    renews the stored session's expiry and re-sends the cookie) only when the last time written is
    at least ``SESSION_ACTIVITY_STEP_SECONDS`` old, or when the session changed anyway. A session
    whose last written activity is ``SESSION_COOKIE_AGE`` old is ended: since the written time is
    never more than one step behind the real last request, nobody stays signed in after 30 idle
    minutes, and someone idle for 30 minutes less one step is still signed in.

    A background poll (a view marked ``@passive_session``) is not activity: it neither extends
    the idle limit nor re-sends the cookie. A meeting screen left open and unattended still signs
    its user out.
    """

    def process_request(self, request):
        super().process_request(request)
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return  # no session to check, and no need to load one here
        active_at = request.session.get(SESSION_ACTIVE_AT_KEY)
        if active_at is not None and idle_too_long(active_at, now=time.time()):
            request.session.flush()  # as if the stored session had expired: signed out

    def process_response(self, request, response):
        session = request.session
        if getattr(request, "session_passive", False):
            if not session.modified:
                return response
        elif not session.is_empty():
            now = time.time()
            active_at = session.get(SESSION_ACTIVE_AT_KEY)
            if session.modified or active_at is None or activity_due(active_at, now=now):
                session[SESSION_ACTIVE_AT_KEY] = now
        return super().process_response(request, response)


@receiver(user_logged_in, dispatch_uid="ubpanel.middleware.active_at_sign_in")
def _active_at_sign_in(sender, request, user, **kwargs):
    """Signing in starts the session's lifetime and is activity: the session holds both times from
    the start, so its first page does not save it again (however the sign-in came: the form,
    single sign-on, a test's ``force_login``)."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_ACTIVE_AT_KEY] = now


def activity_due(active_at: float, *, now: float) -> bool:
    """Is the recorded activity old enough to be written again (and the session saved)?"""
    return now - active_at >= settings.SESSION_ACTIVITY_STEP_SECONDS


def idle_too_long(active_at: float, *, now: float) -> bool:
    """Has the session been idle for the whole limit since its recorded activity? The stored
    session's own expiry (written with the activity) falls at the same moment."""
    return now - active_at >= settings.SESSION_COOKIE_AGE


def passive_session(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.session_passive = True
        return view(request, *args, **kwargs)

    return wrapped


class HtmxSignInRedirectMiddleware:
    """A background htmx request whose session has ended would otherwise swap the sign-in page into
    part of the screen: send the whole page to sign-in instead (htmx's HX-Redirect), which also
    clears whatever the screen showed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            redirect_all = HttpResponse(status=204)
            redirect_all["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
            return redirect_all
        return response
