"""A small regulation, two stakeholders and a response, shared by integration tests."""

from regdraft.services import amendments as A
from regdraft.services import documents

TEXT = ("# Example Regulations\n\n### 1. Citation\n\nThese Regulations may be cited as the Example Regulations.\n\n"
        "### 3. Functions\n\nThe following functions are relevant care functions—\n\n"
        "- (a) social services functions relating to children;\n"
        "- (b) functions under section 10 of the Children Act 2004.\n\n"
        "### 4. Exclusions\n\nFunctions under Part 1 of the Act are not relevant care functions.\n")
RESPONSE = ("ADCS says child protection services “should not be predicated on a profit motive”, and that "
            "councils must remain accountable.")


def make_case(session):
    doc = documents.create_document(session, slug="example", title="Example Regulations", actor="t")
    documents.create_version(session, doc, text=TEXT, parent=None, author="DfE", message="draft", actor="t")
    adcs = documents.upsert_stakeholder(session, slug="adcs", name="ADCS", kind="professional body", actor="t")
    documents.upsert_stakeholder(session, slug="ncb", name="National Children's Bureau", actor="t")
    documents.put_response(session, doc, slug="adcs", stakeholder=adcs, text=RESPONSE, title="ADCS response",
                           actor="t")
    return doc


def propose(session, doc, slug, new_text, *, base=1, categories=("profit-ban",), citations=(), proposer="adcs"):
    return A.propose(session, doc, A.AmendmentInput(
        slug=slug, title=slug.title(), proposer=proposer, base=base, categories=list(categories),
        new_text=new_text, citations=[A.CitationInput(*c) for c in citations]), actor="t")


BAN = TEXT + "\n### 5. Bodies carried on for profit\n\nA body carried on for profit may not be a party.\n"
NFP = TEXT + "\n### 5. Not-for-profit bodies\n\nOnly not-for-profit bodies or local authorities.\n"
