from django.shortcuts import render

from ubpanel.roles import LETTER_ROLES, role_required


@role_required(LETTER_ROLES)
def index(request):
    return render(request, "correspondence/index.html")
