"""What template.yaml promises operators: data that outlives the stack, bounded logs, a throttled API, alarms,
and each function holding only the permissions its code uses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.template import load_template

SECRET_ACTIONS = ("ssm:GetParameter", "secretsmanager:GetSecretValue")


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def functions(template: dict[str, Any]) -> dict[str, Any]:
    return of_type(template, "AWS::Serverless::Function")


def text(value: Any) -> str:
    return json.dumps(value, default=str)


def test_the_table_outlives_a_stack_delete_and_a_replacing_update(template):
    (table,) = of_type(template, "AWS::DynamoDB::Table").values()
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"


def test_every_function_logs_to_its_own_log_group_with_a_retention(template):
    groups = of_type(template, "AWS::Logs::LogGroup")
    assert template["Parameters"]["LogRetentionDays"]["Default"] == 30
    used = []
    for name, function in functions(template).items():
        group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert group in groups, f"{name} logs to {group}, which is not a log group of this template"
        assert groups[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert text(groups[group]["Properties"]["LogGroupName"]).startswith('{"Fn::Sub": "/aws/lambda/')
        used.append(group)
    assert sorted(used) == sorted(set(used)) == sorted(groups)


def test_the_api_stage_is_throttled_by_parameters(template):
    (settings,) = template["Globals"]["Api"]["MethodSettings"]
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    for limit in ("ThrottlingRateLimit", "ThrottlingBurstLimit"):
        parameter = settings[limit]["Ref"]
        assert template["Parameters"][parameter]["Default"] > 0


def alarms_on(template: dict[str, Any], metric: str) -> list[dict[str, Any]]:
    found = []
    for alarm in of_type(template, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        metrics = [m["MetricStat"]["Metric"] for m in props.get("Metrics", []) if "MetricStat" in m]
        metrics += [props] if "MetricName" in props else []
        found += [{**m, "alarm": props} for m in metrics if m["MetricName"] == metric]
    return found


def dimension(metric: dict[str, Any], name: str) -> Any:
    return next(d["Value"] for d in metric["Dimensions"] if d["Name"] == name)


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_an_alarm_on_its_errors_and_throttles(template, metric):
    watched = {text(dimension(m, "FunctionName")) for m in alarms_on(template, metric)}
    for name in functions(template):
        assert text({"Ref": name}) in watched, f"no {metric} alarm for {name}"


def test_the_api_5xx_rate_and_the_table_throttles_have_alarms(template):
    (server_errors,) = alarms_on(template, "5XXError")
    assert dimension(server_errors, "ApiName") == template["Globals"]["Api"]["Name"]
    assert dimension(server_errors, "Stage") == "Prod"
    assert any(m.get("Expression") and "/" in m["Expression"] for m in server_errors["alarm"]["Metrics"])
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
        (throttles,) = alarms_on(template, metric)
        assert dimension(throttles, "TableName") == {"Ref": "CallerIdTable"}


def test_alarms_notify_the_topic_only_when_one_is_given(template):
    assert template["Parameters"]["AlarmTopicArn"]["Default"] == ""
    assert "HasAlarmTopic" in template["Conditions"]
    for name, alarm in of_type(template, "AWS::CloudWatch::Alarm").items():
        for actions in ("AlarmActions", "OKActions"):
            condition, when_set, _ = alarm["Properties"][actions]["Fn::If"]
            assert (condition, when_set) == ("HasAlarmTopic", [{"Ref": "AlarmTopicArn"}]), name
        assert alarm["Properties"]["TreatMissingData"] == "notBreaching", name


def test_one_managed_policy_reads_the_auth_token_and_no_function_holds_its_own_copy(template):
    policies = {
        name: policy
        for name, policy in of_type(template, "AWS::IAM::ManagedPolicy").items()
        if any(action in text(policy) for action in SECRET_ACTIONS)
    }
    assert len(policies) == 1
    (policy,) = policies
    readers = [
        name for name, f in functions(template).items() if {"Ref": policy} in f["Properties"].get("Policies", [])
    ]
    # The reconcile asks Twilio nothing.
    no_token = {"ApiDocsFunction", "ConsoleFunction", "ReconcileFunction"}
    assert sorted(readers) == sorted(set(functions(template)) - no_token)
    for name, function in functions(template).items():
        inline = [p for p in function["Properties"].get("Policies", []) if isinstance(p, dict) and "Statement" in p]
        assert not any(marker in text(inline) for marker in ("ssm:", "secretsmanager:", "kms:")), name


def test_functions_are_granted_item_and_query_operations_on_the_table_only(template):
    """No Scan but the daily reconcile's (it reads every workspace), no table management; the call path alone may
    query the lock_holder index (its own locks)."""
    allowed = {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    allowed |= {"dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:Query"}
    table = {"Fn::GetAtt": ["CallerIdTable", "Arn"]}
    holder_index = {"Fn::Sub": "${CallerIdTable.Arn}/index/lock_holder"}
    for name, function in functions(template).items():
        for policy in function["Properties"].get("Policies", []):
            for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
                scan = {"dynamodb:Scan"} if name == "ReconcileFunction" else set()
                assert set(statement["Action"]) <= allowed | scan, name
                resources = (
                    statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                )
                expected = [table, holder_index] if name == "OutboundCallFunction" else [table]
                assert resources == expected, name
    assert "Policies" not in functions(template)["ApiDocsFunction"]["Properties"]
    assert "Policies" not in functions(template)["ConsoleFunction"]["Properties"]


def test_every_operation_of_the_document_has_a_tag_a_summary_and_a_description():
    from callerid.http.operations import OPERATIONS, TAGS
    from local.template import ROOT

    document = json.loads((ROOT / "layers/shared/callerid/openapi.json").read_text())
    shipped = {(m, p): o for p, ops in document["paths"].items() for m, o in ops.items()}
    assert set(shipped) == set(OPERATIONS)
    names = {t["name"] for t in TAGS}
    for operation in shipped.values():
        assert operation["tags"][0] in names and operation["summary"] and operation["description"]
    assert document["tags"] == TAGS
