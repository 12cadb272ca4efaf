"""The test identity provider's process: migrate its own SQLite database, make a signing key, and
serve on 127.0.0.1 at a port the OS picks, printed as ``listening on <port>`` once bound.

Run by harness.py: ``python -m tests.oidc_idp.serve`` with IDP_DATABASE and IDP_FIXTURE_TOKEN set.
"""

import os
import sys

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_idp.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import (  # noqa: E402
    ThreadedWSGIServer,
    WSGIRequestHandler,
)
from django.core.wsgi import get_wsgi_application  # noqa: E402
from oidc_provider.models import RSAKey  # noqa: E402


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # the tests' output stays readable
        pass


def main() -> None:
    call_command("migrate", verbosity=0, interactive=False)
    if not RSAKey.objects.exists():
        with open(os.devnull, "w") as quiet:
            call_command("creatersakey", stdout=quiet)
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(get_wsgi_application())
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
