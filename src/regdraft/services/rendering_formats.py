"""The formats regdraft renders comparisons, schedules and versions in
(``services.rendering``), on their own: the CLI names them in its options on every
start, before it knows whether it will render anything."""

FORMATS: dict[str, str] = {
    "html": "text/html",
    "fragment": "text/html",
    "criticmarkup": "text/markdown",
    "unified": "text/plain",
    "json": "application/json",
    "instructions": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "akn": "application/akn+xml",
}
"""Each format and its media type."""
BINARY = frozenset({"docx", "pdf"})
"""Formats that are not text (a terminal cannot show them)."""
VERSION_FORMATS = ("akn", "docx", "pdf")
"""What a single version is exported as."""
COMPARISON_FORMATS = tuple(name for name in FORMATS if name != "akn")
"""What a comparison or a schedule is rendered as: an AKN act is one version."""
