"""A stateful Twilio emulator on loopback: the subset of Twilio's REST API the backend uses, shaped like
Twilio's OpenAPI specifications (``../shared/twilio-oai/``)."""
