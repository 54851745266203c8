"""The example requests in api/examples/*.http, parsed: the contract tests check them
against the OpenAPI document and the end-to-end tests send them to a live server."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "api" / "examples"
_REQUEST_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD) (\S+)$")


@dataclass
class Request:
    file: str
    title: str
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


def _requests(path: Path) -> list[Request]:
    text = path.read_text(encoding="utf-8")
    variables = dict(re.findall(r"^@(\w+) = (.*)$", text, re.MULTILINE))
    requests = []
    for block in re.split(r"^###", text, flags=re.MULTILINE)[1:]:
        title, _, rest = block.partition("\n")
        lines = [line for line in rest.split("\n") if not line.startswith("#")]
        while lines and not lines[0].strip():
            lines.pop(0)
        match = _REQUEST_LINE.match(lines[0]) if lines else None
        assert match, f"{path.name}: block {title.strip()!r} does not start with a request line"
        url = re.sub(r"\{\{(\w+)\}\}", lambda m: variables[m.group(1)], match.group(2))
        request = Request(path.name, title.strip(), match.group(1), url)
        body_lines = lines[1:]
        while body_lines and body_lines[0].strip():
            name, _, value = body_lines.pop(0).partition(":")
            request.headers[name.strip().lower()] = re.sub(r"\{\{(\w+)\}\}", lambda m: variables[m.group(1)],
                                                           value.strip())
        body = "\n".join(body_lines).strip()
        if body.startswith("< "):
            body = (path.parent / body[2:].strip()).read_text(encoding="utf-8")
        request.body = body
        requests.append(request)
    return requests


ALL = [r for path in sorted(EXAMPLES.glob("*.http")) for r in _requests(path)]
