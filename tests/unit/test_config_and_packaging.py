from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from callerid.config import FLEX_ORIGIN, Settings, twilio_auth_token

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


def names(requirements):
    return {
        re.split(r"[\[<>=]", line.strip())[0].lower()
        for line in requirements
        if line.strip() and not line.startswith("#")
    }


def test_the_layer_requirements_match_the_project_dependencies():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    layer = (ROOT / "layers/shared/requirements.txt").read_text().splitlines()
    assert sorted(pyproject["project"]["dependencies"]) == sorted(
        line for line in layer if line and not line.startswith("#")
    )
    assert "aws-sam-cli" not in names(layer) and "moto" not in names(layer)


def test_the_template_never_holds_a_secret_default():
    template = (ROOT / "template.yaml").read_text()
    assert "TWILIO_AUTH_TOKEN:" not in template
    assert re.search(r"TwilioAuthTokenParameterName:\n(?:.*\n)*?\s+Default: /", template)
