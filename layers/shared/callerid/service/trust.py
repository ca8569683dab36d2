"""Trust Hub for a workspace's Twilio numbers: the products a number is assigned to (``PUT …/trust``), the products
numbers join when bought or imported (``TRUST_PRODUCT_SIDS``), and their status kept current by the catalogue
refresh and ``/sync``. Trust Hub is asked as the deployment's own account: its products take its subaccounts'
numbers too (docs/trust-hub.md).

A change is all or nothing: Twilio's refusal of one product undoes what the request already did at Twilio, and the
record is written only after Twilio took every change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from callerid.domain.audit import Actor
from callerid.domain.errors import NotFound, NotTwilioNumber, TwilioRefused, UpstreamUnavailable
from callerid.domain.numbers import NumberRecord, NumberSource, NumberStatus
from callerid.domain.trust import TrustLink, TrustRefusal
from callerid.service.numbers import NumberDirectory, NumberWithLock
from callerid.service.ports import NumberRecords, TrustHub

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Joined:
    """A new number after joining the configured products: its record, and the products that refused it."""

    record: NumberRecord
    refusals: tuple[TrustRefusal, ...] = ()


class TrustAssignments:
    def __init__(
        self,
        directory: NumberDirectory,
        records: NumberRecords,
        hub: Callable[[], TrustHub],
        *,
        configured: tuple[str, ...] = (),
    ) -> None:
        self.directory = directory
        self.records = records
        self.hub = hub
        self.configured = configured

    # ----- PUT /v1/phone-numbers/{sid}/trust -----

    def set_products(
        self, account_sid: str, sid: str, product_sids: Iterable[str], actor: Actor | None = None
    ) -> NumberWithLock:
        """Make the number's products exactly ``product_sids``. Every named product is read first (an unknown one
        is refused before anything changes); then assignments are added and removed; a refusal undoes them, and
        so does a record write (with its audit entry, given ``actor``) that fails."""
        record = self.directory.own(account_sid, sid)
        if record.source is not NumberSource.TWILIO:
            raise NotTwilioNumber("Only the account's Twilio numbers can join Trust Hub products.")
        wanted = list(dict.fromkeys(product_sids))
        hub = self.hub()
        products = {p: hub.trust_product(p) for p in wanted}
        dropped = [t.product_sid for t in record.trust if t.product_sid not in products]
        added: list[tuple[str, str]] = []
        removed: list[str] = []
        try:
            for product_sid in wanted:
                if record.sid not in hub.trust_assignments(product_sid, record.sid):
                    added.append((product_sid, hub.assign_trust(product_sid, record.sid)))
            for product_sid in dropped:
                for assignment in self._assignments_of(hub, product_sid, record.sid).values():
                    hub.unassign_trust(product_sid, assignment)
                    removed.append(product_sid)
            links = tuple(TrustLink.of(products[p]) for p in wanted)
            audit = self.directory.audited_change(account_sid, actor, "number.trust") if actor else None
            saved = self.directory.keeper.save(
                lambda: self.directory.own(account_sid, sid), lambda current: replace(current, trust=links), audit=audit
            )
        except BaseException:
            self._undo(hub, record.sid, added, removed)
            raise
        assert saved is not None  # ``own`` raises NotFound rather than answer nothing
        return self.directory.with_lock(replace(saved.after, is_primary=saved.before.is_primary))

    @staticmethod
    def _assignments_of(hub: TrustHub, product_sid: str, number_sid: str) -> dict[str, str]:
        try:
            return hub.trust_assignments(product_sid, number_sid)
        except NotFound:  # the product is gone at Twilio: nothing to remove
            return {}

    @staticmethod
    def _undo(hub: TrustHub, number_sid: str, added: list[tuple[str, str]], removed: list[str]) -> None:
        """Put Twilio back as the request found it (best effort: what cannot be undone is logged)."""
        for product_sid, assignment in reversed(added):
            try:
                hub.unassign_trust(product_sid, assignment)
            except Exception:
                logger.exception("trust: could not undo the assignment", extra={"product": product_sid})
        for product_sid in reversed(removed):
            try:
                hub.assign_trust(product_sid, number_sid)
            except Exception:
                logger.exception("trust: could not restore the assignment", extra={"product": product_sid})

    # ----- numbers bought or imported -----

    def join_configured(self, record: NumberRecord) -> Joined:
        """The new Twilio number joins every ``TRUST_PRODUCT_SIDS`` product it is not in yet. The number is kept
        whatever Trust Hub answers: a product that refuses it (or cannot be reached) is named in the answer and
        left out of ``trust``."""
        if not self.configured or record.source is not NumberSource.TWILIO:
            return Joined(record)
        hub = self.hub()
        links: list[TrustLink] = []
        refusals: list[TrustRefusal] = []
        for product_sid in self.configured:
            try:
                product = hub.trust_product(product_sid)
                if record.sid not in hub.trust_assignments(product_sid, record.sid):
                    hub.assign_trust(product_sid, record.sid)
                links.append(TrustLink.of(product))
            except (TwilioRefused, UpstreamUnavailable) as exc:
                logger.warning("trust: a new number was not assigned", extra={"product": product_sid})
                refusals.append(TrustRefusal(product_sid, str(exc)))
        if not links:
            return Joined(record, tuple(refusals))
        kept = [t for t in record.trust if t.product_sid not in {link.product_sid for link in links}]
        saved = self.directory.keeper.save(
            lambda: self.records.get(record.owner_workspace, record.phone_number),
            lambda current: replace(current, trust=(*kept, *links)),
        )
        after = saved.after if saved is not None else record
        return Joined(replace(after, is_primary=record.is_primary), tuple(refusals))

    # ----- keeping status current -----

    def resync(self, account_sid: str, sid: str) -> None:
        """``/sync``: the number's products as Trust Hub has them now (its own and the configured ones: two
        requests each)."""
        record = self.directory.own(account_sid, sid)
        if record.source is not NumberSource.TWILIO:
            return
        hub = self.hub()
        links: list[TrustLink] = []
        for product_sid in dict.fromkeys([*(t.product_sid for t in record.trust), *self.configured]):
            try:
                product = hub.trust_product(product_sid)
            except TwilioRefused:
                continue  # gone at Twilio: the number is in it no more
            if record.sid in hub.trust_assignments(product_sid, record.sid):
                links.append(TrustLink.of(product))
        self._write(account_sid, record, tuple(links))

    def refresh(self, account_sid: str, numbers: Mapping[str, NumberRecord]) -> None:
        """The catalogue refresh: per product (the configured ones and those the workspace's numbers name), its
        status and all its assignments are read once (1 + pages requests), not per number; each number of
        ``numbers`` (Twilio SID → record, as the pass read them) whose products or statuses changed is rewritten."""
        known = {t.product_sid for r in numbers.values() for t in r.trust}
        products = list(dict.fromkeys([*self.configured, *sorted(known)]))
        if not products or not numbers:
            return
        hub = self.hub()
        members: dict[str, list[TrustLink]] = {}
        for product_sid in products:
            try:
                product = hub.trust_product(product_sid)
            except TwilioRefused:
                continue
            for number_sid in hub.trust_assignments(product_sid):
                if number_sid in numbers:
                    members.setdefault(number_sid, []).append(TrustLink.of(product))
        for number_sid, record in numbers.items():
            links = tuple(members.get(number_sid, ()))
            if set(links) != set(record.trust):
                self._write(account_sid, record, links)

    def _write(self, account_sid: str, record: NumberRecord, links: tuple[TrustLink, ...]) -> None:
        if set(links) == set(record.trust):
            return

        def current() -> NumberRecord | None:
            found = self.records.get(account_sid, record.phone_number)
            return found if found is not None and found.status is not NumberStatus.RELEASED else None

        self.directory.keeper.save(current, lambda now: replace(now, trust=links))
