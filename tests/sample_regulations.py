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
