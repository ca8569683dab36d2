"""``callerid-admin``: the operator's tool (connect, reconcile, teardown), the same code as the functions."""
