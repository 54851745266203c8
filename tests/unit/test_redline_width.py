"""The redline holds its finished HTML pieces as UTF-8 until it joins them: the page
must come out exactly as the renderers wrote it, whatever characters it holds."""

from regdraft.core.diffing import diff_texts
from regdraft.core.redline import render_html


def test_a_page_with_wide_characters_and_a_lone_surrogate_comes_out_unchanged():
    # A link sends the text to markdown-it, which renders a lone surrogate as it is.
    old = "(1) Café — “quoted” 🙂 and a lone \ud800 in a [link](https://example.org).\n\n(2) Kept.\n"
    html, _ = render_html(diff_texts(old, old.replace("Kept", "Kept—changed")))
    assert 'Café — “quoted” 🙂 and a lone \ud800 in a <a href="https://example.org">link</a>.</p>' in html
    assert '<ins class="rd-ins" data-change="1"' in html and ">—changed</ins>" in html
