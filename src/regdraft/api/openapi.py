"""The OpenAPI document as committed in ``api/openapi.json``."""

from __future__ import annotations

import json


def openapi_text() -> str:
    """The app's OpenAPI schema as JSON: ``indent=2``, sorted keys, a final newline.
    It depends only on the code, not on settings or a database."""
    from regdraft.api.app import create_app

    return json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n"
