from django.shortcuts import render
from django.urls import path

from ubpanel.roles import SCHEDULE_ROLES, role_required


@role_required(SCHEDULE_ROLES)
def index(request):
    return render(request, "schedule/index.html")


urls = [
    path("", index, name="index"),
]
