"""Drafting traditions: the kinds of document regdraft reads.

A document declares its kind once; its structure, labels, ids and amending
instructions follow the tradition of that kind."""

KINDS = ("uk-si", "uk-act", "us-cfr", "eu-act")
"""``uk-si`` (UK statutory instruments, the default), ``uk-act`` (UK Acts of Parliament),
``us-cfr`` (parts of the US Code of Federal Regulations), ``eu-act`` (EU regulations,
directives and decisions)."""

DEFAULT_KIND = "uk-si"

KIND_NAMES = {
    "uk-si": "UK statutory instrument",
    "uk-act": "UK Act of Parliament",
    "us-cfr": "US Code of Federal Regulations part",
    "eu-act": "EU act",
}
"""What each kind is called on the pages."""
