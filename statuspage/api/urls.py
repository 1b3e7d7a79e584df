"""Statuspage v2-compatible JSON at the origin root, exact paths, no trailing slash."""

from django.urls import path

from statuspage.api import views

urlpatterns = [
    path("api/v2/summary.json", views.summary, name="api-summary"),
]
