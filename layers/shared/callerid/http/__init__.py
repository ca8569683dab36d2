"""Resolver setup, authentication, the error envelope and the one exception → status map."""
