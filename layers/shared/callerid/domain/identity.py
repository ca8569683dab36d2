"""Who is calling: the workspace (Twilio account), the worker and the roles, as Twilio's IAM answered."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from callerid.domain.errors import Forbidden


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


# Each role may do what the roles below it may do.
_GRANTS: dict[Role, frozenset[Role]] = {
    Role.AGENT: frozenset({Role.AGENT}),
    Role.SUPERVISOR: frozenset({Role.AGENT, Role.SUPERVISOR}),
    Role.ADMIN: frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN}),
}


@dataclass(frozen=True, slots=True)
class WorkerRef:
    """A TaskRouter worker within a workspace (Twilio account). Lock holders are compared by this pair."""

    account_sid: str
    worker_sid: str


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated Flex user. Every field comes from Twilio's token validation, never from the request."""

    account_sid: str
    identity: str
    roles: frozenset[str]
    worker_sid: str | None

    def may(self, role: Role) -> bool:
        return any(role in _GRANTS.get(Role(r), frozenset()) for r in self.roles if r in Role.__members__.values())

    def require(self, role: Role) -> None:
        if not self.may(role):
            raise Forbidden(f"This action needs the {role.value} role.")

    def worker(self) -> WorkerRef:
        """The caller as a worker; a Flex user without a TaskRouter worker cannot hold caller IDs."""
        if not self.worker_sid:
            raise Forbidden("This Flex user has no TaskRouter worker.")
        return WorkerRef(self.account_sid, self.worker_sid)
