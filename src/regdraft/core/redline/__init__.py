"""Redlines: a diff rendered for people.

HTML keeps the document's structure (headings, numbered paragraphs, lists) by
rendering the *merged* text — the new text with the deleted words put back — as
CommonMark, with every inserted or deleted run wrapped in ``<ins>``/``<del>``. The
runs are marked in the Markdown with private-use characters that the renderer passes
through untouched, and the markers are turned into tags after rendering, so a change
never breaks the Markdown structure around it. Markers are opened after a line's
block syntax (``### ``, ``- ``) so an inserted heading is still a heading.

Two CommonMark renderers give the same HTML: cmark-gfm (C, through cmarkgfm) renders a
long regulation fifteen times faster than markdown-it-py, so it renders every text
without raw HTML or links; markdown-it-py, whose link check enforces our link policy,
renders the rest. Both write each block's source line (``data-sourcepos``), and one
pass over the HTML turns the first block of every provision into its anchor.

Untrusted text is safe by construction: raw HTML is never rendered (markdown-it runs
with it off, and text holding ``<`` never reaches cmark), every piece of text reaches
the output through the renderer's escaping or :func:`html.escape`, links are allowed
only to http(s) and relative targets, and any private-use character in the input is
replaced before marking, so input cannot forge a marker.

The package: :mod:`.marking` merges a diff into the marked text; :mod:`.commonmark`
renders marked Markdown and turns the markers into tags; :mod:`.anchoring` anchors each
provision's first block; :mod:`.stored_rendering` is a text's rendering as stored;
:mod:`.html_redline` makes the html redline, splicing the unchanged provisions from
the stored rendering; :mod:`.criticmarkup` and :mod:`.page` the other forms.
"""

from regdraft.core.redline.commonmark import (flag_invisible, markdown, marks_between_text_nodes, render_markdown,
                                              render_marked, render_with_cmark, render_with_cmark_utf8,
                                              render_with_markdown_it)
from regdraft.core.redline.criticmarkup import render_criticmarkup
from regdraft.core.redline.html_redline import (PIECE_CHARS, SPLICED_CHARS, may_splice, render_html, render_html_chunks,
                                                render_html_utf8)
from regdraft.core.redline.marking import Change, END_OF_TEXT, Source, without_marks
from regdraft.core.redline.page import PAGE_CSS, render_page, render_page_utf8
from regdraft.core.redline.stored_rendering import (JoinedIds, RENDERER_VERSION, RenderedPiece, RenderedPieces,
                                                    TextRendering, render_text)

__all__ = ["Change", "END_OF_TEXT", "JoinedIds", "PAGE_CSS", "PIECE_CHARS", "RENDERER_VERSION", "RenderedPiece",
           "RenderedPieces", "SPLICED_CHARS", "Source", "TextRendering", "flag_invisible", "markdown",
           "marks_between_text_nodes", "may_splice", "render_criticmarkup", "render_html", "render_html_chunks",
           "render_html_utf8", "render_markdown", "render_marked", "render_page", "render_page_utf8", "render_text",
           "render_with_cmark", "render_with_cmark_utf8", "render_with_markdown_it", "without_marks"]
