"""Pure domain logic: no I/O, no boto3, no twilio, no Powertools."""
