"""Merging the caller-ID selection into a TaskRouter worker's attributes without touching anything else."""

from __future__ import annotations

import json
from typing import Any

from callerid.domain.errors import InvalidRequest

SELECTED_CALLER_ID = "selectedCallerId"
LOCAL_PRESENCE = "localPresence"


def merge_selection(attributes_json: str | None, caller_id: str | None, local_presence: bool) -> str:
    """Return the worker's attributes with the selection set; every other key is kept as it was."""
    attributes: Any = json.loads(attributes_json) if attributes_json else {}
    if not isinstance(attributes, dict):
        raise InvalidRequest("The worker's TaskRouter attributes are not a JSON object; refusing to overwrite them.")
    merged = dict(attributes)
    if caller_id is None:
        merged.pop(SELECTED_CALLER_ID, None)
    else:
        merged[SELECTED_CALLER_ID] = caller_id
    merged[LOCAL_PRESENCE] = local_presence
    return json.dumps(merged, separators=(",", ":"), sort_keys=False)
