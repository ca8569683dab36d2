"""The emulator's HTTP surface (Flask): Twilio's products served from one base URL, one module each.

* ``api2010``: Accounts; ``numbers``: IncomingPhoneNumbers; ``available``: AvailablePhoneNumbers (from ``stock``);
  ``callerids``: OutgoingCallerIds (and ValidationRequests)
* ``calls``: Api 2010 Calls (the customer legs of the outbound-call tasks ``tasks`` plays), list and fetch
* ``taskrouter``: Workspaces, Workers with ETag / If-Match / 412
* ``events``: Event Streams Sinks, Subscriptions (and SubscribedEvents), Types; ``streams`` posts the Voice Insights
  call summaries of ended calls to subscribed webhook sinks, signed
* ``trusthub``: Trust Hub TrustProducts and their ChannelEndpointAssignments (phone numbers)
* ``iam``: Flex token validation
* ``verification``: the verification call a ValidationRequest places (it answers itself after
  ``verificationAnswerSeconds``, 30 unless ``TWILIO_EMULATOR_VERIFICATION_ANSWER_SECONDS`` says otherwise)
* ``controls``: POST /_emulator/tokens, /seed, /caller-ids, /numbers; POST/GET /_emulator/verification-calls/{callSid}
  (play the digits); GET/POST /_emulator/settings; GET/DELETE /_emulator/requests; POST/DELETE /_emulator/faults (a
  hung or failing Twilio); POST /_emulator/outbound-tasks and .../{taskSid}/end (a Flex outbound call, its outcome);
  GET/DELETE /_emulator/event-streams/deliveries; POST /_emulator/trust-products and .../{Sid} (a product of a kind,
  its status); POST /_emulator/accounts/{AccountSid}/rotate-auth-token, POST/DELETE .../secondary-auth-token
"""

from __future__ import annotations

import os

from flask import Flask

from local.emulator import (
    api2010,
    available,
    callerids,
    calls,
    controls,
    events,
    iam,
    numbers,
    taskrouter,
    trusthub,
)
from local.emulator.common import post_signed
from local.emulator.state import World

__all__ = ["create_app", "main", "post_signed"]


def create_app(state: World | None = None) -> Flask:
    app = Flask("twilio-emulator")
    app.config["WORLD"] = state or World()
    for product in (controls, api2010, numbers, available, callerids, calls, taskrouter, events, trusthub, iam):
        app.register_blueprint(product.routes)
    return app


def main() -> None:
    import argparse
    import logging

    parser = argparse.ArgumentParser(description="Twilio emulator on loopback")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3001)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # request lines of the API are enough in `make dev`
    from werkzeug.serving import make_server

    answer_seconds = float(os.environ.get("TWILIO_EMULATOR_VERIFICATION_ANSWER_SECONDS") or 30)
    state = World(verification_answer_seconds=answer_seconds)
    make_server(args.host, args.port, create_app(state), threaded=True).serve_forever()


if __name__ == "__main__":
    main()
