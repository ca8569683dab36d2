"""What ``connect`` and ``teardown`` change at Twilio, as a list of steps computed from what Twilio holds now; each
step is applied unless the run is dry. A second run finds nothing left to do (each command is idempotent)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from callerid.domain.deployment import PriorHooks
from callerid.domain.taskrouter import TASK_END_EVENTS
from callerid.service.ports import ImportedHooks
from callerid.twilio.deployment import DeploymentGateway

TASKROUTER_EVENTS = "/webhooks/twilio/taskrouter-events"
EVENT_STREAMS = "/webhooks/twilio/event-streams"
CALL_STATUS = "/webhooks/twilio/call-status"
VOICE = "/webhooks/twilio/voice"
CALL_SUMMARY = "com.twilio.voice.insights.call-summary.complete"
# The event types this backend acts on: a task's or reservation's end frees a lock; a worker's attributes carry
# its team.
NEEDED_EVENTS = (*sorted(TASK_END_EVENTS), "worker.attributes.update")
SINK_DESCRIPTION = "caller-id call summaries"
SUBSCRIPTION_DESCRIPTION = "caller-id call summaries"


class ForeignCallback(Exception):
    """The workspace's event callback is someone else's: replaced only with ``--force``."""


@dataclass(frozen=True, slots=True)
class Step:
    text: str
    apply: Callable[[], None]


def merged_filter(existing: tuple[str, ...], url_was_ours: bool) -> tuple[str, ...]:
    """The workspace's filter with the events we need added, its other entries kept. A filter that is empty while
    the callback is already ours sends every event: nothing to add."""
    if not existing and url_was_ours:
        return existing
    return (*existing, *(e for e in NEEDED_EVENTS if e not in existing))


def connect_steps(
    twilio: DeploymentGateway,
    imported: ImportedHooks,
    account_sid: str,
    base_url: str,
    *,
    force: bool = False,
    event_streams: bool = False,
) -> list[Step]:
    steps: list[Step] = []
    url = base_url + TASKROUTER_EVENTS
    current = twilio.event_callback(account_sid)
    if current.url not in (None, url) and not force:
        raise ForeignCallback(
            f"The workspace's event callback is {current.url}, not this deployment's; run with --force to replace it."
        )
    wanted = merged_filter(current.events_filter, current.url == url)
    if current.url != url or wanted != current.events_filter:
        added = [e for e in wanted if e not in current.events_filter]
        text = f"set the workspace's event callback to {url}" + (f" (filter adds {', '.join(added)})" if added else "")
        steps.append(Step(text, lambda: twilio.set_event_callback(account_sid, url, wanted)))
    if event_streams:
        steps += sink_steps(twilio, account_sid, base_url + EVENT_STREAMS)
    status_callback = base_url + CALL_STATUS
    ours = {n.sid for n in imported.imported(account_sid)}
    for number in twilio.numbers(account_sid):
        if (number.voice_url == base_url + VOICE or number.sid in ours) and number.status_callback != status_callback:
            sid = number.sid
            steps.append(
                Step(
                    f"point {number.phone_number}'s status callback at {status_callback}",
                    partial(twilio.set_number_hooks, account_sid, sid, status_callback=status_callback),
                )
            )
    return steps


def sink_steps(twilio: DeploymentGateway, account_sid: str, destination: str) -> list[Step]:
    sink = next((s for s in twilio.sinks(account_sid) if s.destination == destination), None)
    subscribed = sink is not None and any(s.sink_sid == sink.sid for s in twilio.subscriptions(account_sid))
    if sink is not None and subscribed:
        return []

    def create() -> None:
        sink_sid = sink.sid if sink is not None else twilio.create_sink(account_sid, SINK_DESCRIPTION, destination)
        twilio.create_subscription(account_sid, sink_sid, SUBSCRIPTION_DESCRIPTION, CALL_SUMMARY)

    what = "subscribe the sink" if sink is not None else f"create the Event Streams sink {destination} and its"
    return [Step(f"{what} subscription to {CALL_SUMMARY}", create)]


def teardown_steps(
    twilio: DeploymentGateway,
    imported: ImportedHooks,
    account_sid: str,
    base_url: str,
    *,
    workspaces: Sequence[str] = (),
) -> list[Step]:
    """Restore the imported numbers of the account and of ``workspaces`` (its subaccounts with records); remove
    the account's event callback if it is ours, and our Event Streams sinks."""
    steps: list[Step] = []
    for account in dict.fromkeys((account_sid, *workspaces)):
        steps += restore_steps(twilio, imported, account)
    url = base_url + TASKROUTER_EVENTS
    current = twilio.event_callback(account_sid)
    if current.url == url:
        others = tuple(e for e in current.events_filter if e not in NEEDED_EVENTS)
        steps.append(
            Step(
                f"remove the workspace's event callback {url}",
                lambda: twilio.set_event_callback(account_sid, "", others),
            )
        )
    destination = base_url + EVENT_STREAMS
    for sink in [s for s in twilio.sinks(account_sid) if s.destination == destination]:
        subscriptions = [s.sid for s in twilio.subscriptions(account_sid) if s.sink_sid == sink.sid]

        def remove(sink_sid: str = sink.sid, subscriptions: list[str] = subscriptions) -> None:
            for subscription in subscriptions:
                twilio.delete_subscription(account_sid, subscription)
            twilio.delete_sink(account_sid, sink_sid)

        steps.append(
            Step(f"delete the Event Streams sink {sink.sid} and its {len(subscriptions)} subscription(s)", remove)
        )
    return steps


def restore_steps(twilio: DeploymentGateway, imported: ImportedHooks, account_sid: str) -> list[Step]:
    """Each imported number's voice URL and status callback put back as they were before its first import."""
    steps: list[Step] = []
    kept = imported.imported(account_sid)
    if not kept:
        return steps
    held = {n.sid: n for n in twilio.numbers(account_sid)}
    for before in kept:
        if before.sid not in held:
            steps.append(
                Step(
                    f"forget {before.phone_number} of {account_sid} (no longer at Twilio)",
                    partial(imported.forget, account_sid, before.sid),
                )
            )
            continue

        def restore(before: PriorHooks = before) -> None:
            twilio.set_number_hooks(
                account_sid,
                before.sid,
                voice_url=before.voice_url or "",
                status_callback=before.status_callback or "",
            )
            imported.forget(account_sid, before.sid)

        steps.append(
            Step(
                f"restore {before.phone_number}'s voice URL ({before.voice_url or 'none'}) and status callback "
                f"({before.status_callback or 'none'})",
                restore,
            )
        )
    return steps
