"""Everything that talks to Twilio: the HTTP transport (retries, emulator rewrite), Flex-token validation,
webhook signatures and the REST gateway. Only ``gateway`` imports ``twilio.rest``; the call path never does."""
