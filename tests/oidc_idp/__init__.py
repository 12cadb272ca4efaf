"""A real OpenID Connect provider for the single sign-on tests: a small Django project on
django-oidc-provider, run by the tests as a subprocess on a free loopback port with its own SQLite
database (``harness.py`` starts it; ``serve.py`` is the process)."""
