"""``callerid-admin [--stack-file F | --stack-name S] [--dry-run] connect|reconcile|teardown``.

It finds the deployment as the functions do, from the environment (``TABLE_NAME``, ``PUBLIC_BASE_URL``,
``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN_PARAMETER`` …), or from the local stack's facts (``--stack-file
.dev/stack.json``), or from a deployed stack's parameters and outputs (``--stack-name``); and builds its services
with the same builder (``runtime``). ``--dry-run`` prints what it would change and changes nothing; each command is
idempotent, a second run printing ``nothing to do``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from callerid import runtime
from callerid.admin.plans import ForeignCallback, Step, connect_steps, teardown_steps


def stack_file_environment(path: Path) -> dict[str, str]:
    """The functions' environment of the local stack ``make dev`` started (its ``.dev/stack.json``)."""
    facts = json.loads(path.read_text())
    root = next(a for a in facts["accounts"] if a["parentSid"] is None)
    return {
        "TABLE_NAME": facts["tableName"],
        "DYNAMODB_ENDPOINT_URL": facts["dynamodbEndpoint"],
        "TWILIO_API_BASE_URL": facts["emulatorUrl"],
        "TWILIO_ACCOUNT_SID": root["sid"],
        "TWILIO_AUTH_TOKEN": root["authToken"],
        "TASKROUTER_WORKSPACE_SID": facts["taskrouterWorkspaceSid"],
        "PUBLIC_BASE_URL": facts.get("publicBaseUrl") or facts["apiUrl"],
    }


def stack_environment(stack_name: str) -> dict[str, str]:
    """The functions' environment of a deployed stack: its parameters and outputs (CloudFormation)."""
    import boto3

    session = boto3.session.Session()
    (stack,) = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return {
        "TABLE_NAME": outputs["TableName"],
        "TWILIO_ACCOUNT_SID": parameters.get("TwilioAccountSid", ""),
        "TWILIO_AUTH_TOKEN_PARAMETER": parameters.get("TwilioAuthTokenParameterName", ""),
        "TASKROUTER_WORKSPACE_SID": parameters.get("TaskRouterWorkspaceSid", ""),
        "PUBLIC_BASE_URL": parameters.get("PublicBaseUrl") or outputs["ApiUrl"],
        "AWS_REGION": session.region_name or "us-east-1",
    }


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="callerid-admin", description=__doc__.split("\n\n")[1] if __doc__ else None)
    where = top.add_mutually_exclusive_group()
    where.add_argument("--stack-file", type=Path, help="the local stack's facts (.dev/stack.json)")
    where.add_argument("--stack-name", help="a deployed stack (its parameters and outputs)")
    top.add_argument("--dry-run", action="store_true", help="print what would change; change nothing")
    commands = top.add_subparsers(dest="command", required=True)
    connect = commands.add_parser("connect", help="point Twilio at this deployment")
    connect.add_argument("--force", action="store_true", help="replace another event callback URL")
    connect.add_argument("--event-streams", action="store_true", help="also the Event Streams sink and subscription")
    reconcile = commands.add_parser("reconcile", help="recount counters and rebuild pools from the records")
    reconcile.add_argument("--account", action="append", help="only this workspace (repeatable); default: all")
    commands.add_parser("teardown", help="restore imported numbers; remove this deployment's callbacks")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.stack_file:
        os.environ.update(stack_file_environment(args.stack_file))
    elif args.stack_name:
        os.environ.update(stack_environment(args.stack_name))
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    runtime.reset()
    settings = runtime.settings()
    if args.command == "reconcile":
        return reconcile(args.account, dry_run=args.dry_run)
    if not settings.public_base_url:
        print("PUBLIC_BASE_URL is not set: where is this deployment?", file=sys.stderr)
        return 2
    from callerid.twilio.deployment import DeploymentGateway

    twilio = DeploymentGateway(runtime.gateway())
    imported = runtime.stores().imported
    assert imported is not None
    account, base = settings.twilio_account_sid, settings.public_base_url
    try:
        if args.command == "connect":
            steps = connect_steps(twilio, imported, account, base, force=args.force, event_streams=args.event_streams)
        else:
            steps = teardown_steps(twilio, imported, account, base, workspaces=all_workspaces())
    except ForeignCallback as refused:
        print(str(refused), file=sys.stderr)
        return 2
    return run(steps, dry_run=args.dry_run)


def run(steps: list[Step], *, dry_run: bool) -> int:
    if not steps:
        print("nothing to do")
    for step in steps:
        print(("would " if dry_run else "") + step.text)
        if not dry_run:
            step.apply()
    return 0


def all_workspaces() -> list[str]:
    """Every workspace with records (the table's heads, a scan page at a time)."""
    reads = runtime.stores().reconcile
    assert reads is not None
    accounts: list[str] = []
    cursor = None
    while True:
        page, cursor = reads.workspaces(cursor)
        accounts += page
        if cursor is None:
            return accounts


def reconcile(accounts: list[str] | None, *, dry_run: bool) -> int:
    reconciler = runtime.reconciler()
    accounts = accounts or all_workspaces()
    changes: list[Any] = []
    for account in accounts:
        changes += reconciler.reconcile(account, dry_run=dry_run)
    if not changes:
        print("nothing to do")
    for change in changes:
        print(("would fix " if dry_run else "fixed ") + str(change))
    return 0


if __name__ == "__main__":
    sys.exit(main())
