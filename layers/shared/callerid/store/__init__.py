"""DynamoDB access through PynamoDB: one table (``pk``/``sk`` strings, TTL on ``expires_at``) and small
repositories that return domain objects."""
