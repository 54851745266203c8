"""The reviewer pages in a real browser: Debian's chromium, headless, driven by
Playwright, against `regdraft serve` (uvicorn) in its own process on a loopback port,
serving a fresh database that `regdraft load` filled with the worked case: once on
SQLite and once on PostgreSQL (``db_backend``).

The tests open every page at a desktop width (1280 px) and a phone width (320 px),
follow the links from an amendment to the quoted place in a response and back,
filter the amendment list, compare two versions, ask for the Keeling schedule of every
amendment of a version, propose an amendment by editing the text, and accept it. Screenshots (and a PDF of the printed Keeling schedule) go to
``test-artifacts/screenshots/<backend>/``, which CI keeps.

Without chromium (or Playwright) the tests skip, saying why; under CI or
REGDRAFT_REQUIRE_POSTGRES=1, where `.ci/run` installs chromium, they fail instead.
The page contract itself (every status, escaping, forms) is tested without a browser
in tests/web/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import pg
from live import live_server
from server_process import issue_tokens

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
DOC = "children-social-care-delegation"
BASE = f"/documents/{DOC}"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTHS = {"desktop": 1280, "phone": 320}

# Every page, named for its screenshot.
PAGES = {
    "documents": "/",
    "document": BASE,
    "compare-inline": f"{BASE}/compare?from=1&to=3",
    "compare-side": f"{BASE}/compare?from=1&to=3&view=side",
    "amendments": f"{BASE}/amendments",
    "amendment": f"{BASE}/amendments/ofsted-inspection",
    "response": f"{BASE}/responses/adcs",
    "consultation": f"{BASE}/consultation",
    "keeling": f"{BASE}/keeling?amendment=ofsted-inspection&amendment=exclude-child-protection",
    "propose": f"{BASE}/propose",
    "not-found": f"{BASE}/amendments/no-such-amendment",
}


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    return None


# Module-scoped, not session-scoped: Playwright's sync API keeps an asyncio event loop
# running in the main thread while it is open, and later tests that call asyncio.run()
# would fail. The module runs once per backend, so chromium starts twice (0.8 s each).
@pytest.fixture(scope="module")
def browser():
    reason = _unavailable()
    if reason:
        if pg.postgres_required():
            pytest.fail(f"{reason}; the browser tests are required here (CI or REGDRAFT_REQUIRE_POSTGRES=1).",
                        pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Chromium's sandbox cannot start as root (CI runs as root); there it runs without it.
    # Containers often give /dev/shm only 64 MB, too little for full-page screenshots.
    args = ["--disable-dev-shm-usage"] + (["--no-sandbox"] if os.geteuid() == 0 else [])
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def site(_template_database: str, copy_database, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[str, str]]:
    """The worked case, loaded into a fresh database and served by uvicorn; and an admin
    token for it. One per backend: the tests share it, and the last one changes it."""
    folder = tmp_path_factory.mktemp("browser")
    with copy_database(_template_database, folder) as database_url:
        with live_server(database_url, ROOT, folder / "server.log") as base:
            (admin,) = issue_tokens(database_url, ("admin", None))
            yield base, admin


@pytest.fixture(scope="module")
def admin_session(browser, site) -> dict:
    """An admin's cookies, from signing in once through the sign-in page."""
    base, admin = site
    context = browser.new_context(base_url=base)
    try:
        tab = context.new_page()
        tab.goto("/login")
        tab.fill("#token", admin)
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url(base + "/")
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def shots(db_backend: str) -> Path:
    """Where this backend's screenshots go."""
    folder = SHOTS / db_backend
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser, site, admin_session):
    """A browser tab of its own, signed in as an admin."""
    base, _ = site
    context = browser.new_context(base_url=base, viewport={"width": WIDTHS["desktop"], "height": 900},
                                  storage_state=admin_session)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def shoot(shots: Path):
    """``shoot(tab, name)``: a full-page screenshot, ``<name>.png`` in this backend's folder."""

    def screenshot(tab, name: str) -> None:
        tab.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    return screenshot


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_at_desktop_and_phone_width(page, width, shoot):
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    for name, path in PAGES.items():
        response = page.goto(path)
        assert response.status == (404 if name == "not-found" else 200), (name, response.status)
        assert page.locator("h1").first.is_visible(), name
        assert page.locator("main#main").count() == 1 and page.locator("header nav").count() == 1
        duplicated = page.evaluate("""() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
                                          return ids.filter((id, i) => ids.indexOf(id) !== i); }""")
        assert duplicated == [], (name, duplicated)
        # Readable at 320 px: nothing makes the page itself scroll sideways (wide tables
        # scroll inside their own box).
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} is {overflow} px wider than a {WIDTHS[width]} px window"
        shoot(page, f"{name}-{WIDTHS[width]}")


# What the browser reports when the Content-Security-Policy blocks something: the
# listener is added before any page script could run, and is not itself subject to the policy.
_CSP_LISTENER = """window.__violations = [];
document.addEventListener('securitypolicyviolation',
    e => window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));"""
# The API's standalone redline and Keeling pages, whose one inline stylesheet the policy allows by hash.
API_PAGES = {"api-redline": f"/api/documents/{DOC}/redline.html?from=1&to=3",
             "api-keeling": f"/api/documents/{DOC}/versions/3/keeling.html?amendment=ofsted-inspection"}


def test_every_page_works_under_the_content_security_policy_and_breaks_none_of_it(page):
    page.add_init_script(_CSP_LISTENER)
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    for name, path in {**PAGES, **API_PAGES}.items():
        response = page.goto(path)
        policy = response.headers.get("content-security-policy", "")
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (name, policy)
        assert ("default-src 'self'; script-src 'self';" in policy if name in PAGES
                else policy.startswith("default-src 'none';") and "script-src" not in policy), (name, policy)
        # The pages still look as they should: their stylesheet applied, the inline one by its hash.
        # (a browser's own body margin is 8 px; regdraft.css sets 0, the redline page's 2rem)
        margin = page.evaluate("getComputedStyle(document.body).marginTop")
        assert margin in ("0px", "32px"), (name, margin)
        assert page.evaluate("window.__violations") == [], (name, page.evaluate("window.__violations"))
    assert refused == []
    # And the policy is on: script put into a page (as a stored XSS would) does not run,
    # and the browser reports it.
    page.goto(BASE)
    ran = page.evaluate("""() => { window.__ran = false; const s = document.createElement('script');
                                   s.textContent = 'window.__ran = true'; document.body.append(s);
                                   return new Promise(r => setTimeout(() => r(window.__ran), 200)); }""")
    assert ran is False
    assert any(v.startswith("script-src") for v in page.evaluate("window.__violations"))


def test_the_interactive_api_docs_run_without_a_network_under_the_policy(page, site, shoot):
    """/docs draws Swagger UI from this server's own files: no request leaves the origin,
    nothing is blocked, and the operations of the OpenAPI document are listed."""
    base, _ = site
    page.add_init_script(_CSP_LISTENER)
    elsewhere = []
    page.on("request", lambda request: elsewhere.append(request.url)
            if not (request.url.startswith(base) or request.url.startswith("data:")) else None)
    page.goto("/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 40
    assert page.locator(".info .title").first.inner_text().startswith("regdraft")
    assert elsewhere == [] and page.evaluate("window.__violations") == []
    shoot(page, "api-docs")


def test_keyboard_reaches_the_content_first_and_every_change_is_labelled(page):
    page.goto(f"{BASE}/compare?from=1&to=3")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Insertions and deletions differ by more than colour: a line, brackets and a spoken label.
    inserted = page.locator("article ins.rd-ins").first
    deleted = page.locator("article del.rd-del").first
    assert "underline" in inserted.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "line-through" in deleted.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert inserted.locator(".vh").inner_text() == "inserted:"
    assert deleted.locator(".vh").inner_text() == "deleted:"
    assert inserted.evaluate("e => getComputedStyle(e, '::before').content").startswith('"[+"')


def test_from_an_amendment_to_the_quoted_words_and_back(page, shoot):
    page.goto(f"{BASE}/amendments/ofsted-inspection")
    citation = page.locator("#citation-1")
    quote = citation.locator("blockquote").inner_text().strip()
    citation.locator("a.quote-link").click()
    page.wait_for_url(re.compile(rf"{BASE}/responses/adcs#quote-\d+-\d+$"))
    anchor = page.url.split("#", 1)[1]
    mark = page.locator(f"mark#{anchor}")
    assert mark.is_visible() and mark.evaluate("e => e.matches(':target')")
    assert " ".join(mark.inner_text().split()) in " ".join(quote.split())
    shoot(page, "walk-1-response-at-quote")
    # The links after the quoted words lead to the citing amendments' citations.
    back = page.locator(f"mark#{anchor} ~ sup.cited-by a", has_text="ofsted-inspection").first
    back.click()
    page.wait_for_url(re.compile(rf"{BASE}/amendments/ofsted-inspection#citation-\d+$"))
    target = page.url.split("#", 1)[1]
    assert page.locator(f"#{target}").evaluate("e => e.matches(':target')")
    assert page.locator(f"#{target} a.quote-link").get_attribute("href").endswith(anchor)
    shoot(page, "walk-2-back-at-citation")


def test_filtering_the_amendment_list_keeps_the_filters_in_the_address(page, shoot):
    page.goto(f"{BASE}/amendments")
    everything = page.locator("table.amendments tbody tr").count()
    page.select_option("select[name=category]", "accountability")
    page.select_option("select[name=status]", "proposed")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"category=accountability.*status=proposed"))
    filtered = page.locator("table.amendments tbody tr")
    assert 0 < filtered.count() < everything
    for row in filtered.all():
        assert "accountability" in row.inner_text() and "proposed" in row.inner_text()
    shoot(page, "amendments-filtered-1280")
    # The address alone gives the same view: it can be shared.
    shared = page.url
    page.goto(f"{BASE}/amendments")
    page.goto(shared)
    assert page.locator("table.amendments tbody tr").count() == filtered.count()
    assert page.locator("select[name=category]").input_value() == "accountability"
    # A provision link narrows the list to the amendments touching it.
    first_provision = page.locator("table.amendments tbody tr td:last-child a").first
    label = first_provision.inner_text()
    first_provision.click()
    page.wait_for_url(re.compile(r"provision="))
    assert page.locator("select[name=provision] option:checked").inner_text() == label


def test_comparing_two_versions_side_by_side_and_jumping_to_a_change(page, shoot):
    page.goto(BASE)
    page.select_option("select[name=from]", "1")
    page.select_option("select[name=to]", "3")
    page.get_by_label("side by side").check()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"/compare\?from=1&to=3&view=side$"))
    assert page.locator(".side-row.side-added").count() > 0
    link = page.locator("nav.change-nav a").nth(1)
    link.click()
    target = page.locator(link.get_attribute("href"))
    assert target.evaluate("e => e.matches(':target')")
    assert target.locator(".side-new ins").count() > 0
    shoot(page, "compare-side-after-jump-1280")


def test_the_keeling_schedule_prints(page, shoot, shots):
    page.goto(PAGES["keeling"])
    page.emulate_media(media="print")
    assert page.locator("header nav").is_hidden() and page.locator("form.choose").is_hidden()
    assert page.locator("ol.rd-notes li").count() > 0
    shoot(page, "keeling-print-media-1280")
    page.pdf(path=str(shots / "keeling-printed.pdf"), format="A4")
    assert (shots / "keeling-printed.pdf").stat().st_size > 10_000


def test_every_amendment_of_a_version_in_one_click(page, shoot):
    page.goto(PAGES["keeling"])  # two boxes ticked: the button leaves them out
    page.select_option("select[name=version]", "1")
    page.get_by_role("button", name="Every amendment of the version").click()
    page.wait_for_url(f"**{BASE}/keeling?version=1&every=1")
    api = page.request.get(f"/api{BASE}/versions/1/keeling.json").json()
    summary = page.locator("p.summary").nth(1).inner_text()
    assert summary.startswith(f"Applied: {', '.join(api['applied'])}.") and len(api["applied"]) > 2
    assert all(slug in summary for slug in api["withheld"])
    shoot(page, "keeling-every-1280")


def test_proposing_from_an_edited_text_and_accepting_it(page, shoot):
    # Last in the module: it changes the served database (version 4).
    page.goto(f"{BASE}/propose")
    text = page.locator("textarea#text")
    old = "relevant care functions for the purposes of section 1 of the Act.\n\n### 5."
    head = text.input_value()
    assert old in head
    text.fill(head.replace(old, "relevant care functions for the purposes of section 1 of the Act, unless the "
                                "Secretary of State directs otherwise.\n\n### 5."))
    page.fill("#title", "Let the Secretary of State direct otherwise")
    page.select_option("#proposer", "adcs")
    page.get_by_label("accountability").check()
    page.fill("#rationale", "A safety valve for exceptional cases.")
    page.select_option("#citation-response-1", "adcs")
    page.fill("#citation-quote-1", "any external providers being subject to inspection by Ofsted")
    shoot(page, "propose-filled-1280")
    page.get_by_role("button", name="Propose").click()
    page.wait_for_url(f"**{BASE}/amendments/let-the-secretary-of-state-direct-otherwise")
    assert page.locator(".status").first.inner_text() == "proposed"
    assert "directs otherwise" in page.locator("article ins.rd-ins").first.inner_text()
    shoot(page, "proposed-1280")
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url(f"**{BASE}/amendments/let-the-secretary-of-state-direct-otherwise")
    assert page.locator(".status").first.inner_text() == "accepted"
    assert page.get_by_role("link", name="version 4").count() == 1
    shoot(page, "accepted-1280")
    page.goto(BASE)
    assert "directs otherwise" in page.locator("#reg-4").inner_text() or \
        "directs otherwise" in page.locator("article.legal-text").inner_text()
    assert page.locator("table.history tbody tr").first.locator("a").nth(1).inner_text() == \
        "Let the Secretary of State direct otherwise"


def test_deciding_several_with_reasons_and_reading_the_outcome(page, shoot):
    # After the proposing test: it changes the served database too.
    page.goto(f"{BASE}/amendments")
    page.get_by_role("link", name="Decide several at once").click()
    page.wait_for_url(f"**{BASE}/decide")
    page.get_by_label("Decision on Make bodies discharging relevant care functions subject to Ofsted inspection") \
        .select_option(label="accepted")
    page.get_by_label("Decision on Require statutory, enforceable standards of every provider") \
        .select_option(label="rejected")
    page.get_by_label("Reason for Require statutory, enforceable standards of every provider") \
        .fill('Ofsted inspection covers it & "more", a < b')
    page.fill("#reason", "The ADCS asked for it.")
    shoot(page, "decide-several-1280")
    page.get_by_role("button", name="Decide").click()
    page.wait_for_url(f"**{BASE}/decisions/*")
    assert page.locator("table.hunks").count() == 1
    assert 'Ofsted inspection covers it & "more", a < b' in page.locator("blockquote.reason").nth(1).inner_text()
    shoot(page, "decided-together-1280")
    page.goto(f"{BASE}/outcome")
    regulation_5 = page.locator("#outcome-reg-5")
    assert "Adopted on 2014-06-20 by Department for Education" in regulation_5.inner_text()
    assert 'Ofsted inspection covers it & "more", a < b' in page.locator("#outcome-reg-3a").inner_text()
    shoot(page, "outcome-1280")


def test_discussing_an_amendment_and_a_provision(page, shoot):
    # After the deciding test: it adds comments to the served database.
    page.goto(f"{BASE}/amendments/ofsted-inspection")
    page.fill("#comment-body", "Would *annual* inspection be enough?")
    page.get_by_role("button", name="Comment", exact=True).click()
    page.wait_for_url(re.compile(r".*/amendments/ofsted-inspection#comment-\d+$"))
    first = page.locator("article.comment").first
    assert first.locator("em").inner_text() == "annual"
    page.locator("details", has_text="Reply").first.locator("summary").click()
    page.get_by_label("Your reply").first.fill("Ofsted inspects at least every three years.")
    page.get_by_role("button", name="Reply", exact=True).first.click()
    page.wait_for_url(re.compile(r".*#comment-\d+$"))
    assert "every three years" in page.locator("ol.replies").first.inner_text()
    shoot(page, "amendment-discussion-1280")
    page.goto(BASE)
    page.select_option("#comment-provision", "reg-4")
    page.fill("#comment-quote", "functions under Part 1 of the Act")
    page.fill("#comment-body", "Which functions of Part 1?")
    page.get_by_role("button", name="Comment", exact=True).click()
    page.wait_for_url(re.compile(rf".*{BASE}#comment-\d+$"))
    thread = page.locator(".discussion li.thread").first
    assert "exact" in thread.locator(".anchor-state").inner_text() and "regulation 4" in thread.inner_text()
    shoot(page, "provision-discussion-1280")
