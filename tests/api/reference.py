"""Real captures quoted in reference/statuspage-api-v2.md §1: the shapes our documents must match."""

# status.claude.com status.json, verbatim (2026-08-09).
CLAUDE_STATUS = {
    "page": {
        "id": "tymt9n04zgry",
        "name": "Claude",
        "url": "https://status.claude.com",
        "time_zone": "Etc/UTC",
        "updated_at": "2026-08-09T13:08:44.230Z",
    },
    "status": {"indicator": "none", "description": "All Systems Operational"},
}

# A GitHub incidents.json entry (2024-09-16), one update.
GITHUB_INCIDENT = {
    "id": "69sb0f8lydp4",
    "name": "Incident with Pages and Actions",
    "status": "resolved",
    "created_at": "2024-09-16T21:31:02.719Z",
    "updated_at": "2024-09-16T22:08:39.349Z",
    "monitoring_at": None,
    "resolved_at": "2024-09-16T22:08:39.333Z",
    "impact": "major",
    "shortlink": "https://stspg.io/mc6sr407p78b",
    "started_at": "2024-09-16T21:31:02.713Z",
    "page_id": "kctbh9vrtdwd",
    "incident_updates": [
        {
            "id": "gv96mtfg46fj",
            "status": "resolved",
            "body": "This incident has been resolved.",
            "incident_id": "69sb0f8lydp4",
            "created_at": "2024-09-16T22:08:39.333Z",
            "updated_at": "2024-09-16T22:08:39.333Z",
            "display_at": "2024-09-16T22:08:39.333Z",
            "affected_components": [
                {
                    "code": "br0l2tvcx85d",
                    "name": "Actions",
                    "old_status": "partial_outage",
                    "new_status": "operational",
                }
            ],
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }
    ],
    "components": [
        {
            "id": "br0l2tvcx85d",
            "name": "Actions",
            "status": "operational",
            "created_at": "2019-11-13T18:02:19.432Z",
            "updated_at": "2024-09-16T22:08:39.305Z",
            "position": 7,
            "description": "Workflows, Compute and Orchestration for GitHub Actions",
            "showcase": False,
            "start_date": None,
            "group_id": None,
            "page_id": "kctbh9vrtdwd",
            "group": False,
            "only_show_if_degraded": False,
        }
    ],
    "reminder_intervals": None,
}

# A group entry (status.hashicorp.com, 2021): the keys of a plain component plus `components`.
GROUP_KEYS = set(GITHUB_INCIDENT["components"][0]) | {"components"}

SUMMARY_KEYS = ["page", "components", "incidents", "scheduled_maintenances", "status"]

# The closed enums (§4 item 6).
COMPONENT_STATUSES = {
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
}
INDICATORS = {"none", "minor", "major", "critical", "maintenance"}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved", "postmortem"}
MAINTENANCE_STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
IMPACTS = {"none", "minor", "major", "critical", "maintenance"}
