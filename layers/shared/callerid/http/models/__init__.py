"""Request and response shapes of the HTTP contract (PRODUCT.md), one module per area, so that a function imports
(and creates the classes of) only its own routes' models: ``common`` (the bases, field types, page metadata),
``numbers`` (a number as shown), ``listing``, ``workers``, ``calls``, ``adding`` (buying, importing, BYOT),
``configuration`` and ``reports`` (one number's), ``caller_ids``, and ``countries`` (the country codes, apart: they
load ``phonenumbers``' metadata); the people routes' are ``callerid.http.people``. The OpenAPI document is generated
from these (``make openapi``). Nothing is imported here: name the module (``tests/unit/test_import_sets.py``)."""
