"""Auth-token rotation: signatures made with the previous token count for the grace after a change, a signature
that matches no known token re-reads the token (bounded) before it is refused, and no token is ever logged."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from callerid.config import AuthTokens, Settings
from callerid.domain.errors import InvalidSignature
from callerid.secret_store import AuthTokenProvider
from callerid.twilio.accounts import AccountDirectory
from callerid.twilio.signatures import FormParams, WebhookSignatures

ROOT = "AC" + "1" * 32
CHILD = "AC" + "2" * 32
GRACE = 3600
CHANGED_AT = 1_000_000.0
URL = "https://cid.example.com/Prod/webhooks/twilio/call-status"
OLD, NEW, FORGED = "old-primary-0123", "new-primary-4567", "forged-89ab"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class SecretStore:
    """The root account's secret as the functions see it: a cached value, and what a forced read finds."""

    def __init__(self, cached: AuthTokens, stored: AuthTokens | None = None) -> None:
        self.cached = cached
        self.stored = stored or cached
        self.forced_reads = 0
        self.reads = 0

    def __call__(self, force: bool) -> AuthTokens:
        self.reads += 1
        if force:
            self.forced_reads += 1
            self.cached = self.stored
        return self.cached


class Twilio:
    """Answers account reads with the subaccount's current auth token (as Twilio's REST API does) and counts them;
    the root token it accepts can change too."""

    def __init__(self, child_token: str, root_token: str = "root-token") -> None:
        self.child_token = child_token
        self.root_token = root_token
        self.account_reads = 0

    def request(self, method: str, url: str, auth: tuple[str, str] | None = None, **_: Any) -> Response:
        self.account_reads += 1
        if auth != (ROOT, self.root_token):
            return Response(401, json.dumps({"code": 20003, "message": "Authenticate", "status": 401}), {})
        body = {"sid": CHILD, "auth_token": self.child_token, "owner_account_sid": ROOT}
        return Response(200, json.dumps(body), {})


def directory(
    store: SecretStore, twilio: Twilio | None = None, clock: Clock | None = None, **kwargs: Any
) -> AccountDirectory:
    settings = Settings(twilio_account_sid=ROOT, auth_token_grace_seconds=GRACE)
    return AccountDirectory(
        settings,
        twilio or Twilio("child-token"),  # type: ignore[arg-type]
        root_tokens=store,
        clock=clock or Clock(CHANGED_AT),
        **kwargs,
    )


def post(account_sid: str, token: str) -> tuple[FormParams, str]:
    params = {"AccountSid": account_sid, "CallSid": "CA" + "0" * 32, "CallStatus": "completed"}
    return FormParams({k: [v] for k, v in params.items()}), RequestValidator(token).compute_signature(URL, params)


def accepted(signatures: WebhookSignatures, account_sid: str, token: str) -> bool:
    params, signature = post(account_sid, token)
    try:
        signatures.verify_form(URL, params, signature)
    except InvalidSignature:
        return False
    return True


def test_the_previous_token_counts_only_for_the_grace_after_the_change():
    tokens = AuthTokens(NEW, OLD, CHANGED_AT)
    assert tokens.accepted(CHANGED_AT, GRACE) == (NEW, OLD)
    assert tokens.accepted(CHANGED_AT + GRACE - 1, GRACE) == (NEW, OLD)
    assert tokens.accepted(CHANGED_AT + GRACE, GRACE) == (NEW,)
    assert AuthTokens(NEW).accepted(CHANGED_AT, GRACE) == (NEW,)
    assert AuthTokens(NEW, OLD, CHANGED_AT).accepted(CHANGED_AT, 0) == (NEW,)


def test_a_root_callback_signed_with_either_token_is_accepted_in_the_grace_and_the_old_one_refused_after():
    clock = Clock(CHANGED_AT + 10)
    signatures = WebhookSignatures(directory(SecretStore(AuthTokens(NEW, OLD, CHANGED_AT)), clock=clock))
    assert accepted(signatures, ROOT, NEW)
    assert accepted(signatures, ROOT, OLD)
    assert not accepted(signatures, ROOT, FORGED)
    clock.now = CHANGED_AT + GRACE
    assert accepted(signatures, ROOT, NEW)
    assert not accepted(signatures, ROOT, OLD)


def test_a_signature_with_a_token_newer_than_the_cache_rereads_the_secret_once_and_is_accepted():
    """The secret was updated (and the token promoted at Twilio) while this container's cache still holds the old
    token: the first callback signed with the new one reads the secret again instead of being refused for minutes."""
    store = SecretStore(cached=AuthTokens(OLD), stored=AuthTokens(NEW, OLD, CHANGED_AT))
    signatures = WebhookSignatures(directory(store))
    assert accepted(signatures, ROOT, NEW)
    assert store.forced_reads == 1
    assert accepted(signatures, ROOT, OLD)  # still within the grace: in flight, or retried
    assert store.forced_reads == 1


def test_forged_signatures_reread_the_secret_at_most_once_per_interval():
    clock = Clock(CHANGED_AT)
    store = SecretStore(AuthTokens(NEW))
    signatures = WebhookSignatures(directory(store, clock=clock, reread_seconds=60))
    for _ in range(20):
        assert not accepted(signatures, ROOT, FORGED)
    assert store.forced_reads == 1
    clock.now += 60
    assert not accepted(signatures, ROOT, FORGED)
    assert store.forced_reads == 2


def test_a_subaccount_token_promoted_at_twilio_is_reread_and_its_old_one_kept_for_the_grace():
    clock = Clock(CHANGED_AT)
    twilio = Twilio(child_token=OLD)
    signatures = WebhookSignatures(directory(SecretStore(AuthTokens("root-token")), twilio, clock))
    assert accepted(signatures, CHILD, OLD)
    assert twilio.account_reads == 1

    twilio.child_token = NEW  # promoted at Twilio: callbacks are signed with the new primary from now on
    clock.now += 5
    assert accepted(signatures, CHILD, NEW)
    assert twilio.account_reads == 2
    assert accepted(signatures, CHILD, OLD)  # signed before the promotion, delivered (or retried) after it
    assert not accepted(signatures, CHILD, FORGED)
    assert not accepted(signatures, CHILD, FORGED)
    assert twilio.account_reads == 2  # the forged ones came within a minute of the last read

    clock.now += GRACE
    assert accepted(signatures, CHILD, NEW)
    assert not accepted(signatures, CHILD, OLD)


def test_a_subaccount_read_refused_for_a_stale_root_token_reads_the_root_secret_again():
    """The root token was promoted at Twilio within this container's cache time: the subaccount is still ours."""
    store = SecretStore(cached=AuthTokens(OLD), stored=AuthTokens(NEW, OLD, CHANGED_AT))
    accounts = directory(store, Twilio("child-token", root_token=NEW))
    assert accounts.get(CHILD).auth_token == "child-token"
    assert store.forced_reads == 1


def test_the_owners_of_an_account_are_known_without_reading_the_root_token():
    """The From rewrite asks for an agent's account's owners on every call: never a secret read for that."""
    store = SecretStore(AuthTokens("root-token"))
    accounts = directory(store)
    assert accounts.ancestors(ROOT) == []
    assert store.reads == 0
    assert accounts.ancestors(CHILD) == [ROOT]
    assert accounts.ancestors(CHILD) == [ROOT]
    assert store.reads == 1  # the subaccount's one read at Twilio, with the root account's credentials


class SsmClient:
    """SSM's GetParameter as the AWS API answers it, with selectors ``name:version``."""

    def __init__(self, versions: list[tuple[str, datetime]]) -> None:
        self.versions = versions
        self.requests: list[str] = []

    def get_parameter(self, Name: str, WithDecryption: bool) -> dict[str, Any]:  # noqa: N803 (boto3's names)
        assert WithDecryption
        self.requests.append(Name)
        name, _, selector = Name.partition(":")
        version = int(selector) if selector else len(self.versions)
        if not 1 <= version <= len(self.versions):
            raise ClientError({"Error": {"Code": "ParameterVersionNotFound"}}, "GetParameter")
        value, modified = self.versions[version - 1]
        return {"Parameter": {"Name": name, "Value": value, "Version": version, "LastModifiedDate": modified}}


class SecretsManagerClient:
    def __init__(self, current: str, created: datetime, previous: str | None) -> None:
        self.current, self.created, self.previous = current, created, previous
        self.requests: list[str] = []

    def get_secret_value(self, SecretId: str, VersionStage: str = "AWSCURRENT") -> dict[str, Any]:  # noqa: N803
        self.requests.append(VersionStage)
        if VersionStage == "AWSPREVIOUS":
            if self.previous is None:
                raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "GetSecretValue")
            return {"SecretString": self.previous, "CreatedDate": datetime(2020, 1, 1, tzinfo=UTC)}
        return {"SecretString": self.current, "CreatedDate": self.created}


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def test_ssm_gives_the_previous_value_by_version_selector_and_the_change_time_of_the_current_version():
    ssm = SsmClient([(OLD, at(CHANGED_AT - 86_400 * 90)), (NEW, at(CHANGED_AT))])
    provider = AuthTokenProvider(ssm, secrets_manager=False, grace_seconds=GRACE, clock=Clock(CHANGED_AT + 1))
    assert provider.tokens("/caller-id/twilio-auth-token") == AuthTokens(NEW, OLD, CHANGED_AT)
    assert ssm.requests == ["/caller-id/twilio-auth-token", "/caller-id/twilio-auth-token:1"]


def test_ssm_reads_no_previous_value_once_the_change_is_older_than_the_grace_and_caches_what_it_read():
    ssm = SsmClient([(OLD, at(CHANGED_AT - 86_400)), (NEW, at(CHANGED_AT))])
    provider = AuthTokenProvider(ssm, secrets_manager=False, grace_seconds=GRACE, clock=Clock(CHANGED_AT + GRACE))
    assert provider.tokens("/p") == AuthTokens(NEW)
    assert provider.tokens("/p") == AuthTokens(NEW)
    assert ssm.requests == ["/p"]
    provider.tokens("/p", force_fetch=True)
    assert ssm.requests == ["/p", "/p"]


def test_a_parameter_with_one_version_or_a_lost_history_has_no_previous_token():
    assert AuthTokenProvider(
        SsmClient([(NEW, at(CHANGED_AT))]), secrets_manager=False, grace_seconds=GRACE, clock=Clock(CHANGED_AT)
    ).tokens("/p") == AuthTokens(NEW)

    class Pruned(SsmClient):
        def get_parameter(self, Name: str, WithDecryption: bool) -> dict[str, Any]:  # noqa: N803
            if Name.endswith(":1"):
                raise ClientError({"Error": {"Code": "ParameterVersionNotFound"}}, "GetParameter")
            return super().get_parameter(Name, WithDecryption)

    pruned = Pruned([(OLD, at(0)), (NEW, at(CHANGED_AT))])
    provider = AuthTokenProvider(pruned, secrets_manager=False, grace_seconds=GRACE, clock=Clock(CHANGED_AT))
    assert provider.tokens("/p") == AuthTokens(NEW)


def test_secrets_manager_gives_awsprevious_and_the_current_versions_created_date():
    client = SecretsManagerClient(NEW, at(CHANGED_AT), OLD)
    provider = AuthTokenProvider(client, secrets_manager=True, grace_seconds=GRACE, clock=Clock(CHANGED_AT + 1))
    assert provider.tokens("caller-id") == AuthTokens(NEW, OLD, CHANGED_AT)
    assert client.requests == ["AWSCURRENT", "AWSPREVIOUS"]
    first = SecretsManagerClient(NEW, at(CHANGED_AT), None)
    provider = AuthTokenProvider(first, secrets_manager=True, grace_seconds=GRACE, clock=Clock(CHANGED_AT + 1))
    assert provider.tokens("caller-id") == AuthTokens(NEW)


def test_no_token_is_logged_or_shown_in_a_repr_along_the_rotation_paths(caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    clock = Clock(CHANGED_AT)
    twilio = Twilio(child_token=OLD, root_token=NEW)
    store = SecretStore(cached=AuthTokens(OLD), stored=AuthTokens(NEW, OLD, CHANGED_AT))
    accounts = directory(store, twilio, clock)
    signatures = WebhookSignatures(accounts)
    accepted(signatures, ROOT, NEW)
    accepted(signatures, ROOT, FORGED)
    twilio.child_token = "child-new-cdef"
    clock.now += 60
    accepted(signatures, CHILD, "child-new-cdef")
    accepted(signatures, CHILD, FORGED)
    ssm = SsmClient([(OLD, at(CHANGED_AT - 1)), (NEW, at(CHANGED_AT))])
    provider = AuthTokenProvider(ssm, secrets_manager=False, grace_seconds=GRACE, clock=clock)
    shown = " ".join(
        [caplog.text, repr(provider.tokens("/p")), repr(accounts.get(ROOT)), repr(accounts.get(CHILD)), repr(store)]
    )
    for token in (OLD, NEW, "child-new-cdef"):
        assert token not in shown


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    """SSM and Secrets Manager as moto plays them in-process (no sockets), behind the functions' own factory."""
    from moto import mock_aws

    from callerid.secret_store import auth_token_provider

    for name, value in {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "y",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_SSM", raising=False)
    auth_token_provider.cache_clear()
    with mock_aws():
        yield
    auth_token_provider.cache_clear()


def test_the_functions_read_the_previous_ssm_version_and_its_change_time_from_the_store(aws, caplog):
    import boto3

    from callerid.config import root_auth_tokens

    caplog.set_level(logging.DEBUG)
    ssm = boto3.client("ssm", region_name="us-east-1")
    ssm.put_parameter(Name="/caller-id/twilio-auth-token", Value=OLD, Type="SecureString")
    settings = Settings(twilio_auth_token_parameter="/caller-id/twilio-auth-token")
    caplog.clear()  # what the test itself sent; from here on, only what the functions' reads log
    assert root_auth_tokens(settings) == AuthTokens(OLD)
    logged = caplog.text

    ssm.put_parameter(Name="/caller-id/twilio-auth-token", Value=NEW, Type="SecureString", Overwrite=True)
    written = ssm.get_parameter(Name="/caller-id/twilio-auth-token")["Parameter"]["LastModifiedDate"]
    caplog.clear()
    assert root_auth_tokens(settings) == AuthTokens(OLD)  # the 5-minute cache
    assert root_auth_tokens(settings, force_fetch=True) == AuthTokens(NEW, OLD, written.timestamp())
    logged += caplog.text
    assert "GetParameter" in logged  # botocore's DEBUG lines were captured, without the values
    assert OLD not in logged and NEW not in logged


def test_the_functions_read_awsprevious_from_secrets_manager(aws, caplog):
    import boto3

    from callerid.config import root_auth_tokens

    caplog.set_level(logging.DEBUG)
    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    secrets.create_secret(Name="caller-id", SecretString=OLD)
    settings = Settings(twilio_auth_token_parameter="secretsmanager:caller-id")
    caplog.clear()
    assert root_auth_tokens(settings) == AuthTokens(OLD)
    logged = caplog.text

    secrets.put_secret_value(SecretId="caller-id", SecretString=NEW)
    caplog.clear()
    tokens = root_auth_tokens(settings, force_fetch=True)
    logged += caplog.text
    assert (tokens.current, tokens.previous) == (NEW, OLD) and tokens.changed_at is not None
    assert "GetSecretValue" in logged
    assert OLD not in logged and NEW not in logged
