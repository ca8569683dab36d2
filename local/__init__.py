"""The local stack (not deployed): embedded DynamoDB, Twilio emulator, dev server, seeding, ``make dev``."""
