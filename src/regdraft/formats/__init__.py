"""Outside formats: one reader or writer per format, each pure over core values."""
