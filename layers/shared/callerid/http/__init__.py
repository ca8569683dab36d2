"""Resolver setup, authentication, the error envelope and the one exception → status map."""

from callerid.lean_packages import lean_package

# Before any module here imports Powertools' event handler: its package and its event data classes' without their
# every resolver and event class (callerid.http.powertools, callerid.lean_packages).
for _package in ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes"):
    lean_package(_package)
