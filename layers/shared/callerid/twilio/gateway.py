"""The Twilio REST gateway over the official client (``twilio.rest``): numbers, caller IDs, TaskRouter workers.

Lists read every page with ``page_size=1000``; worker updates send ``If-Match`` with the worker's ETag and map a
412 to ``WorkerChanged`` so the caller re-reads and merges again. Twilio errors are translated here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from twilio.base.api_response import ApiResponse
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client
from twilio.rest.api.v2010.account.incoming_phone_number import IncomingPhoneNumberInstance
from twilio.rest.api.v2010.account.outgoing_caller_id import OutgoingCallerIdInstance
from twilio.rest.taskrouter.v1.workspace.worker import WorkerInstance

from callerid.config import Settings
from callerid.domain.errors import NotFound, TwilioRefused, UpstreamUnavailable
from callerid.domain.numbers import NumberSource, TwilioFacts
from callerid.domain.people import Person, Queue, team_of
from callerid.domain.trust import TrustProduct, kind_of
from callerid.twilio.accounts import AccountDirectory
from callerid.twilio.records import (
    AvailableNumber,
    EndedCall,
    NumberHooks,
    NumberOrder,
    NumberSearch,
    OutgoingCallerId,
    OwnedNumber,
    TwilioPage,
    ValidationCall,
    WorkerChanged,
    WorkerSnapshot,
)
from callerid.twilio.transport import RetryingTwilioHttpClient

PAGE_SIZE = 1000
# The workflow every Flex workspace is created with.
DEFAULT_WORKFLOW = "Assign to Anyone"


@contextmanager
def translated_errors(what: str) -> Iterator[None]:
    """Twilio's 404 → ``NotFound``; other Twilio failures (an error answer, or a list page that could not be
    read, which the client raises as a bare ``TwilioException``) → ``UpstreamUnavailable``."""
    try:
        yield
    except TwilioRestException as exc:
        if exc.status == 404:
            raise NotFound(f"{what} was not found at Twilio.") from exc
        raise UpstreamUnavailable(f"Twilio answered {exc.status} for {what}.") from exc
    except TwilioException as exc:
        raise UpstreamUnavailable(f"Twilio could not be read for {what}.") from exc


def utc_text(moment: datetime | None) -> str | None:
    """Twilio's date as this API writes dates: ISO 8601 in UTC with ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def page_failure(cause: BaseException | None) -> tuple[int | None, object, str]:
    """Status, Twilio error code and message of a list page Twilio refused (the client raises a bare
    ``TwilioException`` with the response)."""
    response = cause.args[1] if cause is not None and len(cause.args) > 1 else None
    status = getattr(response, "status_code", None)
    try:
        body = json.loads(getattr(response, "text", "") or "{}")
    except ValueError:
        body = {}
    return status, body.get("code"), str(body.get("message") or "refused")


@contextmanager
def refused_or_translated(what: str) -> Iterator[None]:
    """Twilio's refusal of what was asked (a 4xx other than 404: number not available, none in that area code, an
    invalid number) → ``TwilioRefused`` naming Twilio's code; the rest as ``translated_errors``."""
    try:
        with translated_errors(what):
            yield
    except UpstreamUnavailable as exc:
        cause = exc.__cause__
        if isinstance(cause, TwilioRestException) and 400 <= cause.status < 500:
            raise TwilioRefused(f"Twilio refused {what}: {cause.msg} (Twilio error {cause.code}).") from cause
        raise


def owned_number(r: IncomingPhoneNumberInstance) -> OwnedNumber:
    return OwnedNumber(
        sid=r.sid or "",
        phone_number=r.phone_number or "",
        friendly_name=r.friendly_name or r.phone_number or "",
        voice_url=r.voice_url or None,
        status_callback=r.status_callback or None,
    )


def incoming_facts(r: IncomingPhoneNumberInstance) -> TwilioFacts:
    return TwilioFacts(
        sid=r.sid or "",
        phone_number=r.phone_number or "",
        friendly_name=r.friendly_name or r.phone_number or "",
        source=NumberSource.TWILIO,
        voice=bool((r.capabilities or {}).get("voice", True)),
        sms=bool((r.capabilities or {}).get("sms", False)),
        created_at=utc_text(r.date_created),
    )


def caller_id_facts(record: OutgoingCallerId) -> TwilioFacts:
    return TwilioFacts(
        sid=record.sid,
        phone_number=record.phone_number,
        friendly_name=record.friendly_name,
        source=NumberSource.VERIFIED,
        created_at=record.date_created,
    )


def caller_id_record(r: OutgoingCallerIdInstance) -> OutgoingCallerId:
    return OutgoingCallerId(
        sid=r.sid or "",
        phone_number=r.phone_number or "",
        friendly_name=r.friendly_name or r.phone_number or "",
        date_created=utc_text(r.date_created),
    )


class TwilioGateway:
    def __init__(self, settings: Settings, accounts: AccountDirectory, transport: RetryingTwilioHttpClient) -> None:
        self.settings = settings
        self.accounts = accounts
        self.transport = transport
        self._clients: dict[str, Client] = {}
        self._workspaces: dict[str, str] = {}
        self._workflows: dict[str, str] = {}
        self._lock = threading.Lock()

    def client(self, account_sid: str) -> Client:
        """A client authenticated as ``account_sid`` (subaccounts with their own token, read by the directory)."""
        account = self.accounts.get(account_sid)  # cached: the root's from its secret's cache, a subaccount's here
        with self._lock:
            existing = self._clients.get(account_sid)
        if existing is not None and existing.password == account.auth_token:
            return existing
        # First use, or the account's token changed (a rotation re-read after Twilio's 401): a client with it.
        created = Client(account.sid, account.auth_token, http_client=self.transport)
        with self._lock:
            self._clients[account_sid] = created
        return created

    def number_page(self, account_sid: str, source: NumberSource, next_page: str | None) -> TwilioPage:
        """One page (``PageSize=1000``) of the account's IncomingPhoneNumbers (``twilio``) or OutgoingCallerIds
        (``verified``), from the start or from ``next_page`` (the URL Twilio gave for it)."""
        account = self.client(account_sid).api.v2010.accounts(account_sid)
        resource = account.incoming_phone_numbers if source is NumberSource.TWILIO else account.outgoing_caller_ids
        with translated_errors("the account's numbers"):
            page = resource.get_page(next_page) if next_page else resource.page(page_size=PAGE_SIZE)
            records = list(page)
        if source is NumberSource.TWILIO:
            items = [incoming_facts(r) for r in records]
        else:
            items = [caller_id_facts(caller_id_record(r)) for r in records]
        return TwilioPage(items, page.next_page_url)

    def still_held(self, account_sid: str, source: NumberSource, sid: str) -> bool:
        """Whether the account still has this number (or verified caller ID) at Twilio."""
        try:
            if source is NumberSource.TWILIO:
                self.incoming_number(account_sid, sid)
            else:
                self.outgoing_caller_id(account_sid, sid)
        except NotFound:
            return False
        return True

    def available_numbers(self, account_sid: str, search: NumberSearch) -> list[AvailableNumber]:
        """Numbers Twilio offers for sale. A country or kind Twilio does not sell answers 404 at Twilio: none."""
        country = self.client(account_sid).api.v2010.accounts(account_sid).available_phone_numbers(search.country)
        resource = {"local": country.local, "tollFree": country.toll_free, "mobile": country.mobile}[search.kind]
        filters: dict[str, Any] = {"limit": search.limit}
        if search.area_code:
            filters["area_code"] = int(search.area_code)
        if search.contains:
            filters["contains"] = search.contains
        try:
            with translated_errors("the available numbers"):
                records = resource.list(**filters)
        except UpstreamUnavailable as exc:
            status, code, message = page_failure(exc.__cause__)
            if status == 404:
                return []
            if status is not None and 400 <= status < 500:
                raise TwilioRefused(f"Twilio refused the search: {message} (Twilio error {code}).") from exc
            raise
        return [
            AvailableNumber(
                phone_number=r.phone_number or "",
                friendly_name=r.friendly_name or r.phone_number or "",
                locality=r.locality,
                region=r.region,
                postal_code=r.postal_code,
                iso_country=r.iso_country or search.country,
                voice=bool((r.capabilities or {}).get("voice", True)),
                sms=bool((r.capabilities or {}).get("sms", False)),
            )
            for r in records
        ]

    def buy_number(self, account_sid: str, order: NumberOrder, hooks: NumberHooks) -> TwilioFacts:
        """Buy a number (exactly ``order.phone_number``, or any in ``order.area_code``) with its webhooks set."""
        numbers = self.client(account_sid).api.v2010.accounts(account_sid).incoming_phone_numbers
        wanted: dict[str, Any] = {"phone_number": order.phone_number} if order.phone_number else {}
        if order.area_code:
            wanted["area_code"] = order.area_code
        with refused_or_translated("the number to buy"):
            record = numbers.create(
                **wanted,
                voice_url=hooks.voice_url,
                voice_method="POST",
                status_callback=hooks.status_callback,
                status_callback_method="POST",
            )
        return incoming_facts(record)

    def owned_numbers(self, account_sid: str, page: int, per_page: int) -> tuple[list[OwnedNumber], bool]:
        """One page (from 1) of the account's numbers at Twilio, with their webhooks; and whether more follow."""
        numbers = self.client(account_sid).api.v2010.accounts(account_sid).incoming_phone_numbers
        with translated_errors("the account's phone numbers"):
            found = numbers.page(page_number=page - 1, page_size=per_page)
            records = list(found)
        return [owned_number(r) for r in records], found.next_page_url is not None

    def point_number(self, account_sid: str, sid: str, hooks: NumberHooks) -> tuple[TwilioFacts, OwnedNumber]:
        """Point the number's webhooks at this deployment; answers it as written and as it was before."""
        number = self.client(account_sid).api.v2010.accounts(account_sid).incoming_phone_numbers(sid)
        with translated_errors("the phone number"):
            before = owned_number(number.fetch())
            record = number.update(
                voice_url=hooks.voice_url,
                voice_method="POST",
                status_callback=hooks.status_callback,
                status_callback_method="POST",
            )
        return incoming_facts(record), before

    def incoming_number(self, account_sid: str, sid: str) -> TwilioFacts:
        """One of the account's numbers as Twilio has it now (``NotFound`` when it no longer does)."""
        with translated_errors("the phone number"):
            record = self.client(account_sid).api.v2010.accounts(account_sid).incoming_phone_numbers(sid).fetch()
        return incoming_facts(record)

    def release_number(self, account_sid: str, sid: str) -> None:
        """Release the number at Twilio: permanent, it leaves the account."""
        with translated_errors("the phone number"):
            self.client(account_sid).api.v2010.accounts(account_sid).incoming_phone_numbers(sid).delete()

    def validation_request(
        self,
        account_sid: str,
        phone_number: str,
        *,
        friendly_name: str | None,
        call_delay: int,
        extension: str | None,
        status_callback: str,
    ) -> ValidationCall:
        """Ask Twilio to call the number for its validation code (Twilio's refusals: ``TwilioRefused``)."""
        options: dict[str, Any] = {"call_delay": call_delay, "status_callback": status_callback}
        options["status_callback_method"] = "POST"
        if friendly_name:
            options["friendly_name"] = friendly_name
        if extension:
            options["extension"] = extension
        requests = self.client(account_sid).api.v2010.accounts(account_sid).validation_requests
        with refused_or_translated("the verification of the number"):
            answer = requests.create(phone_number=phone_number, **options)
        return ValidationCall(call_sid=str(answer.call_sid or ""), validation_code=str(answer.validation_code or ""))

    def rename_caller_id(self, account_sid: str, sid: str, friendly_name: str) -> None:
        with translated_errors("the verified caller ID"):
            self.client(account_sid).api.v2010.accounts(account_sid).outgoing_caller_ids(sid).update(
                friendly_name=friendly_name
            )

    def caller_id_facts(self, account_sid: str, sid: str) -> TwilioFacts:
        return caller_id_facts(self.outgoing_caller_id(account_sid, sid))

    def delete_caller_id(self, account_sid: str, sid: str) -> None:
        with translated_errors("the verified caller ID"):
            self.client(account_sid).api.v2010.accounts(account_sid).outgoing_caller_ids(sid).delete()

    def outgoing_caller_id(self, account_sid: str, sid: str) -> OutgoingCallerId:
        """One verified caller ID of the account (``NotFound`` when Twilio has no such one under it)."""
        with translated_errors("the verified caller ID"):
            record = self.client(account_sid).api.v2010.accounts(account_sid).outgoing_caller_ids(sid).fetch()
        return caller_id_record(record)

    def workspace_sid(self, account_sid: str) -> str:
        """The account's Flex TaskRouter workspace: configured for the root account, else looked up once."""
        if account_sid == self.accounts.root_sid and self.settings.taskrouter_workspace_sid:
            return self.settings.taskrouter_workspace_sid
        cached = self._workspaces.get(account_sid)
        if cached:
            return cached
        with translated_errors("the TaskRouter workspace"):
            workspaces = self.client(account_sid).taskrouter.v1.workspaces.list(page_size=PAGE_SIZE)
        if not workspaces:
            raise NotFound("This account has no TaskRouter workspace.")
        flex = [w for w in workspaces if (w.friendly_name or "").lower().startswith("flex")]
        sid = str((flex or workspaces)[0].sid)
        self._workspaces[account_sid] = sid
        return sid

    def inbound_workflow_sid(self, account_sid: str) -> str:
        """The TaskRouter workflow inbound calls are enqueued to: configured for the root account, else Flex's
        default workflow ("Assign to Anyone", or the workspace's first) looked up once per container."""
        if account_sid == self.accounts.root_sid and self.settings.inbound_workflow_sid:
            return self.settings.inbound_workflow_sid
        cached = self._workflows.get(account_sid)
        if cached:
            return cached
        workspace = self.workspace_sid(account_sid)
        workflows = self.client(account_sid).taskrouter.v1.workspaces(workspace).workflows
        with translated_errors("the TaskRouter workflows"):
            found = workflows.list(friendly_name=DEFAULT_WORKFLOW, page_size=PAGE_SIZE) or workflows.list(limit=1)
        if not found:
            raise NotFound("This account's TaskRouter workspace has no workflow.")
        sid = str(found[0].sid)
        self._workflows[account_sid] = sid
        return sid

    def list_workers(self, account_sid: str) -> list[Person]:
        """Every worker of the account's Flex workspace (pages of ``PageSize=1000``), with its ``team_name``."""
        workspace = self.workspace_sid(account_sid)
        with translated_errors("the TaskRouter workers"):
            records = self.client(account_sid).taskrouter.v1.workspaces(workspace).workers.list(page_size=PAGE_SIZE)
        return [
            Person(str(r.sid), r.friendly_name or str(r.sid), team_of(r.attributes), bool(r.available)) for r in records
        ]

    def list_task_queues(self, account_sid: str) -> list[Queue]:
        """Every task queue of the account's Flex workspace."""
        workspace = self.workspace_sid(account_sid)
        with translated_errors("the TaskRouter task queues"):
            records = self.client(account_sid).taskrouter.v1.workspaces(workspace).task_queues.list(page_size=PAGE_SIZE)
        return [Queue(str(r.sid), r.friendly_name or str(r.sid)) for r in records]

    def account_name(self, account_sid: str) -> str:
        """The account's friendly name at Twilio (read with the account's own credentials)."""
        with translated_errors("the account"):
            account = self.client(account_sid).api.v2010.accounts(account_sid).fetch()
        return account.friendly_name or account_sid

    def fetch_worker(self, account_sid: str, worker_sid: str) -> WorkerSnapshot:
        """The worker of the account's Flex workspace (``NotFound`` for anyone else's, or nobody's)."""
        workspace = self.workspace_sid(account_sid)
        with translated_errors("the worker"):
            answer = (
                self.client(account_sid).taskrouter.v1.workspaces(workspace).workers(worker_sid).fetch_with_http_info()
            )
        return worker_snapshot(worker_sid, answer)

    def update_worker_attributes(
        self, account_sid: str, worker_sid: str, attributes: str, etag: str | None
    ) -> WorkerSnapshot:
        """Write the attributes if the worker is unchanged since ``etag`` (``WorkerChanged`` on 412); answers the
        worker as written, with its new ETag."""
        workspace = self.workspace_sid(account_sid)
        worker = self.client(account_sid).taskrouter.v1.workspaces(workspace).workers(worker_sid)
        try:
            if etag:
                answer = worker.update_with_http_info(attributes=attributes, if_match=etag)
            else:
                answer = worker.update_with_http_info(attributes=attributes)
        except TwilioRestException as exc:
            if exc.status == 412:
                raise WorkerChanged(worker_sid) from exc
            with translated_errors("the worker"):
                raise
        return worker_snapshot(worker_sid, answer)

    # ----- Calls: the customer leg of an outbound task, and how it ended -----

    def find_call(self, account_sid: str, from_number: str, to: str, started_after: float) -> str | None:
        """The SID of the account's latest call from ``from_number`` to ``to`` that started no earlier than
        ``started_after`` (one list request, newest first), or ``None``."""
        after = datetime.fromtimestamp(started_after, UTC).replace(microsecond=0)
        with translated_errors("the calls"):
            calls = (
                self.client(account_sid)
                .api.v2010.accounts(account_sid)
                .calls.list(from_=from_number, to=to, start_time_after=after, limit=1)
            )
        return str(calls[0].sid) if calls else None

    def call_ended(self, account_sid: str, call_sid: str) -> EndedCall | None:
        """The account's call as Twilio shows it (one fetch), or ``None`` when Twilio has no such call for it."""
        try:
            with translated_errors(f"call {call_sid}"):
                call = self.client(account_sid).api.v2010.accounts(account_sid).calls(call_sid).fetch()
        except NotFound:
            return None
        duration = str(call.duration or "")
        return EndedCall(
            str(call.status or ""),
            str(call._from or ""),
            str(call.to or ""),
            int(duration) if duration.isdecimal() else None,
            call.answered_by,
        )

    # ----- Trust Hub (as the deployment's own account: its products take its subaccounts' numbers too) -----

    def _trust_product(self, product_sid: str) -> Any:
        return self.client(self.accounts.root_sid).trusthub.v1.trust_products(product_sid)

    def trust_product(self, product_sid: str) -> TrustProduct:
        """The product with its kind and status (``TwilioRefused`` for one Twilio does not have for the account)."""
        try:
            with translated_errors(f"trust product {product_sid}"):
                record = self._trust_product(product_sid).fetch()
        except NotFound as exc:
            raise TwilioRefused(f"Twilio has no trust product {product_sid} for this account.") from exc
        return TrustProduct(str(record.sid or product_sid), kind_of(record.policy_sid), str(record.status or ""))

    def trust_assignments(self, product_sid: str, number_sid: str | None = None) -> dict[str, str]:
        """The product's phone numbers (all pages, or only ``number_sid``): number SID → assignment SID."""
        filters: dict[str, Any] = {"page_size": PAGE_SIZE}
        if number_sid:
            filters["channel_endpoint_sid"] = number_sid
        with translated_errors(f"trust product {product_sid}'s assignments"):
            rows = self._trust_product(product_sid).trust_products_channel_endpoint_assignment.list(**filters)
        return {str(r.channel_endpoint_sid): str(r.sid) for r in rows if r.channel_endpoint_type == "phone-number"}

    def assign_trust(self, product_sid: str, number_sid: str) -> str:
        """Assign the number to the product; its assignment SID. Twilio's refusal → ``TwilioRefused`` naming the
        product and Twilio's reason."""
        assignments = self._trust_product(product_sid).trust_products_channel_endpoint_assignment
        try:
            with translated_errors(f"trust product {product_sid}"):
                created = assignments.create(channel_endpoint_type="phone-number", channel_endpoint_sid=number_sid)
        except NotFound as exc:
            raise TwilioRefused(f"Twilio has no trust product {product_sid} for this account.") from exc
        except UpstreamUnavailable as exc:
            cause = exc.__cause__
            if isinstance(cause, TwilioRestException) and 400 <= cause.status < 500:
                raise TwilioRefused(
                    f"Twilio refused trust product {product_sid}: {cause.msg} (Twilio error {cause.code})."
                ) from cause
            raise
        return str(created.sid)

    def unassign_trust(self, product_sid: str, assignment_sid: str) -> None:
        """Remove the assignment (one already gone counts as removed)."""
        assignments = self._trust_product(product_sid).trust_products_channel_endpoint_assignment
        try:
            with translated_errors(f"trust product {product_sid}'s assignment"):
                assignments(assignment_sid).delete()
        except NotFound:
            return


def worker_snapshot(worker_sid: str, answer: ApiResponse[WorkerInstance]) -> WorkerSnapshot:
    headers = {k.lower(): v for k, v in (answer.headers or {}).items()}
    return WorkerSnapshot(worker_sid, answer.data.attributes or "{}", headers.get("etag"))
