"""A worker's caller-ID selection and team as the backend keeps them (see docs/design.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WorkerState:
    caller_id: str | None = None
    local_presence: bool = False
    # Bumped by every selection write: tells a selection that was overtaken from the one in force.
    version: int = 0
    # The worker's TaskRouter ``team_name`` (outboundAssignment by team), when known.
    team: str | None = None
