from django.urls import path  # noqa: F401

from .views import exports, retention, who_viewed

app_name = "rights"

# Planned (issue 14): each part adds its own lines.
#   people/<id:pk>/viewed/            who_viewed.person_viewed      rights:person_viewed
#   people/<id:pk>/export/            exports.export_request        rights:export_request
#   exports/                          exports.export_list           rights:export_list
#   exports/<id:pk>/                  exports.export_detail         rights:export_detail
#   exports/<id:pk>/download/         exports.export_download       rights:export_download
#   retention/                        retention.retention_upcoming  rights:retention
#   people/<id:pk>/legal-hold/        retention.legal_hold_place    rights:legal_hold_place
#   legal-holds/<id:pk>/lift/         retention.legal_hold_lift     rights:legal_hold_lift
urlpatterns = [
    path("people/<id:pk>/export/", exports.export_request, name="export_request"),
    path("exports/", exports.export_list, name="export_list"),
    path("exports/<id:pk>/", exports.export_detail, name="export_detail"),
    path("exports/<id:pk>/download/", exports.export_download, name="export_download"),
    path("retention/", retention.retention_upcoming, name="retention"),
    path("people/<id:pk>/legal-hold/", retention.legal_hold_place, name="legal_hold_place"),
    path("legal-holds/<id:pk>/lift/", retention.legal_hold_lift, name="legal_hold_lift"),
    path("people/<id:pk>/viewed/", who_viewed.person_viewed, name="person_viewed"),
    path("people/<id:pk>/viewed/csv/", who_viewed.person_viewed_csv, name="person_viewed_csv"),
]
