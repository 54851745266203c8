"""The pure domain core.

Modules here import only the standard library, ``diff_match_patch`` (in
the package ``patching`` alone) and ``markdown_it``; ``tests/unit/test_core_purity.py``
enforces it. Values are frozen dataclasses; functions take and return text.
"""
