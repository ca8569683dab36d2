"""Request and response shapes of the HTTP contract (PRODUCT.md), one module per area, so that a function imports
(and creates the classes of) only its own routes' models: ``common`` (the bases, field types, page metadata),
``numbers`` (a number as shown), ``listing``, ``workers``, ``calls``, ``management`` and ``caller_ids``; the people
routes' are ``callerid.http.people``. The OpenAPI document is generated from these (``make openapi``). Nothing is
imported here: name the module (``tests/unit/test_import_sets.py``)."""
