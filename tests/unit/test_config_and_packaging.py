from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from callerid.config import FLEX_ORIGIN, Settings, twilio_auth_token
from local.template import load_template

ROOT = Path(__file__).resolve().parents[2]


def test_settings_read_the_documented_environment():
    settings = Settings.from_env(
        {
            "TABLE_NAME": "t",
            "TWILIO_ACCOUNT_SID": "AC1",
            "TWILIO_AUTH_TOKEN": "s3cr3t-f00d",
            "PUBLIC_BASE_URL": "https://cid.example.com/",
            "INCLUDE_OUTGOING_ONLY_NUMBERS": "false",
            "CALLER_ID_LOCK_TTL_SECONDS": "120",
            "NUMBER_CACHE_TTL_SECONDS": "60",
            "ALLOWED_ORIGINS": "https://flex.twilio.com, https://admin.example.com",
        }
    )
    assert settings.public_base_url == "https://cid.example.com"
    assert settings.include_outgoing_only_numbers is False
    assert (settings.caller_id_lock_ttl_seconds, settings.number_cache_ttl_seconds) == (120, 60)
    assert settings.allowed_origins == ("https://flex.twilio.com", "https://admin.example.com")
    assert twilio_auth_token(settings) == "s3cr3t-f00d"
    assert "s3cr3t-f00d" not in repr(settings)


def test_defaults_match_the_contract():
    settings = Settings.from_env({})
    assert settings.include_outgoing_only_numbers is True
    assert settings.caller_id_lock_ttl_seconds == 300
    assert settings.allowed_origins == (FLEX_ORIGIN,)


def test_nonsense_configuration_is_refused():
    with pytest.raises(ValidationError):
        Settings.from_env({"CALLER_ID_LOCK_TTL_SECONDS": "0"})


def requirement_lines(text):
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def name(requirement):
    return re.split(r"[\[<>=~!; ]", requirement, maxsplit=1)[0].lower()


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def extra(project, wanted, seen=()):
    """The requirements of one extra, with the project's own extras (``flex-caller-id[local,…]``) unfolded."""
    out = []
    for requirement in project["optional-dependencies"][wanted]:
        if name(requirement) == project["name"]:
            inner = re.search(r"\[(.*)\]", requirement).group(1).split(",")
            out += [r for e in inner if e.strip() not in seen for r in extra(project, e.strip(), (*seen, wanted))]
        else:
            out.append(requirement)
    return out


def test_the_layer_ships_the_runtime_dependencies_and_leaves_boto3_to_the_lambda_runtime():
    # Rule: layer requirements == [project].dependencies, which never name boto3/botocore (the runtime has them).
    project = pyproject()["project"]
    layer = requirement_lines((ROOT / "layers/shared/requirements.txt").read_text())
    assert sorted(layer) == sorted(project["dependencies"])
    assert not {"boto3", "botocore", "s3transfer"} & {name(r) for r in layer}
    assert not {"aws-sam-cli", "moto", "flask", "pytest"} & {name(r) for r in layer}


def test_boto3_is_pinned_for_local_runs_and_for_development():
    project = pyproject()["project"]
    for wanted in ("local", "dev"):
        boto3 = [r for r in extra(project, wanted) if name(r) == "boto3"]
        assert boto3 and re.search(r">=\s*1\.\d+", boto3[0]) and "<2" in boto3[0], (wanted, boto3)


def test_make_dev_installs_the_local_stack_and_not_the_tools():
    project = pyproject()["project"]
    local = {name(r) for r in extra(project, "local")}
    everything = {name(r) for r in extra(project, "dev")}
    assert {"boto3", "flask", "moto", "cfn-flip"} <= local
    assert not {"aws-sam-cli", "mypy", "ruff", "pytest"} & local
    assert local | {"aws-sam-cli", "mypy", "ruff", "pytest", "openapi-core"} <= everything


def test_the_layer_build_takes_out_what_the_lambda_runtime_provides():
    template = load_template()["Resources"]["SharedLayer"]
    assert template["Metadata"]["BuildMethod"] == "makefile"
    makefile = (ROOT / "layers/shared/Makefile").read_text()
    assert "build-SharedLayer:" in makefile
    assert re.search(r"^RUNTIME_PROVIDED := boto3 botocore s3transfer$", makefile, re.MULTILINE)


def test_the_template_never_holds_a_secret_default():
    template = (ROOT / "template.yaml").read_text()
    assert "TWILIO_AUTH_TOKEN:" not in template
    assert re.search(r"TwilioAuthTokenParameterName:\n(?:.*\n)*?\s+Default: /", template)


def test_the_powertools_extras_are_the_ones_the_code_imports():
    code = [*ROOT.glob("functions/*/app.py"), *ROOT.glob("layers/shared/callerid/**/*.py")]
    sources = "\n".join(path.read_text() for path in code)
    used = {"tracer"} if re.search(r"\bTracer\b", sources) else set()
    used |= {"validation"} if "aws_lambda_powertools.utilities.validation" in sources else set()
    powertools = next(r for r in pyproject()["project"]["dependencies"] if name(r) == "aws-lambda-powertools")
    extras = re.search(r"\[(.*)\]", powertools)
    assert (set(extras.group(1).split(",")) if extras else set()) == used


def test_a_failing_secret_store_is_a_dependency_failure_not_a_crash(monkeypatch):
    """SSM unreachable (unit tests have no network): 503 upstream_unavailable, never a 500."""
    from callerid.domain.errors import UpstreamUnavailable

    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "y",
    }.items():
        monkeypatch.setenv(name, value)
    for parameter in ("/caller-id/twilio-auth-token", "secretsmanager:caller-id"):
        with pytest.raises(UpstreamUnavailable):
            twilio_auth_token(Settings(twilio_auth_token_parameter=parameter))
