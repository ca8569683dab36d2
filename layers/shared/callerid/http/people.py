"""The people routes' bodies (``GET /v1/workers``, ``GET /v1/task-queues``, ``GET /v1/me``)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from callerid.domain.audit import AuditEntry
from callerid.domain.people import Person, Queue
from callerid.http.models.common import ApiModel, OwnedPageMeta, PageMeta, iso
from callerid.service.people import Me, PeoplePage


class WorkerOut(ApiModel):
    worker_sid: str
    friendly_name: str
    team: str | None
    available: bool

    @classmethod
    def of(cls, person: Person) -> WorkerOut:
        return cls(
            worker_sid=person.worker_sid,
            friendly_name=person.friendly_name,
            team=person.team,
            available=person.available,
        )


class WorkerList(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "workers": [
                        {
                            "workerSid": "WK0123456789abcdef0123456789abcdef",
                            "friendlyName": "Alice Jones",
                            "team": "sales",
                            "available": True,
                        }
                    ],
                    "meta": {"page": 1, "perPage": 50, "total": 1},
                }
            ]
        }
    )

    workers: list[WorkerOut]
    meta: PageMeta

    @classmethod
    def of(cls, found: PeoplePage, page: int, per_page: int) -> WorkerList:
        return cls(
            workers=[WorkerOut.of(p) for p in found.people],
            meta=PageMeta(page=page, per_page=per_page, total=found.total),
        )


class TaskQueueOut(ApiModel):
    queue_sid: str
    friendly_name: str

    @classmethod
    def of(cls, queue: Queue) -> TaskQueueOut:
        return cls(queue_sid=queue.queue_sid, friendly_name=queue.friendly_name)


class TaskQueueList(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"taskQueues": [{"queueSid": "WQ0123456789abcdef0123456789abcdef", "friendlyName": "Sales"}]}]
        }
    )

    task_queues: list[TaskQueueOut]


class MeOut(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "accountSid": "AC0123456789abcdef0123456789abcdef",
                    "accountName": "Acme Support",
                    "workerSid": "WK0123456789abcdef0123456789abcdef",
                    "identity": "alice",
                    "roles": ["supervisor"],
                }
            ]
        }
    )

    account_sid: str
    account_name: str
    worker_sid: str | None
    identity: str
    roles: list[str]

    @classmethod
    def of(cls, me: Me) -> MeOut:
        return cls(
            account_sid=me.account_sid,
            account_name=me.account_name,
            worker_sid=me.worker_sid,
            identity=me.identity,
            roles=me.roles,
        )


class ActorOut(ApiModel):
    worker_sid: str | None
    identity: str


class TargetOut(ApiModel):
    kind: str
    sid: str
    phone_number: str | None = None


class AuditEntryOut(ApiModel):
    at: str
    actor: ActorOut
    action: str
    target: TargetOut
    changes: dict[str, list[Any]]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            at=iso(entry.at) or "",
            actor=ActorOut(worker_sid=entry.actor.worker_sid, identity=entry.actor.identity),
            action=entry.action,
            target=TargetOut(
                kind=entry.target.kind.value, sid=entry.target.sid, phone_number=entry.target.phone_number
            ),
            changes={name: list(values) for name, values in entry.changes.items()},
        )


class AuditList(ApiModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "entries": [
                        {
                            "at": "2026-12-06T05:14:57.123000Z",
                            "actor": {"workerSid": "WK0123456789abcdef0123456789abcdef", "identity": "alice"},
                            "action": "lock.release",
                            "target": {
                                "kind": "phone_number",
                                "sid": "PN0123456789abcdef0123456789abcdef",
                                "phoneNumber": "+12065550100",
                            },
                            "changes": {"lockedBy": ["WK89abcdef0123456789abcdef01234567", None]},
                        }
                    ],
                    "meta": {"page": 1, "perPage": 50, "hasMore": False},
                }
            ]
        }
    )

    entries: list[AuditEntryOut]
    meta: OwnedPageMeta
