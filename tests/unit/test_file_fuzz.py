"""Fuzzing the file parsers: whatever the bytes, a parser either returns a result or
raises InvalidFile (with the path and a line inside the file), never anything else;
and whatever parses, serialises to a file that parses to the same thing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from regdraft.core.errors import InvalidFile
from regdraft.core.patching import make_patch
from regdraft.core.policy import text_problem
from regdraft.core.text import content_hash, normalise
from regdraft.files.formats import (AMENDMENT_KEYS, AmendmentFile, CitationEntry, DocumentFile, ResponseFile,
                                    StakeholderEntry, VersionEntry, parse_amendment, parse_document, parse_response,
                                    parse_version, serialise_amendment, serialise_document, serialise_response)
from regdraft.services.amendments import STATUSES

# The worked case's categories (drafts/…/document.yaml): amendment files name them.
CATEGORIES = ("profit-ban", "scoped-pilot", "inspection-duty", "accountability", "standards", "contracts",
              "cross-boundary", "consultation", "review")

V1 = "# Example Regulations\n\n### 1. Citation\n\nThese Regulations may be cited as the Example Regulations.\n"
V2 = V1 + "\n### 2. Profit\n\nA body carried on for profit may not be a party.\n"
PATCH = make_patch(V1, V2)
T0 = datetime(2014, 4, 17, tzinfo=timezone.utc)

DOCUMENT = serialise_document(DocumentFile(
    slug="example", title="Example: Regulations", description="One paragraph.", notice="",
    stakeholders=[StakeholderEntry("adcs", "ADCS", "professional body"), StakeholderEntry("ncb", "NCB", "")],
    versions=[VersionEntry(1, None, "DfE", "Draft", T0, content_hash(V1), None),
              VersionEntry(2, 1, "DfE", "Ban", T0 + timedelta(days=30), content_hash(V2), "ban")]))
RESPONSE = serialise_response(ResponseFile(
    slug="adcs", stakeholder="adcs", title="ADCS response", text="It “should not be for profit”.\n\nIndeed.\n",
    source="Community Care", url="https://example.org", date="2014-06-05", stance="Against", provenance="Press"))
AMENDMENT = serialise_amendment(AmendmentFile(
    slug="ban", title="Ban profit", proposer="adcs", categories=["profit-ban", "standards"], status="accepted",
    base_version=1, base_hash=content_hash(V1), created=T0, patch_text=PATCH, rationale="Because.\n\nReally.",
    citations=[CitationEntry("adcs", "should not be for profit")]))

PARSERS = {
    "document": (parse_document, serialise_document, "drafts/example/document.yaml", DOCUMENT),
    "response": (parse_response, serialise_response, "drafts/example/responses/adcs.md", RESPONSE),
    "amendment": (parse_amendment, serialise_amendment, "amendments/example/ban.md", AMENDMENT),
}


def _parse_or_invalid(kind: str, data):
    parse, serialise, path, _ = PARSERS[kind]
    try:
        parsed = parse(path, data)
    except InvalidFile as exc:
        message = str(exc)
        assert message.startswith(path + ":"), message
        line = exc.extra["line"]
        if line is not None:
            text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
            assert 1 <= line <= text.count("\n") + 1, (line, message)
        assert "\n" not in message, message
        return None
    # Whatever parses must serialise to something that parses to the same thing.
    again = parse(path, serialise(parsed).encode("utf-8"))
    assert again == parsed
    assert serialise(again) == serialise(parsed)
    return parsed


def test_the_samples_parse():
    for kind in PARSERS:
        assert _parse_or_invalid(kind, PARSERS[kind][3]) is not None


# --------------------------------------------------------------------------------------
# Arbitrary input
# --------------------------------------------------------------------------------------

kinds = st.sampled_from(sorted(PARSERS))


@settings(max_examples=300, deadline=None)
@given(kinds, st.binary(max_size=400))
def test_arbitrary_bytes(kind, data):
    _parse_or_invalid(kind, data)


@settings(max_examples=300, deadline=None)
@given(kinds, st.text(max_size=400))
def test_arbitrary_text(kind, text):
    _parse_or_invalid(kind, text.encode("utf-8", "surrogatepass"))


yamlish = st.lists(st.sampled_from(["---\n", "\n", "slug: ", "x", ": ", "- ", "  ", "[", "]", "{", "}", "'", '"',
                                    "&a ", "*a", "!!python/object ", "null", "1", "true", "#", "|", ">", "\t",
                                    "## Rationale\n\n", "\n\n## Patch\n\n", "```diff-match-patch\n", "```\n",
                                    "@@ -1,4 +1,5 @@\n", "+%0A\n", " x\n", "%zz", "\x00", "\r", "é", "\ufeff"]),
                   max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(kinds, yamlish)
def test_yaml_and_markdown_shaped_noise(kind, text):
    _parse_or_invalid(kind, text.encode("utf-8", "surrogatepass"))


# --------------------------------------------------------------------------------------
# Mutated valid files
# --------------------------------------------------------------------------------------

@st.composite
def mutated(draw):
    kind = draw(kinds)
    text = PARSERS[kind][3]
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["delete", "insert", "replace", "swap-lines", "duplicate-line",
                                          "drop-line"]))
        lines = text.split("\n")
        if operation in ("swap-lines", "duplicate-line", "drop-line") and len(lines) > 1:
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if operation == "swap-lines":
                lines[i], lines[j] = lines[j], lines[i]
            elif operation == "duplicate-line":
                lines.insert(i, lines[j])
            else:
                del lines[i]
            text = "\n".join(lines)
            continue
        at = draw(st.integers(0, len(text)))
        if operation == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        else:
            piece = draw(st.one_of(st.text(max_size=8), st.sampled_from(
                ["\n", "---", ": ", "- ", "  ", "'", "null", "[]", "{}", "#", "```", "@@", "%0A", "\x00", "\r\n",
                 *AMENDMENT_KEYS, *CATEGORIES, *STATUSES])))
            end = at + (draw(st.integers(0, 4)) if operation == "replace" else 0)
            text = text[:at] + piece + text[end:]
    return kind, text


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_valid_files(case):
    kind, text = case
    _parse_or_invalid(kind, text.encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_version_parser(data):
    try:
        text = parse_version("drafts/example/versions/0001.md", data)
    except InvalidFile as exc:
        assert str(exc).startswith("drafts/example/versions/0001.md:")
        return
    assert normalise(text) == text and text


# --------------------------------------------------------------------------------------
# Generated valid files round trip exactly
# --------------------------------------------------------------------------------------

slugs = st.from_regex(r"\A[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}\Z")
# Any text a YAML string can hold and the loader accepts: what the text policy keeps
# (no controls, format or private-use characters, unassigned code points, raw HTML).
kept = st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn"))
strings = st.text(kept | st.sampled_from("\n\t"), max_size=30).filter(lambda s: text_problem(s) is None)
urls = st.one_of(st.just(""), st.from_regex(r"\Ahttps?://[a-z0-9.-]{1,20}(/[a-z0-9%._-]{0,10}){0,3}\Z"))
titles = strings.filter(lambda s: s.strip())
times = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=timezone.utc))
hashes = st.from_regex(r"\A[0-9a-f]{64}\Z")
body = st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp")), min_size=1,
                        max_size=20).map(lambda s: s.strip()).filter(lambda s: s and text_problem(s) is None),
                min_size=1, max_size=4).map(lambda ls: "\n\n".join(ls))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slugs, titles, strings, strings,
       st.lists(st.tuples(slugs, titles, strings), max_size=3, unique_by=lambda t: t[0]),
       st.lists(st.tuples(titles, strings, times, hashes, st.one_of(st.none(), slugs)), max_size=3))
def test_generated_documents_round_trip(slug, title, description, notice, stakeholders, versions):
    document = DocumentFile(
        slug=slug, title=title, description=description, notice=notice,
        stakeholders=[StakeholderEntry(*s) for s in stakeholders],
        versions=[VersionEntry(i + 1, i or None, author, message, created, digest, produced if i else None)
                  for i, (author, message, created, digest, produced) in enumerate(versions)])
    text = serialise_document(document)
    assert parse_document("d.yaml", text.encode()) == document
    assert serialise_document(parse_document("d.yaml", text)) == text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slugs, slugs, titles, strings, urls, body)
def test_generated_responses_round_trip(slug, stakeholder, title, field, url, text):
    text = normalise(text)
    assume(text)
    response = ResponseFile(slug=slug, stakeholder=stakeholder, title=title, text=text, source=field, url=url,
                            date=field, stance=field, provenance=field)
    serialised = serialise_response(response)
    assert parse_response("r.md", serialised.encode()) == response


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slugs, titles, slugs, st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True),
       st.sampled_from(STATUSES), st.integers(1, 10_000), hashes, times, st.one_of(st.just(""), body),
       st.lists(st.tuples(slugs, titles), max_size=3),
       st.text(kept, max_size=40).filter(lambda s: text_problem(s) is None))
def test_generated_amendments_round_trip(slug, title, proposer, categories, status, base, digest, created,
                                         rationale, citations, addition):
    new = V1 + normalise(addition)
    assume(new != V1)
    amendment = AmendmentFile(slug=slug, title=title, proposer=proposer, categories=categories, status=status,
                              base_version=base, base_hash=digest, created=created, patch_text=make_patch(V1, new),
                              rationale=rationale, citations=[CitationEntry(*c) for c in citations])
    text = serialise_amendment(amendment)
    assert parse_amendment("a.md", text.encode()) == amendment
