"""Personas for the operator's admin (superuser, operator, anonymous), components and subscribers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from statuspage.components.models import Component, ComponentGroup
from statuspage.operators.roles import GROUP
from statuspage.subscriptions.models import Subscriber
from tests.admin.smtp import SmtpServer

ADMIN = "/admin/"


@pytest.fixture(autouse=True)
def _isolated_counters(settings) -> None:
    # Several runs share one Redis: throttles count in a namespace of their own per test.
    settings.RATELIMIT_CACHE_PREFIX = f"rl:test:{uuid.uuid4().hex}:"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: speed


@pytest.fixture
def make_staff(db, django_user_model) -> Callable[..., object]:
    def make(username: str, *, operator: bool = False, superuser: bool = False, password: str = "") -> object:
        user = django_user_model.objects.create_user(
            username, f"{username}@example.com", password or None, is_staff=True, is_superuser=superuser
        )
        if operator:
            user.groups.add(Group.objects.get(name=GROUP))
        return user

    return make


@pytest.fixture
def superuser_client(make_staff) -> Client:
    client = Client()
    client.force_login(make_staff("root", superuser=True))
    return client


@pytest.fixture
def operator(make_staff):
    return make_staff("olga", operator=True)


@pytest.fixture
def operator_client(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def components(make_component) -> dict[str, Component]:
    group = ComponentGroup.objects.create(name="OpenAI", position=1)
    return {
        "chat": make_component("Chat completions", group=group, position=1),
        "embeddings": make_component("Embeddings", group=group, position=2),
        "website": make_component("Website", position=2),
    }


@pytest.fixture
def make_subscriber(db) -> Callable[..., Subscriber]:
    def make(email: str = "", *, components=None) -> Subscriber:
        subscriber = Subscriber.objects.create(
            email=email or f"s{uuid.uuid4().hex[:8]}@example.com",
            all_components=components is None,
            confirmed_at=timezone.now(),
        )
        subscriber.components.set(components or [])
        return subscriber

    return make


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:
    """A real SMTP server on a free port; settings point at it."""
    with SmtpServer() as server:
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
        yield server
