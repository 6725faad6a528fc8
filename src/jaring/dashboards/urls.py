from django.urls import path

from jaring.dashboards import contest_views, reminder_views, unreached_views, views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("office/<str:code>/", views.office, name="office"),
    path("outlet/<str:code>/", views.outlet, name="outlet"),
    path("agent/<str:code>/", views.agent, name="agent"),
    path("reminders/", reminder_views.reminders, name="reminders"),
    path("unreached/", unreached_views.unreached, name="unreached"),
    path("contests/", contest_views.contest_list, name="contests"),
    path("contests/<str:code>/", contest_views.contest_detail, name="contest"),
    path("contests/<str:code>/board/", contest_views.contest_board, name="contest_board"),
    path("contests/<str:code>/close/", contest_views.contest_close, name="contest_close"),
]
