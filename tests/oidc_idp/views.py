"""What the tests set up in the provider: its users with their groups, and ubpanel as a client.

Bearer-token protected (IDP_FIXTURE_TOKEN); this project exists only for the tests.
"""

import json
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.http import HttpResponseForbidden, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from oidc_provider.models import Client, ResponseType


def fixture_endpoint(view):
    @csrf_exempt
    @require_http_methods(["PUT"])
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        given = request.headers.get("Authorization", "")
        if not constant_time_compare(given, f"Bearer {settings.IDP_FIXTURE_TOKEN}"):
            return HttpResponseForbidden()
        return view(request, json.loads(request.body), *args, **kwargs)

    return wrapped


@fixture_endpoint
def put_user(request, data, username):
    """Create or change a user; ``groups`` replaces their groups, as a directory change would."""
    user, _ = User.objects.get_or_create(username=username)
    user.email = data.get("email", "")
    user.first_name = data.get("first_name", "")
    user.last_name = data.get("last_name", "")
    user.set_password(data["password"])
    user.save()
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in data.get("groups", [])])
    return JsonResponse({"username": username, "groups": data.get("groups", [])})


@fixture_endpoint
def put_client(request, data, client_id):
    """Register a confidential client (ubpanel) with its redirect URIs; no consent screen, as a
    council's provider registers its own line-of-business applications."""
    client, _ = Client.objects.get_or_create(client_id=client_id)
    client.name = data.get("name", client_id)
    client.client_type = "confidential"
    client.client_secret = data["client_secret"]
    client.redirect_uris = data["redirect_uris"]
    client.scope = data.get("scope", ["openid", "email", "profile", "groups"])
    client.jwt_alg = "RS256"
    client.require_consent = False
    client.save()
    client.response_types.set(ResponseType.objects.filter(value="code"))
    return JsonResponse({"client_id": client_id})
