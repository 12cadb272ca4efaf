import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.cache import patch_cache_control

from . import audit

SESSION_STARTED_KEY = "ubpanel_signed_in_at"


class SessionLifetimeMiddleware:
    """End a session SESSION_ABSOLUTE_SECONDS after sign-in, however active it has been.

    The 30-minute idle limit is Django's own (SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST).
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
    """Django's, except that a background poll (a view marked ``@passive_session``) is not activity:
    it neither extends the 30-minute idle limit nor re-sends the cookie. A meeting screen left open
    and unattended still signs its user out."""

    def process_response(self, request, response):
        if getattr(request, "session_passive", False) and not request.session.modified:
            return response
        return super().process_response(request, response)


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
