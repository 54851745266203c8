import pytest

from regdraft.core.anchors import find_quote
from regdraft.core.errors import QuoteNotFound

RESPONSE = ("The ADCS response says these services “should not be predicated on a profit motive”.\n\n"
            "It adds that   councils\nshould keep ‘accountability’. It says the services should not be "
            "predicated on a profit motive again.")


def test_exact_quote_is_found_with_context():
    a = find_quote(RESPONSE, "should not be predicated on a profit motive")
    assert RESPONSE[a.start:a.end] == "should not be predicated on a profit motive"
    assert a.exact and a.prefix.endswith("services “") and a.suffix.startswith("”.")


def test_whitespace_and_quote_marks_may_differ():
    a = find_quote(RESPONSE, "councils should keep 'accountability'")
    assert RESPONSE[a.start:a.end] == "councils\nshould keep ‘accountability’"
    assert not a.exact


def test_other_differences_are_not_tolerated():
    for wrong in ("should not be predicated on profit", "Councils should keep", "accountable"):
        with pytest.raises(QuoteNotFound):
            find_quote(RESPONSE, wrong)


def test_context_picks_the_right_occurrence():
    first = find_quote(RESPONSE, "should not be predicated on a profit motive")
    second = find_quote(RESPONSE, "should not be predicated on a profit motive", prefix="It says the services ")
    assert second.start > first.start


def test_empty_quote_is_refused():
    with pytest.raises(QuoteNotFound, match="empty"):
        find_quote(RESPONSE, "  ")
