"""regdraft: versioned regulatory drafts, amendments as patches, traceable redlines."""

__version__ = "0.1.0"
