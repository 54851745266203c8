"""The formats regdraft renders comparisons and schedules in (``services.rendering``),
on their own: the CLI names them in its options on every start, before it knows
whether it will render anything."""

FORMATS: dict[str, str] = {
    "html": "text/html",
    "fragment": "text/html",
    "criticmarkup": "text/markdown",
    "unified": "text/plain",
    "json": "application/json",
    "instructions": "text/plain",
}
"""Each format and its media type."""
