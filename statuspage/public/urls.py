"""Public pages."""

from django.urls import path

from statuspage.public import views

urlpatterns = [
    path("", views.index, name="index"),
]
