"""Public pages, partials, feeds, badges and the widget (the exact paths the snapshot holds)."""

from django.urls import path

from statuspage.public import views

urlpatterns = [
    path("", views.snapshot_view("/"), name="index"),
    path("partials/live", views.snapshot_view("/partials/live"), name="live"),
    path("history", views.history, name="history"),
    path("models", views.snapshot_view("/models"), name="models"),
    path("history.atom", views.snapshot_view("/history.atom"), name="history-atom"),
    path("history.rss", views.snapshot_view("/history.rss"), name="history-rss"),
    path("incidents/<str:public_id>", views.incident, name="incident"),
    path("components/<str:public_id>", views.component, name="component"),
    path("badge.svg", views.snapshot_view("/badge.svg"), name="badge"),
    path("badge/<str:public_id>.svg", views.component_badge, name="badge-component"),
    path("badge/<str:public_id>/uptime.svg", views.uptime_badge, name="badge-uptime"),
    path("embed.js", views.snapshot_view("/embed.js"), name="embed"),
]
