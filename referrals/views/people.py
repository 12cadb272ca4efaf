from django.core.paginator import Paginator
from django.shortcuts import render

from referrals.selectors import visible_people
from ubpanel import audit, hooks
from ubpanel.access import get_object_or_404
from ubpanel.roles import PEOPLE_ROLES, can_see_special_category, role_required

from .adjustments import person_adjustments_context

PEOPLE_PER_PAGE = 25


@role_required(PEOPLE_ROLES)
def person_list(request):
    people = visible_people(request.user).select_related("recorded_by_service")
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    audit.record_access(page.object_list, audit.Event.LIST)
    return render(request, "referrals/person_list.html", {"page": page})


def person_detail(request, pk):
    person = get_object_or_404(
        visible_people(request.user).select_related("recorded_by_service"), pk=pk
    )
    audit.record_access(person)
    return render(
        request,
        "referrals/person_detail.html",
        {
            "person": person,
            "show_special_category": can_see_special_category(request.user),
            **person_adjustments_context(request.user, person),
            **hooks.person_page_context(user=request.user, person=person),
        },
    )
