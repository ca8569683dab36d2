"""Use cases: each joins domain rules to the store and the Twilio gateway, which it receives as arguments."""
