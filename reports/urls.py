from django.urls import path

from .views import committee, statistics

app_name = "reports"

urlpatterns = [
    path("statistics/", statistics.statistics_page, name="statistics"),
    path("statistics/workbook.xlsx", statistics.statistics_xlsx, name="statistics_xlsx"),
    path("statistics/<slug:slug>.csv", statistics.statistics_csv, name="statistics_csv"),
]
urlpatterns += [
    path("committee-reports/new/", committee.committee_report_new, name="committee_report_new"),
    path("committee-reports/<id:pk>/", committee.committee_report, name="committee_report"),
    path(
        "committee-reports/<id:pk>/download/",
        committee.committee_report_download,
        name="committee_report_download",
    ),
]
