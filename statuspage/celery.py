"""The Celery application: Redis broker, no result backend, tasks discovered from the apps."""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from celery import Celery
from celery.app.amqp import AMQP
from celery.signals import beat_init
from kombu import Connection
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statuspage.settings")

# Longest pause between two tries to reach a lost broker: the worker is back within this of Redis.
RECONNECT_MAX_S = 1.0


class BrokerChannel(kombu_redis.Channel):
    """kombu's Redis channel, able to acknowledge a message after it was closed.

    With acks_late, a task that is running when Redis goes away is acknowledged when it finishes, on
    the channel it arrived on. The worker has closed that channel meanwhile (the connection was lost),
    and closing it detached it from its transport (`self.connection = None`); kombu's ack then builds a
    Redis client from `self.connection.client` and raises AttributeError ('NoneType' object has no
    attribute 'client'), which is not a connection error: celery calls it unrecoverable and the worker
    exits. An acknowledgement is two commands on the broker's unacked index, whichever connection sends
    them, so a closed channel sends them over a fresh connection to the same broker URL. If Redis is
    still down that raises a connection error, which celery logs, and the task is redelivered after the
    visibility timeout as for any lost acknowledgement.
    """

    def __init__(self, connection, *args, **kwargs) -> None:
        self._broker_url = connection.client.as_uri(include_password=True)
        super().__init__(connection, *args, **kwargs)

    @contextmanager
    def conn_or_acquire(self, client=None) -> Iterator[redis.Redis]:
        if client is not None or self.connection is not None:
            with super().conn_or_acquire(client) as found:
                yield found
            return
        timeout = self.socket_connect_timeout or RECONNECT_MAX_S
        with redis.Redis.from_url(
            self._broker_url, socket_timeout=timeout, socket_connect_timeout=timeout
        ) as fresh:
            yield fresh


class BrokerTransport(kombu_redis.Transport):
    Channel = BrokerChannel


class BrokerConnection(Connection):
    """kombu's Connection, made safe to close after `collect()`, so a Redis restart does not kill the worker.

    When the broker goes away, celery 5.7.0's worker calls `collect()` and then `close()` on the lost
    connection. With Redis down, `collect()` cannot close the channel the tasks arrive on (its pending
    BRPOP read fails first), yet it detaches the transport from the connection. `close()` then closes
    that channel again, and the channel tries to requeue its unacknowledged tasks through a transport
    that no longer has a broker address: AttributeError ('NoneType' has no 'hostname'), which celery
    treats as unrecoverable, and the worker exits. celery and kombu 5.7.0 are the latest releases and
    have no fix. Skipping that requeue loses nothing: Redis still holds those tasks in its unacked index
    and kombu requeues them once the visibility timeout has passed.

    It also uses BrokerChannel, and retries a lost broker at least every RECONNECT_MAX_S (celery's
    pause would grow by 2 s a try up to 30 s, so the worker came back up to 30 s after Redis did).
    """

    def get_transport_cls(self):
        found = super().get_transport_cls()
        return BrokerTransport if found is kombu_redis.Transport else found

    def collect(self, socket_timeout=None):
        channel = self._default_channel
        super().collect(socket_timeout)
        if channel is not None and not channel.closed:
            channel.do_restore = False

    def _ensure_connection(
        self, errback=None, max_retries=None, interval_start=2, interval_step=2, interval_max=30, **kwargs
    ):
        # The same parameters as kombu's: publishing passes them by position, the worker by name.
        return super()._ensure_connection(
            errback,
            max_retries,
            min(interval_start, RECONNECT_MAX_S / 2),
            min(interval_step, RECONNECT_MAX_S / 2),
            min(interval_max, RECONNECT_MAX_S),
            **kwargs,
        )


class BrokerAMQP(AMQP):
    Connection = BrokerConnection


app = Celery("statuspage", amqp=BrokerAMQP)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def start_watchdog(**_: object) -> None:
    """The pipeline watchdog runs in beat's process (statuspage/components/watchdog.py)."""
    # Lazy: this module is imported before Django's apps are loaded, and the watchdog reads models.
    from statuspage.components.watchdog import watch_forever

    threading.Thread(target=watch_forever, name="pipeline-watchdog", daemon=True).start()
