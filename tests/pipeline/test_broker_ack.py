"""Acknowledging a task after its channel was closed (a lost broker connection) on a real Redis."""

from __future__ import annotations

import pytest
import redis
from kombu import Queue
from kombu.exceptions import OperationalError

from statuspage.celery import RECONNECT_MAX_S, BrokerConnection, app

pytestmark = pytest.mark.faults


def test_a_message_acknowledged_after_its_channel_closed_leaves_the_unacked_index(settings):
    # acks_late: the worker closes the lost connection's channel while a task still runs; the task's
    # acknowledgement arrives afterwards. kombu raised AttributeError ('NoneType' object has no
    # attribute 'client'), which celery treats as unrecoverable: the worker exited.
    queue = Queue("ack-after-close-test")
    with BrokerConnection(settings.CELERY_BROKER_URL) as conn:
        channel = conn.channel()
        queue(channel).declare()
        producer = conn.Producer(channel)
        producer.publish({"n": 1}, routing_key=queue.name, declare=[queue])
        message = queue(channel).get(no_ack=False)
        assert message is not None
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        assert client.hexists("unacked", message.delivery_tag)
        channel.qos._delivered.clear()  # as after a restore at close: the task is not put back twice
        channel.close()

        message.ack()

        assert not client.hexists("unacked", message.delivery_tag)
        queue(conn.channel()).delete()


def test_celery_connections_use_the_channel_that_acknowledges_after_close():
    with app.connection_for_read() as conn:
        assert conn.default_channel.__class__.__name__ == "BrokerChannel"


def test_a_lost_broker_is_retried_every_second_at_most_however_the_retry_is_asked_for(settings):
    # Publishing (beat, the web's doorbells) passes the retry intervals by position, the worker by name.
    with BrokerConnection("redis://127.0.0.1:1/0") as conn:  # nothing listens there
        waits: list[float] = []

        def errback(exc: Exception, interval: float) -> None:
            waits.append(interval)

        for ask in (
            lambda: conn.ensure_connection(errback, 2, 2, 2, 30),
            lambda: conn.ensure_connection(errback, 2, interval_start=2, interval_step=2, interval_max=30),
        ):
            waits.clear()
            with pytest.raises(OperationalError):
                ask()
            assert waits and max(waits) <= RECONNECT_MAX_S
