"""Reviewer pages: server-rendered HTML (Jinja2 templates, one stylesheet, no
JavaScript, under a strict Content-Security-Policy: ``api/csp.py``) over the same services as the API, mounted at ``/`` by
``api.app.create_app``. See ``docs/web.md``.

- ``routes``: the pages and their forms (propose, decide, import);
- ``views``: what each page shows, gathered from the services;
- ``marks``: labelled redlines, side-by-side rows, quotes marked in a response;
- ``templating``: the templates and the HTML error pages;
- ``guard``: the one place where forms are checked (CSRF token, who may act);
- ``signin``: signing in and out with an API token (a session cookie);
- ``discussion``: the threads of comments a page shows, and their forms;
- ``creating``: the forms that add a version, a stakeholder or a response.
"""

from regdraft.web import creating, discussion, signin
from regdraft.web.routes import API_DOCS_PAGE, router
from regdraft.web.templating import install

router.include_router(signin.router)
router.include_router(discussion.router)
router.include_router(creating.router)

__all__ = ["API_DOCS_PAGE", "install", "router"]
