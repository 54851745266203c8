"""A comparison's ETag is known before its diff: a client that has the current
rendering is answered 304 without a diff, whatever was written since; and the forms of
one comparison share one diff."""

import pytest

from regdraft.core.diffing import grouping
from regdraft.services import comparisons, renderings, structures

from .support import V1


def _no_diffing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("diffed to answer a conditional request")
    for module, name in ((comparisons, "diff_steps"), (comparisons, "diff_texts"), (comparisons, "amended"),
                         (grouping, "parse_structure"), (structures, "read_structure")):
        monkeypatch.setattr(module, name, refuse)


def test_a_current_etag_is_answered_without_a_diff_after_an_unrelated_write(example, profit_ban, monkeypatch):
    urls = [example.url("/redline.html?from=1&to=2"), example.url("/redline.json?from=1&to=2"),
            example.url("/amendments/profit-ban/redline.html"),
            example.url("/versions/1/redline?amendments=profit-ban&format=json")]
    tags = {url: example.client.get(url).headers["ETag"] for url in urls}
    # A write the renderings do not show: a new amendment moves the document's generation.
    r = example.propose("review-date", V1.replace("1st July 2019", "1st July 2017"), categories=["accountability"])
    assert r.status_code == 201, r.text
    comparisons.DIFFS.clear()
    structures.MEMORY.clear()
    _no_diffing(monkeypatch)
    for url, tag in tags.items():
        answer = example.client.get(url, headers={"If-None-Match": tag})
        assert (answer.status_code, answer.headers["ETag"]) == (304, tag), url


def test_a_stale_etag_gets_the_rendering_and_its_new_tag(example, profit_ban):
    url = example.url("/amendments/profit-ban/redline.html")
    first = example.client.get(url)
    # Renaming the proposer changes what the redline shows (its attribution), not its diff.
    r = example.client.put(example.url("/stakeholders/adcs"), json={"name": "ADCS, renamed", "kind": "charity"})
    assert r.status_code == 200, r.text
    again = example.client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert "ADCS, renamed" in again.text


def test_the_html_json_and_page_forms_of_a_comparison_share_one_diff(example, profit_ban, monkeypatch):
    comparisons.DIFFS.clear()
    made = []
    real = comparisons.diff_texts  # two consecutive versions: one aligned diff of the texts

    def counted(*args, **kwargs):
        made.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(comparisons, "diff_texts", counted)
    html = example.client.get(example.url("/redline.html?from=1&to=2"))
    json = example.client.get(example.url("/redline.json?from=1&to=2"))
    page = example.client.get(f"/documents/{example.doc}/compare?from=1&to=2")
    diff = example.client.get(example.url("/diff?from=1&to=2"))
    assert [r.status_code for r in (html, json, page, diff)] == [200, 200, 200, 200]
    assert len(made) == 1
    # Each form is what the comparison made afresh gives.
    comparisons.DIFFS.clear()
    assert example.client.get(example.url("/redline.json"), params={"from": 1, "to": 2, "n": 1}).json() == json.json()
    assert len(made) == 2


def test_the_memories_of_structures_and_diffs_are_bounded_by_the_settings(settings):
    from regdraft.api.app import create_app

    create_app(settings.model_copy(update={"structure_cache_bytes": 1000, "diff_cache_bytes": 2000,
                                           "version_rendering_cache_bytes": 3000}))
    try:
        assert (structures.MEMORY.max_bytes, comparisons.DIFFS.max_bytes, renderings.MEMORY.max_bytes) == (
            1000, 2000, 3000)
    finally:
        create_app(settings)


@pytest.fixture
def made(monkeypatch) -> list[bool]:
    """Whether each comparison made of a plan of versions holds its old text."""
    made = []
    plan_versions = comparisons.plan_versions

    def watched(*args, **kwargs):
        plan = plan_versions(*args, **kwargs)

        def make(**options):
            comparison = plan.make(**options)
            made.append(isinstance(comparison.old, str))
            return comparison
        return comparisons.Plan(plan.etag, plan.sources, make)

    monkeypatch.setattr(comparisons, "plan_versions", watched)
    return made


def test_the_html_redline_is_made_without_the_old_text_and_the_json_with_it(example, made):
    html = example.client.get(example.url("/redline.html?from=1&to=2"))
    json = example.client.get(example.url("/redline.json?from=1&to=2"))
    assert (html.status_code, json.status_code) == (200, 200)
    assert made == [False, True]  # the old side read again only where a form needs it
    comparisons.DIFFS.clear()
    assert example.client.get(example.url("/redline.html?from=1&to=2&again=1")).content == html.content


def test_the_compare_page_is_made_without_the_old_text(example, made):
    inline = example.client.get(f"/documents/{example.doc}/compare?from=1&to=2")
    side = example.client.get(f"/documents/{example.doc}/compare?from=1&to=2&view=side")
    assert (inline.status_code, side.status_code) == (200, 200) and "<del" in inline.text
    assert made == [False, False]
