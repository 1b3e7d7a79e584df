"""Subscription pages; a link's token is Django TimestampSigner output (letters, digits, -, _ and :)."""

from django.urls import path, re_path

from statuspage.subscriptions import views

SIGNED = r"(?P<token>[-\w:]{1,200})"

urlpatterns = [
    path("subscribe", views.subscribe, name="subscriptions-subscribe"),
    re_path(rf"^subscriptions/confirm/{SIGNED}$", views.confirm, name="subscriptions-confirm"),
    re_path(rf"^subscriptions/manage/{SIGNED}$", views.manage, name="subscriptions-manage"),
    re_path(rf"^subscriptions/unsubscribe/{SIGNED}$", views.unsubscribe, name="subscriptions-unsubscribe"),
]
