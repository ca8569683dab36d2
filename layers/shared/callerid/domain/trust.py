"""Twilio Trust Hub: the products (Voice Integrity, SHAKEN/STIR, CNAM, Branded Calling) a number is assigned to.

A product's kind follows from its policy: Twilio's policy SIDs are published and the same in every account. What a
Number shows of each is ``TrustLink``: the product, its kind and its status as Trust Hub reports it (``draft``,
``pending-review``, ``in-review``, ``twilio-approved``, ``twilio-rejected``); the status is the product's (Trust Hub
vets products, not their phone numbers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class TrustKind(StrEnum):
    VOICE_INTEGRITY = "voice_integrity"
    SHAKEN_STIR = "shaken_stir"
    CNAM = "cnam"
    BRANDED_CALLING = "branded_calling"
    OTHER = "other"


POLICY_KINDS: dict[str, TrustKind] = {
    "RN5b3660f9598883b1df4e77f77acefba0": TrustKind.VOICE_INTEGRITY,
    "RN7a97559effdf62d00f4298208492a5ea": TrustKind.SHAKEN_STIR,
    "RNf3db3cd1fe25fcfd3c3ded065c8fea53": TrustKind.CNAM,
    "RNca63d1066fbd5e44eac02d0b3cf6d019": TrustKind.BRANDED_CALLING,
}
PRODUCT_SID = re.compile(r"BU[0-9a-fA-F]{32}")


def kind_of(policy_sid: str | None) -> TrustKind:
    """The product's kind from its policy SID; any policy not named here (A2P messaging, …) is ``other``."""
    return POLICY_KINDS.get(policy_sid or "", TrustKind.OTHER)


@dataclass(frozen=True, slots=True)
class TrustProduct:
    sid: str
    kind: TrustKind
    status: str


@dataclass(frozen=True, slots=True)
class TrustLink:
    """One product a number is assigned to, as the Number shows it."""

    product_sid: str
    kind: TrustKind
    status: str

    @classmethod
    def of(cls, product: TrustProduct) -> TrustLink:
        return cls(product.sid, product.kind, product.status)

    def stored(self) -> str:
        return f"{self.product_sid} {self.kind.value} {self.status}"

    @classmethod
    def parse(cls, text: str) -> TrustLink:
        sid, kind, status = [*text.split(" ", 2), "", ""][:3]
        return cls(sid, TrustKind(kind) if kind in TrustKind.__members__.values() else TrustKind.OTHER, status)


@dataclass(frozen=True, slots=True)
class TrustRefusal:
    """A product Twilio would not assign the number to, and Twilio's reason."""

    product_sid: str
    message: str
