from django.contrib import admin
from django.urls import include, path

from jaring.api.main import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("imports/", include("jaring.imports.urls")),
    path("desk/employers/", include("jaring.employers.urls")),
    path("desk/field/", include("jaring.field.urls")),
    path("desk/", include("jaring.desk.urls")),
    path("dashboards/", include("jaring.dashboards.urls")),
    path("agents/", include("jaring.perisai.urls")),
    path("reminders/", include("jaring.reminders.urls")),
    path("settlement/", include("jaring.settlement.urls")),
    path("outreach/", include("jaring.outreach.urls")),
    path("events/", include("jaring.events.urls")),
    path("claims/", include("jaring.claims.urls")),
    path("duplicates/", include("jaring.members.duplicate_urls")),
    path("", include("jaring.accounts.urls")),
    path("", include("jaring.web.urls")),
]

# A request jaring could not read: the page names the reason when it is written for people.
handler400 = "jaring.web.errors.bad_request"
