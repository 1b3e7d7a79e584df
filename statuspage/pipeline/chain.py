"""The status chain, stage by stage. Each room imports only the rooms upstream of it; where a stage's
output goes downstream it calls a `Link`, and this is the one place that says where each link leads.

monitors -> StateChange rows, doorbell "components.propagate" (by task name)
components.propagation -> component status (set_statuses, the one writer; incident updates use it too)
    -> incidents.automation            (components_changed, upstream_moved)
    -> subscriptions.outbox            (announce_change: component webhooks, same transaction)
    -> subscriptions.alerts            (monitor_alerts.notify_operators: monitors misconfigured, silent;
                                        watchdog.notify_operators: our own pipeline late)
incidents.services -> subscriptions.outbox   (announce_update: deliveries, same transaction)
incidents.automation -> subscriptions.alerts (notify_operators: automatic incidents opened, worsened,
    resolved, or held for approval)
"""

from __future__ import annotations

from statuspage.components import models as components
from statuspage.components import monitor_alerts, propagation, watchdog
from statuspage.incidents import automation, services
from statuspage.incidents.models import Incident
from statuspage.subscriptions import alerts, outbox


def connect() -> None:
    propagation.in_maintenance.connect(Incident.objects.components_in_maintenance)
    propagation.components_changed.connect(automation.on_component_changes)
    propagation.upstream_moved.connect(automation.note_upstream)
    components.announce_change.connect(outbox.enqueue_component_change)
    monitor_alerts.notify_operators.connect(alerts.notify_operators)
    watchdog.notify_operators.connect(alerts.notify_operators)
    services.announce_update.connect(outbox.enqueue_update)
    automation.notify_operators.connect(alerts.notify_operators)
