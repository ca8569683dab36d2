"""People and queues as a supervisor picks them: TaskRouter's workers and task queues, by name."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Person:
    """A TaskRouter worker of the workspace: its SID, name, team (its ``team_name`` attribute) and availability."""

    worker_sid: str
    friendly_name: str
    team: str | None
    available: bool

    def matches(self, search: str) -> bool:
        """Whether ``search`` (any case) is in the worker's name, SID or team."""
        needle = search.casefold()
        return any(needle in (text or "").casefold() for text in (self.friendly_name, self.worker_sid, self.team))


@dataclass(frozen=True, slots=True)
class Queue:
    """A TaskRouter task queue of the workspace."""

    queue_sid: str
    friendly_name: str


def team_of(attributes: str | None) -> str | None:
    """The ``team_name`` of a worker's attributes (JSON text); ``None`` when absent or unreadable."""
    try:
        parsed = json.loads(attributes or "{}")
    except ValueError:
        return None
    team = parsed.get("team_name") if isinstance(parsed, dict) else None
    return team if isinstance(team, str) and team else None
