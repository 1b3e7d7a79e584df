"""The Celery application: Redis broker, no result backend, tasks discovered from the apps."""

import os

from celery import Celery
from celery.app.amqp import AMQP
from kombu import Connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statuspage.settings")


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
    """

    def collect(self, socket_timeout=None):
        channel = self._default_channel
        super().collect(socket_timeout)
        if channel is not None and not channel.closed:
            channel.do_restore = False


class BrokerAMQP(AMQP):
    Connection = BrokerConnection


app = Celery("statuspage", amqp=BrokerAMQP)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
