"""Domain errors. Each carries the contract's snake_case code; ``callerid.http.errors`` maps them to statuses."""

from __future__ import annotations


class CallerIdError(Exception):
    """Base of every error the API answers with the error envelope."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRequest(CallerIdError):
    code = "invalid_request"


class InvalidJson(InvalidRequest):
    code = "invalid_json"


class InvalidPhoneNumber(InvalidRequest):
    code = "invalid_phone_number"


class Unauthenticated(CallerIdError):
    code = "unauthorized"


class Forbidden(CallerIdError):
    code = "forbidden"


class InvalidSignature(CallerIdError):
    code = "invalid_signature"


class NotFound(CallerIdError):
    code = "not_found"


class CallerIdInUse(CallerIdError):
    code = "caller_id_in_use"


class NumberExists(CallerIdError):
    """The workspace already has this number."""

    code = "number_exists"


class NotTwilioNumber(CallerIdError):
    """What only Twilio numbers have (Trust Hub assignments) asked of a BYOT number or a verified caller ID."""

    code = "not_a_twilio_number"


class AlreadyVerified(CallerIdError):
    """The number is already one of the workspace's verified caller IDs."""

    code = "already_verified"


class NoCallerIdAvailable(CallerIdError):
    code = "no_caller_id_available"


class DestinationNotAllowed(CallerIdError):
    code = "destination_not_allowed"


class UnsupportedMediaType(CallerIdError):
    """A body in a media type the route does not take."""

    code = "unsupported_media_type"


class RequestInProgress(CallerIdError):
    """An identical webhook is still being applied; the sender should retry."""

    code = "request_in_progress"


class StoreUnavailable(CallerIdError):
    """DynamoDB unreachable or throttling after bounded retries."""

    code = "store_unavailable"


class TwilioRefused(CallerIdError):
    """Twilio refused what was asked (no number in that area code, a number not for sale, an invalid number); the
    message names Twilio's error code."""

    code = "twilio_refused"


class UpstreamUnavailable(CallerIdError):
    """Twilio (or another dependency) did not answer usefully after retries."""

    code = "upstream_unavailable"


class ConcurrentUpdate(CallerIdError):
    """An optimistic write lost its race too many times in a row."""

    code = "concurrent_update"
