"""Caller-ID backend for Twilio Flex: the shared Lambda layer.

Packages: ``domain`` (pure rules), ``store`` (DynamoDB through PynamoDB), ``twilio`` (the Twilio gateway,
Flex-token and webhook-signature checks), ``service`` (use cases that join them), ``http`` (resolver, auth,
error envelope).
"""

from callerid.lean_packages import lean_package

lean_package("phonenumbers")  # before any module here imports it: see callerid.lean_packages
