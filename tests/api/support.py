"""Texts and assertions shared by the API tests."""

from __future__ import annotations

from sample_regulations import CATEGORIES  # noqa: F401  (the worked case's, which the example declares)

DOC = "example-delegation"
#: The name of the admin token the ``client`` fixture sends: the actor in the event log.
ADMIN = "admin@example.gov.uk"

V1 = """\
# The Example (Relevant Care Functions) (England) Regulations 2014

The Secretary of State makes the following Regulations.

### 1. Citation and commencement

These Regulations may be cited as the Example Regulations 2014.

### 2. Interpretation

In these Regulations "the Act" means the Children and Young Persons Act 2008.

### 3. Delegation of relevant care functions

(1) The following functions are to be treated as being relevant care functions—

- (a) social services functions so far as they relate to children;
- (b) functions under section 10 of the Children Act 2004.

(2) A local authority may delegate a relevant care function to any person.

### 4. Review

The Secretary of State must review these Regulations before 1st July 2019.
"""

# Version 2 lengthens regulation 1, so everything after it moves along.
V2 = V1.replace(
    "These Regulations may be cited as the Example Regulations 2014.",
    "These Regulations may be cited as the Example (Relevant Care Functions) (England) Regulations 2014 "
    "and come into force on 1st July 2014.")

ADCS_TEXT = """\
The Association believes that a profit motive has no place in the delivery of children's
social care. Delegation should be limited to bodies that are not-for-profit.
"""

NSPCC_TEXT = """\
Any delegation must be subject to inspection by Ofsted, and local authorities must remain
accountable for the outcomes of children in care.
"""

PROFIT_BAN_TEXT = V1.replace("to any person.", "to a body that is not-for-profit.")
# Two amendments inserting a paragraph (3) at the same place.
INSPECTION_TEXT = V1.replace(
    "to any person.\n", "to any person.\n\n(3) A body to which a function is delegated is subject to inspection "
    "by Ofsted.\n")
ACCOUNTABILITY_TEXT = V1.replace(
    "to any person.\n", "to any person.\n\n(3) The local authority remains accountable for the delegated "
    "function.\n")
# A change elsewhere (regulation 2).
INTERPRETATION_TEXT = V1.replace('"the Act" means', '"the 2008 Act" means')


def problem(response, status: int, code: str) -> dict:
    """Assert ``response`` is an RFC 9457 problem of ``status`` and ``code``; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["type"].endswith(f"/problems/{code}") or (code == "about:blank" and body["type"] == code), body
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    return body


def tracked_replacement(docx: bytes, old: str, new: str, author: str) -> bytes:
    """A Word export with ``old`` (once in its text) struck out and ``new`` typed in
    under Track Changes by ``author``, marked up as Word does."""
    import io
    import zipfile

    parts = zipfile.ZipFile(io.BytesIO(docx))
    xml = parts.read("word/document.xml").decode()
    assert xml.count(old) == 1, old
    who = f'w:author="{author}" w:date="2026-12-01T00:00:00Z"'
    xml = xml.replace(old, f'</w:t></w:r><w:del w:id="90" {who}><w:r><w:delText>{old}</w:delText></w:r></w:del>'
                           f'<w:ins w:id="91" {who}><w:r><w:t>{new}</w:t></w:r></w:ins><w:r><w:t xml:space="preserve">')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as edited:
        for info in parts.infolist():
            edited.writestr(info, xml if info.filename == "word/document.xml" else parts.read(info))
    return out.getvalue()
