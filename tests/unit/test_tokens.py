from __future__ import annotations

import json

import pytest
from twilio.http.response import Response

from callerid.config import Settings
from callerid.domain.errors import StoreUnavailable, Unauthenticated, UpstreamUnavailable
from callerid.twilio.accounts import AccountDirectory
from callerid.twilio.tokens import FlexTokenValidator

ROOT = "AC" + "1" * 32
CHILD = "AC" + "2" * 32
STRANGER = "AC" + "3" * 32


class FakeTwilio:
    """Answers IAM validation and account reads like Twilio would, and counts requests."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.calls: list[tuple[str, str]] = []
        self.answers: dict[str, dict] = {}
        self.status = 200

    def request(
        self, method, url, params=None, data=None, headers=None, auth=None, timeout=None, allow_redirects=False
    ):
        self.calls.append((method, url))
        if url.endswith(f"/Accounts/{CHILD}.json"):
            return Response(200, json.dumps({"sid": CHILD, "auth_token": "child-token", "owner_account_sid": ROOT}), {})
        if url.endswith(".json"):
            return Response(404, json.dumps({"code": 20404, "message": "not found", "status": 404}), {})
        answer = self.answers.get(data["token"], {"valid": False, "code": 20101, "message": "Invalid"})
        return Response(self.status, json.dumps(answer), {})


@pytest.fixture
def twilio():
    return FakeTwilio(now=1_000_000.0)


@pytest.fixture
def validator(twilio):
    settings = Settings(twilio_account_sid=ROOT, twilio_auth_token="root-token")
    directory = AccountDirectory(settings, twilio)  # type: ignore[arg-type]
    return FlexTokenValidator(directory, twilio, clock=lambda: twilio.now)  # type: ignore[arg-type]


def valid(identity="alice", roles=("agent",), worker="WK" + "1" * 32, expires_in=3600.0, now=1_000_000.0):
    from datetime import UTC, datetime

    expiration = datetime.fromtimestamp(now + expires_in, UTC).isoformat().replace("+00:00", "Z")
    return {
        "valid": True,
        "code": 0,
        "message": None,
        "expiration": expiration,
        "realm_user_id": "US1",
        "identity": identity,
        "roles": list(roles),
        "worker_sid": worker,
    }


def test_missing_token_is_unauthenticated(validator):
    with pytest.raises(Unauthenticated):
        validator.validate(None)
    with pytest.raises(Unauthenticated):
        validator.validate("")


def test_invalid_token_is_unauthenticated(validator):
    with pytest.raises(Unauthenticated):
        validator.validate("not-a-token")


def test_expired_token_is_unauthenticated(validator, twilio):
    twilio.answers["old"] = valid(expires_in=-1)
    with pytest.raises(Unauthenticated):
        validator.validate("old")


def test_the_caller_comes_only_from_twilios_answer(validator, twilio):
    twilio.answers["t"] = valid(identity="alice", roles=("supervisor",))
    caller = validator.validate("t")
    assert (caller.account_sid, caller.identity, caller.roles, caller.worker_sid) == (
        ROOT,
        "alice",
        frozenset({"supervisor"}),
        "WK" + "1" * 32,
    )
    assert twilio.calls == [("POST", f"https://iam.twilio.com/v1/Accounts/{ROOT}/Tokens/validate")]


def test_a_valid_answer_is_cached_until_five_minutes_at_most(validator, twilio):
    twilio.answers["t"] = valid(expires_in=3600)
    for _ in range(10):
        validator.validate("t")
    assert len(twilio.calls) == 1
    twilio.now += 301
    validator.validate("t")
    assert len(twilio.calls) == 2


def test_the_cache_never_outlives_the_token(validator, twilio):
    twilio.answers["t"] = valid(expires_in=60)
    validator.validate("t")
    twilio.now += 61
    twilio.answers["t"] = valid(expires_in=-1, now=twilio.now)
    with pytest.raises(Unauthenticated):
        validator.validate("t")


def test_invalid_answers_are_not_cached(validator, twilio):
    with pytest.raises(Unauthenticated):
        validator.validate("t")
    twilio.answers["t"] = valid()
    assert validator.validate("t").identity == "alice"


def test_a_subaccount_token_is_validated_against_the_account_the_request_names(validator, twilio):
    twilio.answers["carol-token"] = valid(identity="carol")
    caller = validator.validate("carol-token", CHILD)
    assert caller.account_sid == CHILD
    assert twilio.calls[-1] == ("POST", f"https://iam.twilio.com/v1/Accounts/{CHILD}/Tokens/validate")


def test_without_a_named_account_the_configured_account_validates(validator, twilio):
    twilio.answers["t"] = valid()
    assert validator.validate("t").account_sid == ROOT
    assert twilio.calls == [("POST", f"https://iam.twilio.com/v1/Accounts/{ROOT}/Tokens/validate")]


def test_a_token_shaped_like_a_jwt_is_never_read(validator, twilio):
    """Flex tokens are JWE: whatever a token seems to say about its account, only the named account counts."""
    payload = "eyJzdWIiOiAiQUMyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMiJ9"  # {"sub": CHILD}
    token = f"eyJhbGciOiJIUzI1NiJ9.{payload}.sig"
    twilio.answers[token] = valid()
    assert validator.validate(token).account_sid == ROOT
    assert all(ROOT in url for _, url in twilio.calls)


def test_the_cache_is_per_account(validator, twilio):
    """A token valid for one account is not thereby valid when another account is named."""
    twilio.answers["t"] = valid()
    validator.validate("t")
    twilio.answers["t"] = {"valid": False, "code": 20101, "message": "Invalid"}
    with pytest.raises(Unauthenticated):
        validator.validate("t", CHILD)


def test_another_accounts_token_is_unauthenticated(validator, twilio):
    twilio.answers["t"] = valid()
    with pytest.raises(Unauthenticated):
        validator.validate("t", STRANGER)
    with pytest.raises(Unauthenticated):
        validator.validate("t", "not-an-account")


def test_twilio_outage_is_not_a_login_failure(validator, twilio):
    twilio.status = 503
    with pytest.raises(UpstreamUnavailable):
        validator.validate("t")


def test_an_account_that_is_not_ours_is_remembered(validator, twilio):
    """Anyone can name any account in a request; each look-up would spend the root account's Twilio requests."""
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            validator.validate("t", STRANGER)
    assert [url for _, url in twilio.calls if url.endswith(f"/Accounts/{STRANGER}.json")] == [
        f"https://api.twilio.com/2010-04-01/Accounts/{STRANGER}.json"
    ]


def test_the_cache_is_bounded_and_forgets_the_least_recently_used_first(twilio):
    settings = Settings(twilio_account_sid=ROOT, twilio_auth_token="root-token")
    directory = AccountDirectory(settings, twilio)  # type: ignore[arg-type]
    small = FlexTokenValidator(directory, twilio, clock=lambda: twilio.now, max_entries=2)  # type: ignore[arg-type]
    for token in ("a", "b", "c"):
        twilio.answers[token] = valid(identity=token)
    small.validate("a")
    small.validate("b")
    small.validate("a")  # "b" is now the least recently used
    small.validate("c")
    asked = len(twilio.calls)
    small.validate("a")
    small.validate("c")
    assert len(twilio.calls) == asked
    small.validate("b")
    assert len(twilio.calls) == asked + 1


def test_each_answer_expires_on_its_own_time(validator, twilio):
    twilio.answers["short"] = valid(identity="short", expires_in=30)
    twilio.answers["long"] = valid(identity="long", expires_in=3600)
    validator.validate("short")
    validator.validate("long")
    twilio.now += 31
    validator.validate("long")
    assert len(twilio.calls) == 2
    twilio.answers["short"] = {"valid": False, "code": 20101, "message": "Expired"}
    with pytest.raises(Unauthenticated):
        validator.validate("short")


class FakeShared:
    """The table's validated tokens (``store.tokens.TokenCacheRepository``), in memory: what it keeps, by key."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple] = {}
        self.failing = False

    def get(self, digest, account_sid, now):
        if self.failing:
            raise OSError("DynamoDB down")
        kept = self.kept.get(digest)
        if kept is None or kept[1] <= now or kept[0].account_sid != account_sid:
            return None
        return kept

    def put(self, digest, caller, until):
        if self.failing:
            raise OSError("DynamoDB down")
        self.kept[digest] = (caller, until)


def fleet(twilio, shared: FakeShared, containers: int) -> list[FlexTokenValidator]:
    settings = Settings(twilio_account_sid=ROOT, twilio_auth_token="root-token")
    return [
        FlexTokenValidator(AccountDirectory(settings, twilio), twilio, clock=lambda: twilio.now, shared=lambda: shared)  # type: ignore[arg-type]
        for _ in range(containers)
    ]


def test_containers_share_one_validation_per_token_by_its_hash(twilio):
    shared = FakeShared()
    twilio.answers["secret-token"] = valid(expires_in=3600)
    callers = {v.validate("secret-token").identity for v in fleet(twilio, shared, 8)}
    assert callers == {"alice"} and len(twilio.calls) == 1
    assert all("secret-token" not in key and len(key) == 64 for key in shared.kept)
    ((_caller, until),) = shared.kept.values()
    assert until == twilio.now + 300  # at most five minutes


def test_the_shared_answer_never_outlives_the_token_nor_serves_another_account(twilio):
    shared = FakeShared()
    twilio.answers["t"] = valid(expires_in=60)
    first, second, third = fleet(twilio, shared, 3)
    first.validate("t")
    twilio.now += 61
    twilio.answers["t"] = valid(expires_in=-1, now=twilio.now)  # IAM: expired (or revoked)
    with pytest.raises(Unauthenticated):
        second.validate("t")
    with pytest.raises(Unauthenticated):
        third.validate("t", CHILD)  # the root's answer is not the child's
    assert [url.rsplit("/", 1)[-1] for _, url in twilio.calls] == ["validate", "validate", f"{CHILD}.json", "validate"]


def test_a_failing_shared_cache_is_a_failing_store_before_iam_is_asked(twilio):
    """Every Flex route reads the table next: a 503 now, within the deadline, not after IAM and another wait."""
    shared = FakeShared()
    shared.failing = True
    twilio.answers["t"] = valid()
    with pytest.raises(StoreUnavailable):
        fleet(twilio, shared, 1)[0].validate("t")
    assert twilio.calls == []


def test_a_failing_write_of_the_shared_answer_still_answers(twilio):
    shared = FakeShared()
    shared.put = lambda *args: (_ for _ in ()).throw(OSError("DynamoDB down"))  # type: ignore[method-assign]
    twilio.answers["t"] = valid()
    assert fleet(twilio, shared, 1)[0].validate("t").identity == "alice"
