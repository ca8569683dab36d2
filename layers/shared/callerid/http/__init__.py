"""Resolver setup, authentication, the error envelope and the one exception → status map."""

# First, before any module here imports Powertools' event handler: its packages without their every resolver and
# event class (callerid.http.powertools).
from callerid.http import powertools as powertools
