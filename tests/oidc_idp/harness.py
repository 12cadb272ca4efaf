"""Start the test identity provider (``serve.py``) and drive it: register ubpanel as its client,
put users in groups, and sign in on its own login form.

The provider runs as a subprocess on a free loopback port with its own SQLite database; the
tests wait for its discovery document to answer before they use it, never for a fixed time.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests
from django.test import override_settings
from django.urls import clear_url_caches

import ubpanel.urls

ROOT = Path(__file__).resolve().parents[2]
READY_WITHIN_SECONDS = 60
CLIENT_ID = "ubpanel"
# The provider's groups and the ubpanel roles they give, as a council would set OIDC_GROUP_ROLES.
GROUP_ROLES = {
    "ubpanel-chair": "panel_chair",
    "ubpanel-assurance": "assurance_officer",
    "ubpanel-panel": "panel_member",
    "ubpanel-frontline": "frontline",
}


@dataclass
class Provider:
    base_url: str
    token: str
    client_secret: str

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/openid"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def _put(self, path: str, data: dict) -> None:
        response = requests.put(
            f"{self.base_url}/fixtures/{path}",
            json=data,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        )
        response.raise_for_status()

    def register_client(self, *redirect_uris: str) -> None:
        self._put(
            f"clients/{CLIENT_ID}",
            {"client_secret": self.client_secret, "redirect_uris": list(redirect_uris)},
        )

    def put_user(self, username: str, *, password: str, email: str, groups=(), **names) -> None:
        self._put(
            f"users/{username}",
            {"password": password, "email": email, "groups": list(groups), **names},
        )

    def settings(self, **overrides) -> dict:
        """ubpanel's settings for this provider: what ``ubpanel/settings/`` makes of
        ``environment()`` (``tests/test_oidc.py`` checks the two agree)."""
        values = {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_ENABLED": True,
            "OIDC_BREAK_GLASS_USERNAMES": ["breakglass"],
            "OIDC_PROVIDER_NAME": "Dorset Council",
            "OIDC_PROVIDER_ENFORCES_MFA": False,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_DISCOVERY_URL": self.discovery_url,
            "OIDC_RP_SCOPES": "openid email profile groups",
            "OIDC_GROUPS_CLAIM": "groups",
            "OIDC_GROUP_ROLES": dict(GROUP_ROLES),
            "OIDC_MATCH_BY_EMAIL": True,
            "OIDC_CREATE_USERS": True,
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_USE_PKCE": True,
            "OIDC_TIMEOUT": 10,
            "OIDC_VERIFY_SSL": True,
            "AUTHENTICATION_BACKENDS": [
                "axes.backends.AxesStandaloneBackend",
                "ubpanel.accounts.LocalSignInBackend",
                "guardian.backends.ObjectPermissionBackend",
                "ubpanel.oidc.CouncilOIDCBackend",
            ],
        }
        values.update(overrides)
        return values

    def environment(self) -> dict:
        """The environment a council would set for this provider."""
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_DISCOVERY_URL": self.discovery_url,
            "OIDC_RP_SCOPES": "openid email profile groups",
            "OIDC_GROUP_ROLES": ",".join(f"{group}={role}" for group, role in GROUP_ROLES.items()),
            "OIDC_BREAK_GLASS_USERNAMES": "breakglass",
        }


@contextlib.contextmanager
def single_sign_on(provider: Provider, **overrides) -> Iterator[Provider]:
    """Turn single sign-on on for the block, with ubpanel's URLs read again (its ``oidc/`` routes
    exist only when it is configured), and off again afterwards."""
    try:
        with override_settings(**provider.settings(**overrides)):
            _reload_urls()
            yield provider
    finally:
        _reload_urls()


def _reload_urls() -> None:
    importlib.reload(ubpanel.urls)
    clear_url_caches()


def _wait_until_ready(process: subprocess.Popen, discovery_url: str) -> None:
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test identity provider stopped (exit {process.returncode})")
        try:
            if requests.get(discovery_url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the test identity provider did not answer at {discovery_url}")


@contextlib.contextmanager
def running_provider(workdir: Path) -> Iterator[Provider]:
    """Start the provider, yield it once its discovery document answers, stop it afterwards."""
    token = secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "IDP_DATABASE": str(workdir / "idp.sqlite3"),
        "IDP_FIXTURE_TOKEN": token,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_idp.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        # The port is the one the provider bound itself, so no other process can take it first.
        line = process.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError(f"the test identity provider did not start: {line!r}")
        base_url = f"http://127.0.0.1:{int(line.split()[-1])}"
        provider = Provider(base_url, token, secrets.token_urlsafe(32))
        _wait_until_ready(process, provider.discovery_url)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sign_in_at_provider(
    provider: Provider, session: requests.Session, url: str, username: str, password: str
) -> str:
    """Follow ubpanel's redirect through the provider, signing in on its login form when it asks,
    and return the address the provider sends the browser back to (ubpanel's callback, with the
    code and state). ``session`` is the browser's side at the provider (its cookies)."""
    signed_in = False
    for _ in range(10):
        if not url.startswith(provider.base_url):
            return url
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and urlsplit(response.url).path == "/accounts/login/":
            if signed_in:
                raise AssertionError(f"the provider refused {username}'s password")
            signed_in = True
            response = session.post(
                response.url,
                data={
                    "csrfmiddlewaretoken": session.cookies.get("idp_csrftoken"),
                    "username": username,
                    "password": password,
                    "next": dict(parse_qsl(urlsplit(response.url).query)).get("next", ""),
                },
                headers={"Referer": response.url},
                allow_redirects=False,
                timeout=10,
            )
        if response.status_code != 302:
            raise AssertionError(f"the provider answered {response.status_code} at {response.url}")
        url = urljoin(response.url, response.headers["Location"])
    raise AssertionError("the provider kept redirecting")
