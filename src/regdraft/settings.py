"""Runtime settings, read from ``REGDRAFT_*`` environment variables.

Nothing here is evaluated at import time: defaults that depend on the current working
directory are computed when :func:`get_settings` (or ``Settings()``) is called, so tests
and the app factory always see the environment as it is when they ask.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_PATH = Path("var") / "regdraft.sqlite"


def default_database_url() -> str:
    """``sqlite:///`` + the absolute path of ``var/regdraft.sqlite`` under the cwd."""
    return "sqlite:///" + str((Path.cwd() / DEFAULT_DATABASE_PATH).resolve())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REGDRAFT_", extra="ignore")

    #: SQLAlchemy URL. ``sqlite:///...`` (default) or ``postgresql://...``
    #: (rewritten to the psycopg 3 driver by :func:`regdraft.store.engine.make_engine`).
    database_url: str = Field(default_factory=default_database_url)
    host: str = "127.0.0.1"
    port: int = 8000
    #: Largest request body the API accepts.
    max_body_bytes: int = 10 * 1024 * 1024
    #: Characters of rendered redlines and Keeling schedules each worker keeps in memory.
    render_cache_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    #: About how many bytes of versions' structures each process keeps (services.structures).
    structure_cache_bytes: int = Field(default=256 * 1024 * 1024, ge=0)
    #: About how many bytes of diffs each process keeps (services.comparisons.DIFFS).
    diff_cache_bytes: int = Field(default=128 * 1024 * 1024, ge=0)
    #: About how many bytes of versions' renderings each process keeps (services.renderings).
    version_rendering_cache_bytes: int = Field(default=128 * 1024 * 1024, ge=0)
    #: Minutes after posting in which a comment's author may still edit it (services.comments).
    comment_edit_minutes: int = Field(default=15, ge=0, le=7 * 24 * 60)
    #: The lowest similarity (0-1] at which a re-anchored comment's quote counts as found, fuzzily.
    comment_fuzzy_threshold: float = Field(default=0.8, gt=0, le=1)
    #: A citation quotes at least this many words and characters, unless its words stand in
    #: one place only of the response (services.amendments.QuoteMinimum).
    citation_min_words: int = Field(default=3, ge=1)
    citation_min_chars: int = Field(default=12, ge=1)
    #: Folder holding ``drafts/`` and ``amendments/``.
    root: Path = Field(default_factory=Path.cwd)


def get_settings() -> Settings:
    """A fresh :class:`Settings` from the current environment (deliberately not cached)."""
    return Settings()
