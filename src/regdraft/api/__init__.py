"""The HTTP API: FastAPI routers that translate requests into service calls and
results (or errors, as RFC 9457 problem documents) into responses.

Start with :func:`regdraft.api.app.create_app`.
"""
