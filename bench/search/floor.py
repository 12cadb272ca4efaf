"""The floor the search is measured against (issue 16): a bare view running the same trigram
lookup over the same people, served by the same Django handler and middleware, and nothing else.

No sign-in (so no session or user read), no permission, no scoring, no entries, no audit, no
template: the SQL function ``schedule_searchkey_search`` that search before contact calls, cut to
the same number of keys, best first, and the keys written out as plain text. What the real search
costs beyond this is what the app adds; the benchmark prints the ratio.

Only the benchmark's URLconf (``bench.search.urls``) routes to it; the app never does.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from schedule.search import MAX_KEYS, Query

FLOOR_SQL = """
    SELECT person_id, kind, value, written
      FROM schedule_searchkey_search(%s, %s, %s, %s, %s)
     ORDER BY rank DESC, value
     LIMIT %s
"""


@csrf_exempt
@login_not_required
@require_POST
def floor(request):
    parsed = Query.parse(request.POST.get("q", ""))
    like = f"%{parsed.address_text}%" if parsed.address_text else ""
    with connection.cursor() as cursor:
        cursor.execute(
            FLOOR_SQL,
            [parsed.name_key, like, parsed.postcode, parsed.email, parsed.phone, MAX_KEYS],
        )
        rows = cursor.fetchall()
    body = "\n".join(f"{person_id} {kind} {value}" for person_id, kind, value, _ in rows)
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
