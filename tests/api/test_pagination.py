"""Every list endpoint pages with ``offset``/``limit``: out-of-range values are 422
problems naming the parameter, and pages walked in order cover the list once."""

from .support import V1, problem

LISTS = ["/api/documents", "/api/documents/{doc}/versions", "/api/documents/{doc}/amendments",
         "/api/documents/{doc}/responses", "/api/documents/{doc}/stakeholders", "/api/events"]


BAD_PAGES = [({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"offset": -1}, "offset"),
             ({"limit": "ten"}, "limit")]


def test_pages_are_bounded_and_filtered_pages_cover_the_list_once(example):
    for path in LISTS:
        for params, field in BAD_PAGES:
            body = problem(example.client.get(path.format(doc=example.doc), params=params), 422, "validation-error")
            assert body["errors"][0]["loc"] == ["query", field], (path, params)

    for n in range(5):
        text = V1.replace("1st July 2019", f"1st July 20{20 + n}")
        assert example.propose(f"review-{n}", text, categories=["accountability"]).status_code == 201
    assert example.propose("other", V1.replace("any person", "a body"), categories=["profit-ban"]).status_code == 201
    seen = []
    for offset in range(0, 6, 2):
        page = example.client.get(example.url("/amendments"),
                                  params={"category": "accountability", "status": "proposed", "offset": offset,
                                          "limit": 2}).json()
        assert page["total"] == 5 and page["offset"] == offset and page["limit"] == 2
        seen += [a["slug"] for a in page["items"]]
    assert seen == [f"review-{n}" for n in range(5)]
