"""A small regulation in the drafting format, shared by the CLI tests (on plain files
and on the database)."""

EXAMPLE = """\
# The Example (Relevant Care Functions) (England) Regulations 2014

The Secretary of State makes the following Regulations.

### 1. Citation and commencement

These Regulations may be cited as the Example Regulations 2014.

### 3. Delegation of relevant care functions

(1) The following functions are to be treated as being relevant care functions—

- (a) social services functions so far as they relate to children;
- (b) functions under section 10 of the Children Act 2004.

(2) A local authority may delegate a relevant care function to any person.

### 4. Review

The Secretary of State must review these Regulations before 1st July 2019.
"""

# The worked case's categories (drafts/children-social-care-delegation/document.yaml), which
# the API's and the pages' example documents declare too.
CATEGORIES = [{"slug": slug, "title": title} for slug, title in (
    ("profit-ban", "Profit-making bodies barred"), ("scoped-pilot", "Delegation as a scoped pilot"),
    ("inspection-duty", "Inspection of delegated bodies"), ("accountability", "Accountability stays with the council"),
    ("standards", "Standards and qualifications"), ("contracts", "Contracts and their terms"),
    ("cross-boundary", "Work across council boundaries"), ("consultation", "Consultation before delegating"),
    ("review", "Review of the regulations"))]
