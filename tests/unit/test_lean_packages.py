"""``callerid.lean_packages``: Powertools' event handler and event data classes, and ``phonenumbers``, without their
packages' ``__init__``, still answer every name the packages have, with the same objects."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from local.template import ROOT

NAMES = """
import json, sys
import callerid.http  # puts the package in place, unexecuted
after_http = sorted(m for m in sys.modules if m.startswith("aws_lambda_powertools.event_handler.appsync"))
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Depends, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver as Defined
lean = "aws_lambda_powertools.event_handler.appsync" not in sys.modules
events = "aws_lambda_powertools.utilities.data_classes.sqs_event" not in sys.modules
from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSEvent as SQSDefined
from aws_lambda_powertools.event_handler import AppSyncResolver  # not in the layer's map: the package's own __init__
import aws_lambda_powertools.event_handler as package
from aws_lambda_powertools.event_handler.appsync import AppSyncResolver as AppSyncDefined
print(json.dumps({
    "after_http": after_http,
    "lean": lean and events,
    "same": APIGatewayRestResolver is Defined and AppSyncResolver is AppSyncDefined and SQSEvent is SQSDefined,
    "all": all(hasattr(package, name) for name in package.__all__),
    "submodule": content_types.APPLICATION_JSON == "application/json",
}))
"""


def run(code: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "shared")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    answer: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return answer


def test_the_layer_imports_the_rest_resolver_without_the_others_and_every_name_still_resolves():
    answer = run(NAMES)
    assert answer == {"after_http": [], "lean": True, "same": True, "all": True, "submodule": True}


PHONENUMBERS = """
import json, sys
import callerid.domain.phone
lean = "phonenumbers.asyoutypeformatter" not in sys.modules
e164 = callerid.domain.phone.normalise_e164("(415) 555-0100")
import phonenumbers
from phonenumbers.phonenumberutil import parse
from phonenumbers import AsYouTypeFormatter
print(json.dumps({
    "lean": lean,
    "e164": e164,
    "same": phonenumbers.parse is parse,
    "all": all(hasattr(phonenumbers, name) for name in phonenumbers.__all__),
    "formatter": AsYouTypeFormatter("US").input_digit("4"),
}))
"""


def test_phonenumbers_parses_without_its_formatter_and_matcher_and_every_name_still_resolves():
    answer = run(PHONENUMBERS)
    assert answer == {"lean": True, "e164": "+14155550100", "same": True, "all": True, "formatter": "4"}


def test_a_package_imported_before_the_layer_is_left_as_it_is():
    code = (
        "import json, sys, aws_lambda_powertools.event_handler as before\n"
        "import callerid.http\n"
        "import aws_lambda_powertools.event_handler as after\n"
        "print(json.dumps({'same': before is after, 'all': 'AppSyncResolver' in vars(after)}))"
    )
    assert run(code) == {"same": True, "all": True}
