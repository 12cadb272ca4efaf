from django.shortcuts import render

from ubpanel.roles import PANEL_ROLES, role_required


@role_required(PANEL_ROLES)
def index(request):
    return render(request, "panel/index.html")
