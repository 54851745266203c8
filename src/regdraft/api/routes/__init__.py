"""The API's routers, one module per area; :mod:`regdraft.api.app` mounts them under ``/api``."""
