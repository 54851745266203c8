import pytest

from example_case import make_case


@pytest.fixture
def case(session):
    """A document with version 1, stakeholders adcs and ncb, and ADCS's response."""
    return make_case(session)
