"""The three kinds of file under ``drafts/`` and ``amendments/`` (see ``docs/files.md``):
parsing them into plain dataclasses and writing them back, byte for byte.

Nothing here touches the disk or the database: every function takes the file's
bytes (or text) and the path to name in messages (relative to the root, for example
``amendments/children-social-care-delegation/profit-ban.md``). Every problem is an
:class:`~regdraft.core.errors.InvalidFile` whose message starts ``path:line:``; schema
problems point at the line of the key concerned, or of the mapping that lacks it.

Each kind has exactly one canonical layout, the one the ``serialise_*`` functions
write:

- ``document.yaml``: YAML (``yaml.safe_dump`` in the key order of docs/files.md);
- a response: ``---``, YAML front matter, ``---``, then the normalised text;
- an amendment: ``---``, YAML front matter, ``---``, then ``## Rationale``, a blank
  line, the rationale, a blank line, ``## Patch``, a blank line and the patch text in
  a ``diff-match-patch`` fenced block;
- a version: the normalised text itself.

The parsers accept any YAML that means the same thing (quoting, flow style,
comments), but the text around the front matter must be laid out as above.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import yaml

from regdraft.core.errors import InvalidFile, InvalidPatch, InvalidStructure
from regdraft.core.patching import parse_patch
from regdraft.core.policy import text_problem, url_problem
from regdraft.core.structure import parse_structure
from regdraft.core.traditions import DEFAULT_KIND, KINDS
from regdraft.services.amendments import STATUSES
from regdraft.services.documents import MAX_CATEGORY_CHARS, SLUG

__all__ = [
    "AmendmentFile", "CategoryEntry", "CitationEntry", "DecisionEntry", "DocumentFile", "Lines", "ResponseFile", "StakeholderEntry", "VersionEntry",
    "DOCUMENT_KEYS", "STAKEHOLDER_KEYS", "CATEGORY_KEYS", "VERSION_KEYS", "RESPONSE_KEYS", "AMENDMENT_KEYS", "OPTIONAL_AMENDMENT_KEYS", "CITATION_KEYS", "DECISION_KEYS",
    "PATCH_FENCE", "TIME_FORMAT", "format_time", "is_slug", "parse_time", "version_file_name",
    "parse_document", "serialise_document", "parse_response", "serialise_response",
    "parse_amendment", "serialise_amendment", "parse_version", "serialise_version",
]

DOCUMENT_KEYS = ("slug", "title", "description", "notice", "stakeholders", "versions")
# Keys a document.yaml may leave out: files written before documents had kinds are SIs.
OPTIONAL_DOCUMENT_KEYS = ("kind", "strict", "categories")
STAKEHOLDER_KEYS = ("slug", "name", "kind")
CATEGORY_KEYS = ("slug", "title")
VERSION_KEYS = ("number", "parent", "author", "message", "created", "produced_by")
OPTIONAL_VERSION_KEYS = ("content_hash",)
"""A version's ``content_hash`` may be left out: load computes it from the text."""
RESPONSE_KEYS = ("slug", "stakeholder", "title", "source", "url", "date", "stance", "provenance")
AMENDMENT_KEYS = ("slug", "title", "proposer", "categories", "status", "base_version", "base_hash", "created",
                  "citations")
# Keys an amendment file may leave out: files written before decisions had reasons.
OPTIONAL_AMENDMENT_KEYS = ("decision", "falls_if")
CITATION_KEYS = ("response", "quote")
DECISION_KEYS = ("reason", "by", "at")

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # tab and newline are allowed
_FRONT_MATTER_END = re.compile(r"^---[ \t]*(?:\n|\Z)", re.MULTILINE)
_VERSION_FILE = re.compile(r"^(\d{4,})\.md$")

RATIONALE_HEADING = "## Rationale\n\n"
PATCH_FENCE = "```diff-match-patch\n"
_PATCH_MARK = "\n\n## Patch\n\n" + PATCH_FENCE
_LAYOUT = ("an amendment file is: the front matter between '---' lines, then '## Rationale', a blank line, "
           "the rationale, a blank line, '## Patch', a blank line, and the patch in a ```diff-match-patch block")


# --------------------------------------------------------------------------------------
# The dataclasses
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lines:
    """Where each key of a file's YAML stands, to point messages at the right line.

    Paths are tuples of keys and list indexes: ``("versions", 1, "content_hash")``.
    :meth:`of` falls back to the nearest enclosing item, then to ``start``.
    """

    keys: dict[tuple, int] = field(default_factory=dict)
    nodes: dict[tuple, int] = field(default_factory=dict)
    start: int = 1
    extra: dict[str, int] = field(default_factory=dict)
    """Lines of things outside the YAML: ``rationale``, ``patch`` (the first patch line)."""

    def of(self, *path: Any) -> int:
        if len(path) == 1 and isinstance(path[0], str) and path[0] in self.extra:
            return self.extra[path[0]]
        path = tuple(path)
        while path:
            if path in self.keys:
                return self.keys[path]
            if path in self.nodes:
                return self.nodes[path]
            path = path[:-1]
        return self.start

    def item(self, *path: Any) -> int:
        """The line where the value at ``path`` starts (a list item, a mapping)."""
        path = tuple(path)
        while path:
            if path in self.nodes:
                return self.nodes[path]
            path = path[:-1]
        return self.start


def _no_lines() -> Lines:
    return Lines()


@dataclass
class StakeholderEntry:
    slug: str
    name: str
    kind: str = ""


@dataclass
class CategoryEntry:
    slug: str
    title: str = ""


@dataclass
class VersionEntry:
    number: int
    parent: int | None
    author: str
    message: str
    created: datetime
    content_hash: str | None
    """``None`` where document.yaml leaves it out; the loader fills it in from the text."""
    produced_by: str | None = None


@dataclass
class DocumentFile:
    slug: str
    title: str
    description: str = ""
    notice: str = ""
    kind: str = DEFAULT_KIND
    strict: bool = False
    stakeholders: list[StakeholderEntry] = field(default_factory=list)
    versions: list[VersionEntry] = field(default_factory=list)
    categories: list[CategoryEntry] = field(default_factory=list)
    """What the consultation files amendments under; none: any category will do."""
    path: str = field(default="", compare=False, repr=False)
    lines: Lines = field(default_factory=_no_lines, compare=False, repr=False)


@dataclass
class ResponseFile:
    slug: str
    stakeholder: str
    title: str
    text: str
    source: str = ""
    url: str = ""
    date: str = ""
    stance: str = ""
    provenance: str = ""
    path: str = field(default="", compare=False, repr=False)
    lines: Lines = field(default_factory=_no_lines, compare=False, repr=False)


@dataclass
class CitationEntry:
    response: str
    quote: str


@dataclass
class DecisionEntry:
    """The latest decision on an amendment: why, who, when (its status is the file's)."""

    reason: str
    by: str
    at: datetime


@dataclass
class AmendmentFile:
    slug: str
    title: str
    proposer: str
    categories: list[str]
    status: str
    base_version: int
    base_hash: str
    created: datetime
    patch_text: str
    rationale: str = ""
    citations: list[CitationEntry] = field(default_factory=list)
    decision: DecisionEntry | None = None
    falls_if: list[str] = field(default_factory=list)
    """Slugs of the amendments whose adoption makes this one fall."""
    path: str = field(default="", compare=False, repr=False)
    lines: Lines = field(default_factory=_no_lines, compare=False, repr=False)


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------

def is_slug(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= 80 and SLUG.match(value) is not None


def is_category(value: Any) -> bool:
    """A category's slug: a slug of at most 32 characters (``documents.MAX_CATEGORY_CHARS``)."""
    return is_slug(value) and len(value) <= MAX_CATEGORY_CHARS


def format_time(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC (a naive datetime is taken to be UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime(TIME_FORMAT)


def parse_time(value: str) -> datetime:
    """The inverse of :func:`format_time`; ``ValueError`` for anything else."""
    if not _TIME.match(value):
        raise ValueError(value)
    return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=timezone.utc)


def version_file_name(number: int) -> str:
    return f"{number:04d}.md"


def version_number_of(name: str) -> int | None:
    """The number a file name under ``versions/`` stands for, or ``None``."""
    match = _VERSION_FILE.match(name)
    if match is None or version_file_name(int(match.group(1))) != name or int(match.group(1)) < 1:
        return None
    return int(match.group(1))


def _line_at(text: str, offset: int, first_line: int = 1) -> int:
    return first_line + text.count("\n", 0, offset)


def _decode(path: str, data: bytes | str) -> str:
    """UTF-8 with ``\\n`` line endings and no control characters, or InvalidFile with the line."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        nul = data.find(b"\x00")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if nul != -1 and nul < exc.start:
                raise InvalidFile(path, data.count(b"\n", 0, nul) + 1, "contains a NUL byte") from None
            raise InvalidFile(path, data.count(b"\n", 0, exc.start) + 1,
                              f"not valid UTF-8: byte {data[exc.start:exc.start + 1]!r} at offset {exc.start}"
                              ) from None
    else:
        text = data
    if text.startswith("\ufeff"):
        raise InvalidFile(path, 1, "starts with a byte order mark: save the file as UTF-8 without a BOM")
    carriage = text.find("\r")
    control = _CONTROL.search(text)
    if control is not None and (carriage == -1 or control.start() < carriage):
        char = control.group()
        what = "a NUL byte" if char == "\x00" else f"control character U+{ord(char):04X}"
        raise InvalidFile(path, _line_at(text, control.start()), f"contains {what}")
    if carriage != -1:
        raise InvalidFile(path, _line_at(text, carriage),
                          "contains a carriage return (CRLF line ending?): use \\n line endings")
    return text


def _last_line(text: str, first_line: int) -> int:
    """The line number of the last line of ``text`` (which starts at ``first_line``)."""
    return first_line + text.count("\n") - (1 if text.endswith("\n") and text else 0)


def _check_text(path: str, text: str, first_line: int, what: str) -> None:
    """``text`` must keep the one text policy (``core.policy``), as the API's texts do."""
    problem = text_problem(text)
    if problem is not None:
        raise InvalidFile(path, _line_at(text, problem[0], first_line), f"{what} {problem[1]}")


def _check_normalised(path: str, text: str, first_line: int, what: str) -> None:
    """``text`` must be normalised as docs/drafting-format.md says: NFC, no trailing
    blanks, no leading blank lines, exactly one final newline; and keep the text policy."""
    _check_text(path, text, first_line, what)
    if not text.strip():
        raise InvalidFile(path, first_line, f"{what} is empty")
    if text.startswith("\n"):
        raise InvalidFile(path, first_line, f"{what} starts with a blank line")
    lines = text.split("\n")
    for number, line in enumerate(lines, start=first_line):
        if line.rstrip(" \t") != line:
            raise InvalidFile(path, number, f"{what} is not normalised: trailing spaces or tabs")
        if not unicodedata.is_normalized("NFC", line):
            raise InvalidFile(path, number, f"{what} is not normalised: not in Unicode NFC form")
    if not text.endswith("\n"):
        raise InvalidFile(path, first_line + len(lines) - 1, f"{what} must end with a newline")
    if text.endswith("\n\n"):
        last = len(text.rstrip("\n").split("\n"))
        raise InvalidFile(path, first_line + last, f"{what} ends with blank lines: end it with exactly one newline")


# --------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: ``created: 2014-04-17T00:00:00Z`` stays the
    string the schema checks, quoted or not."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096)


def _load_yaml(path: str, text: str, first_line: int, start: int) -> tuple[Any, Lines]:
    """Parse ``text`` (which begins at line ``first_line`` of the file); ``start`` is the
    line to blame for keys missing from the top-level mapping."""
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        keys: dict[tuple, int] = {}
        nodes: dict[tuple, int] = {}
        if node is not None:
            _index(path, text, node, (), keys, nodes, first_line, set())
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = _line_at(text, mark.index, first_line) if mark is not None else first_line
        problem = ": ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        raise InvalidFile(path, line, f"invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise InvalidFile(path, _line_at(text, exc.position, first_line),
                          f"invalid YAML: character U+{char:04X} is not allowed") from None
    except yaml.YAMLError as exc:
        raise InvalidFile(path, first_line, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise InvalidFile(path, first_line, "invalid YAML: nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, Lines(keys, nodes, start)


def _index(path: str, text: str, node: yaml.Node, at: tuple, keys: dict, nodes: dict, first_line: int,
           seen: set) -> None:
    """Record the line of every key and value; refuse non-scalar keys, repeated keys
    and aliases (which also keeps alias bombs out)."""
    if id(node) in seen:
        raise InvalidFile(path, _line_at(text, node.start_mark.index, first_line),
                          "YAML anchors and aliases are not allowed")
    seen.add(id(node))
    nodes.setdefault(at, _line_at(text, node.start_mark.index, first_line))
    if isinstance(node, yaml.MappingNode):
        names: set[str] = set()
        for key, value in node.value:
            line = _line_at(text, key.start_mark.index, first_line)
            if not isinstance(key, yaml.ScalarNode):
                raise InvalidFile(path, line, "a key must be a plain name")
            if key.value in names:
                raise InvalidFile(path, line, f"{_where(at)}key {key.value!r} appears twice")
            names.add(key.value)
            keys[at + (key.value,)] = line
            _index(path, text, value, at + (key.value,), keys, nodes, first_line, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(path, text, item, at + (i,), keys, nodes, first_line, seen)


_ITEM_NAMES = {"stakeholders": "stakeholder", "versions": "version", "citations": "citation",
               "categories": "category"}


def _where(at: tuple) -> str:
    """A prefix naming a list item, as users count: ``citation 1: ``."""
    for i in range(len(at) - 1, 0, -1):
        if isinstance(at[i], int) and at[i - 1] in _ITEM_NAMES:
            return f"{_ITEM_NAMES[at[i - 1]]} {at[i] + 1}: "
    return ""


class _Schema:
    """Typed access to parsed YAML, each problem reported at its key's line."""

    def __init__(self, path: str, lines: Lines) -> None:
        self.path, self.lines = path, lines

    def fail(self, at: tuple, problem: str, *, item: bool = False) -> InvalidFile:
        line = self.lines.item(*at) if item else self.lines.of(*at)
        return InvalidFile(self.path, line, f"{_where(at)}{problem}")

    def mapping(self, value: Any, at: tuple, expected: tuple[str, ...], what: str,
                optional: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(at, f"{what} must be a mapping with the keys {', '.join(expected)}", item=True)
        for key in value:
            if key not in expected and key not in optional:
                raise self.fail(at + (str(key),), f"unknown key {str(key)!r} in {what} "
                                                  f"(the keys are: {', '.join(expected + optional)})")
        for key in expected:
            if key not in value:
                raise self.fail(at, f"missing key {key!r} in {what}", item=True)
        return value

    def string(self, value: Any, at: tuple, *, required: bool = False) -> str:
        name = at[-1]
        if not isinstance(value, str):
            raise self.fail(at, f"{name} must be a string, not {_type_name(value)}")
        if required and not value.strip():
            raise self.fail(at, f"{name} must not be empty")
        # The one text policy, and for an address the link policy (core.policy), as in the API.
        problem = url_problem(value) if name == "url" and value else (text_problem(value) or (0, None))[1]
        if problem is not None:
            raise self.fail(at, f"{name} {problem}")
        return value

    def choice(self, value: Any, at: tuple, choices: tuple[str, ...]) -> str:
        if value not in choices:
            shown = value if isinstance(value, str) else _type_name(value)
            raise self.fail(at, f"{at[-1]} {shown!r} is not one of {', '.join(choices)}")
        return value

    def boolean(self, value: Any, at: tuple) -> bool:
        if not isinstance(value, bool):
            raise self.fail(at, f"{at[-1]} must be true or false, not {_type_name(value)}")
        return value

    def slug(self, value: Any, at: tuple, *, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if not is_slug(value):
            shown = value if isinstance(value, str) else _type_name(value)
            raise self.fail(at, f"{at[-1]} {shown!r} is not a slug: use 1-80 lower-case letters, digits "
                                f"and single hyphens")
        return value

    def integer(self, value: Any, at: tuple, *, optional: bool = False) -> int | None:
        if value is None and optional:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(at, f"{at[-1]} must be a whole number{' or null' if optional else ''}, "
                                f"not {_type_name(value)}")
        return value

    def time(self, value: Any, at: tuple) -> datetime:
        try:
            if not isinstance(value, str):
                raise ValueError
            return parse_time(value)
        except ValueError:
            shown = value if isinstance(value, str) else _type_name(value)
            raise self.fail(at, f"{at[-1]} {shown!r} is not a time in the form YYYY-MM-DDTHH:MM:SSZ "
                                f"(for example '2014-04-17T00:00:00Z')") from None

    def hash(self, value: Any, at: tuple) -> str:
        if not isinstance(value, str) or not _HASH.match(value):
            shown = value if isinstance(value, str) else _type_name(value)
            raise self.fail(at, f"{at[-1]} {shown!r} is not a SHA-256 hash (64 lower-case hex digits)")
        return value

    def sequence(self, value: Any, at: tuple) -> list:
        if not isinstance(value, list):
            raise self.fail(at, f"{at[-1]} must be a list, not {_type_name(value)}")
        return value


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "a mapping"}.get(type(value), type(value).__name__)


def _split_front_matter(path: str, text: str) -> tuple[str, int, str, int]:
    """(front matter YAML, line of the closing '---', body, line where the body starts)."""
    if not text.startswith("---\n"):
        raise InvalidFile(path, 1, "expected YAML front matter: the file must start with a line '---'")
    end = _FRONT_MATTER_END.search(text, 4)
    if end is None:
        raise InvalidFile(path, 1, "the front matter is not closed: no '---' line after it")
    close_line = _line_at(text, end.start())
    if text[end.start():end.end()].rstrip("\n") != "---":
        raise InvalidFile(path, close_line, "trailing spaces after the closing '---'")
    return text[4:end.start()], close_line, text[end.end():], close_line + 1


def _front_matter(path: str, text: str, keys: tuple[str, ...], what: str,
                  optional: tuple[str, ...] = ()) -> tuple[dict, Lines, str, int]:
    yaml_text, close_line, body, body_line = _split_front_matter(path, text)
    data, lines = _load_yaml(path, yaml_text, 2, 1)
    if data is None:
        raise InvalidFile(path, 1, f"the front matter is empty: {what} needs the keys {', '.join(keys)}")
    schema = _Schema(path, lines)
    schema.mapping(data, (), keys, "the front matter", optional)
    return data, lines, body, body_line


def _front_matter_text(data: dict) -> str:
    return "---\n" + _dump(data) + "---\n"


def _check_name(schema: _Schema, slug: str, expected: str | None, what: str) -> None:
    if expected is not None and slug != expected:
        raise schema.fail(("slug",), f"slug {slug!r} does not match the {what} {expected!r}")


# --------------------------------------------------------------------------------------
# document.yaml
# --------------------------------------------------------------------------------------

def parse_document(path: str, data: bytes | str, *, expected_slug: str | None = None) -> DocumentFile:
    """Parse ``drafts/<document>/document.yaml``; ``expected_slug`` is the folder's name."""
    text = _decode(path, data)
    raw, lines = _load_yaml(path, text, 1, 1)
    schema = _Schema(path, lines)
    if raw is None:
        raise InvalidFile(path, 1, f"the file is empty: a document needs the keys {', '.join(DOCUMENT_KEYS)}")
    schema.mapping(raw, (), DOCUMENT_KEYS, "the document", OPTIONAL_DOCUMENT_KEYS)
    slug = schema.slug(raw["slug"], ("slug",))
    _check_name(schema, slug, expected_slug, "folder name")
    stakeholders = []
    seen: dict[str, int] = {}
    for i, item in enumerate(schema.sequence(raw["stakeholders"], ("stakeholders",))):
        at = ("stakeholders", i)
        schema.mapping(item, at, STAKEHOLDER_KEYS, "a stakeholder")
        entry = StakeholderEntry(slug=schema.slug(item["slug"], at + ("slug",)),
                                 name=schema.string(item["name"], at + ("name",), required=True),
                                 kind=schema.string(item["kind"], at + ("kind",)))
        if entry.slug in seen:
            raise schema.fail(at + ("slug",), f"stakeholder {entry.slug!r} is listed twice "
                                              f"(first as stakeholder {seen[entry.slug] + 1})")
        seen[entry.slug] = i
        stakeholders.append(entry)
    categories: list[CategoryEntry] = []
    for i, item in enumerate(schema.sequence(raw.get("categories", []), ("categories",))):
        at = ("categories", i)
        schema.mapping(item, at, CATEGORY_KEYS, "a category")
        if not is_category(item["slug"]):
            raise schema.fail(at + ("slug",), f"category {item['slug']!r} is not a slug: use 1-32 lower-case "
                                              "letters, digits and single hyphens")
        if any(c.slug == item["slug"] for c in categories):
            raise schema.fail(at + ("slug",), f"category {item['slug']!r} is listed twice")
        categories.append(CategoryEntry(slug=item["slug"], title=schema.string(item["title"], at + ("title",))))
    versions = []
    for i, item in enumerate(schema.sequence(raw["versions"], ("versions",))):
        at = ("versions", i)
        schema.mapping(item, at, VERSION_KEYS, "a version", OPTIONAL_VERSION_KEYS)
        number = schema.integer(item["number"], at + ("number",))
        if number != i + 1:
            raise schema.fail(at + ("number",), f"number {number} is out of sequence: versions are numbered "
                                                f"1, 2, 3... with no gaps, so this one is {i + 1}")
        parent = schema.integer(item["parent"], at + ("parent",), optional=True)
        if parent != (number - 1 if number > 1 else None):
            wanted = "null (it is the first version)" if number == 1 else str(number - 1)
            raise schema.fail(at + ("parent",), f"parent must be {wanted}, not "
                                                f"{'null' if parent is None else parent}")
        produced_by = schema.slug(item["produced_by"], at + ("produced_by",), optional=True)
        if produced_by is not None and number == 1:
            raise schema.fail(at + ("produced_by",), "the first version cannot be produced by an amendment")
        versions.append(VersionEntry(
            number=number, parent=parent, author=schema.string(item["author"], at + ("author",), required=True),
            message=schema.string(item["message"], at + ("message",)),
            created=schema.time(item["created"], at + ("created",)),
            content_hash=(schema.hash(item["content_hash"], at + ("content_hash",)) if "content_hash" in item
                          else None), produced_by=produced_by))
    return DocumentFile(slug=slug, title=schema.string(raw["title"], ("title",), required=True),
                        description=schema.string(raw["description"], ("description",)),
                        notice=schema.string(raw["notice"], ("notice",)),
                        kind=schema.choice(raw.get("kind", DEFAULT_KIND), ("kind",), KINDS),
                        strict=schema.boolean(raw.get("strict", False), ("strict",)),
                        stakeholders=stakeholders, versions=versions, categories=categories, path=path,
                        lines=lines)


def serialise_document(document: DocumentFile) -> str:
    # A default kind and strictness are left out, so files written before documents had
    # kinds export byte for byte as they were.
    declared = {"kind": document.kind} if document.kind != DEFAULT_KIND else {}
    if document.strict:
        declared["strict"] = True
    if document.categories:
        declared["categories"] = [{"slug": c.slug, "title": c.title} for c in document.categories]
    return _dump({
        "slug": document.slug, "title": document.title, "description": document.description,
        "notice": document.notice, **declared,
        "stakeholders": [{"slug": s.slug, "name": s.name, "kind": s.kind} for s in document.stakeholders],
        "versions": [_version_entry(v) for v in document.versions],
    })


def _version_entry(version: VersionEntry) -> dict:
    # A hash left out stays out (load computes it): "null" would not read back as a hash.
    hashed = {"content_hash": version.content_hash} if version.content_hash is not None else {}
    return {"number": version.number, "parent": version.parent, "author": version.author,
            "message": version.message, "created": format_time(version.created), **hashed,
            "produced_by": version.produced_by}


# --------------------------------------------------------------------------------------
# versions/NNNN.md
# --------------------------------------------------------------------------------------

def parse_version(path: str, data: bytes | str, kind: str = DEFAULT_KIND, strict: bool = False) -> str:
    """The text of a version file of a document of ``kind``, which must already be
    normalised (it is what is hashed) and numbered as docs/drafting-format.md says (with
    no structure warnings at all for a ``strict`` document)."""
    text = _decode(path, data)
    _check_normalised(path, text, 1, "the text")
    try:
        parse_structure(text, kind=kind, strict=strict).refuse(("duplicate",))
    except InvalidStructure as exc:
        lines = exc.extra.get("lines") or [None]
        raise InvalidFile(path, lines[-1], exc.message) from None
    return text


def serialise_version(text: str) -> str:
    return text


# --------------------------------------------------------------------------------------
# responses/<response>.md
# --------------------------------------------------------------------------------------

def parse_response(path: str, data: bytes | str, *, expected_slug: str | None = None) -> ResponseFile:
    text = _decode(path, data)
    raw, lines, body, body_line = _front_matter(path, text, RESPONSE_KEYS, "a response")
    schema = _Schema(path, lines)
    slug = schema.slug(raw["slug"], ("slug",))
    _check_name(schema, slug, expected_slug, "file name")
    fields = {key: schema.string(raw[key], (key,), required=key == "title")
              for key in ("title", "source", "url", "date", "stance", "provenance")}
    _check_normalised(path, body, body_line, "the response text")
    return ResponseFile(slug=slug, stakeholder=schema.slug(raw["stakeholder"], ("stakeholder",)), text=body,
                        path=path, lines=Lines(lines.keys, lines.nodes, lines.start, {"text": body_line}),
                        **fields)


def serialise_response(response: ResponseFile) -> str:
    return _front_matter_text({
        "slug": response.slug, "stakeholder": response.stakeholder, "title": response.title,
        "source": response.source, "url": response.url, "date": response.date, "stance": response.stance,
        "provenance": response.provenance,
    }) + response.text


# --------------------------------------------------------------------------------------
# amendments/<document>/<amendment>.md
# --------------------------------------------------------------------------------------

def parse_amendment(path: str, data: bytes | str, *, expected_slug: str | None = None) -> AmendmentFile:
    text = _decode(path, data)
    raw, lines, body, body_line = _front_matter(path, text, AMENDMENT_KEYS, "an amendment", OPTIONAL_AMENDMENT_KEYS)
    schema = _Schema(path, lines)
    slug = schema.slug(raw["slug"], ("slug",))
    _check_name(schema, slug, expected_slug, "file name")
    title = schema.string(raw["title"], ("title",), required=True)
    proposer = schema.slug(raw["proposer"], ("proposer",))
    categories = []
    items = schema.sequence(raw["categories"], ("categories",))
    if not items:
        raise schema.fail(("categories",), "categories is empty: give one or more of the categories its "
                                           "document.yaml lists")
    for i, category in enumerate(items):
        at = ("categories", i)
        if not is_category(category):
            raise schema.fail(at, f"{category!r} is not a category: use 1-32 lower-case letters, digits and "
                                  "single hyphens", item=True)
        if category in categories:
            raise schema.fail(at, f"{category!r} is repeated", item=True)
        categories.append(category)
    status = raw["status"]
    if status not in STATUSES:
        raise schema.fail(("status",), f"status {status!r} is not one of: {', '.join(STATUSES)}")
    base_version = schema.integer(raw["base_version"], ("base_version",))
    if base_version < 1:
        raise schema.fail(("base_version",), f"base_version {base_version} is not a version number (1 or more)")
    citations = []
    for i, item in enumerate(schema.sequence(raw["citations"], ("citations",))):
        at = ("citations", i)
        schema.mapping(item, at, CITATION_KEYS, "a citation")
        quote = schema.string(item["quote"], at + ("quote",), required=True)
        citations.append(CitationEntry(response=schema.slug(item["response"], at + ("response",)), quote=quote))
    decision = None
    if "decision" in raw:
        schema.mapping(raw["decision"], ("decision",), DECISION_KEYS, "a decision")
        decision = DecisionEntry(reason=schema.string(raw["decision"]["reason"], ("decision", "reason")),
                                 by=schema.string(raw["decision"]["by"], ("decision", "by"), required=True),
                                 at=schema.time(raw["decision"]["at"], ("decision", "at")))
    falls_if = []
    for i, other in enumerate(schema.sequence(raw.get("falls_if", []), ("falls_if",))):
        other = schema.slug(other, ("falls_if", i))
        if other == slug or other in falls_if:
            raise schema.fail(("falls_if", i), f"{other!r} is {'the amendment itself' if other == slug else 'repeated'}",
                              item=True)
        falls_if.append(other)
    rationale, rationale_line, patch_text, patch_line = _amendment_body(path, body, body_line)
    return AmendmentFile(
        slug=slug, title=title, proposer=proposer, categories=categories, status=status,
        base_version=base_version, base_hash=schema.hash(raw["base_hash"], ("base_hash",)),
        created=schema.time(raw["created"], ("created",)), patch_text=patch_text, rationale=rationale,
        citations=citations, decision=decision, falls_if=falls_if, path=path,
        lines=Lines(lines.keys, lines.nodes, lines.start, {"rationale": rationale_line, "patch": patch_line}))


def _amendment_body(path: str, body: str, body_line: int) -> tuple[str, int, str, int]:
    """(rationale, its first line, patch text, its first line) from the text after the
    front matter, which must be laid out exactly as :func:`serialise_amendment` writes it."""
    if not body.startswith(RATIONALE_HEADING):
        first = body.split("\n", 1)[0]
        if first == "":
            problem = "expected '## Rationale' right after the closing '---' (no blank line between)"
        elif first.rstrip() == "## Rationale":
            problem = "expected a blank line after '## Rationale'"
        else:
            problem = f"expected '## Rationale', found {first[:40]!r}"
        raise InvalidFile(path, body_line, f"{problem}; {_LAYOUT}")
    rationale_line = body_line + 2
    mark = body.rfind(_PATCH_MARK)
    if mark < len(RATIONALE_HEADING) - 2:
        heading = re.search(r"^##\s*Patch\s*$", body, re.MULTILINE)
        if heading is not None:
            raise InvalidFile(path, _line_at(body, heading.start(), body_line),
                              f"the patch block is not laid out as expected; {_LAYOUT}")
        fence = body.find("```diff-match-patch")
        if fence != -1:
            raise InvalidFile(path, _line_at(body, fence, body_line),
                              f"the patch block needs a '## Patch' heading before it; {_LAYOUT}")
        raise InvalidFile(path, _last_line(body.rstrip("\n"), body_line), f"patch block missing: {_LAYOUT}")
    if mark < len(RATIONALE_HEADING):
        raise InvalidFile(path, rationale_line, f"expected a blank line between the rationale and '## Patch'; "
                                                f"{_LAYOUT}")
    rationale = body[len(RATIONALE_HEADING):mark]
    if rationale != rationale.strip():
        raise InvalidFile(path, rationale_line, "the rationale must not start or end with blank lines or spaces")
    _check_text(path, rationale, rationale_line, "the rationale")
    start = mark + len(_PATCH_MARK)
    patch_line = _line_at(body, start, body_line)
    rest = body[start:]
    fence = re.search(r"^```", rest, re.MULTILINE)
    if fence is None:
        raise InvalidFile(path, _last_line(body, body_line),
                          "the ```diff-match-patch block is not closed: end it with a line '```'")
    fence_line = _line_at(rest, fence.start(), patch_line)
    closing = rest[fence.start():]
    if not closing.startswith("```\n") and closing != "```":
        found = closing.split("\n", 1)[0][:40]
        raise InvalidFile(path, fence_line, f"expected the closing line '```', found {found!r}")
    if closing == "```":
        raise InvalidFile(path, fence_line, "the file must end with a newline after the closing '```'")
    if closing != "```\n":
        raise InvalidFile(path, fence_line + 1, "unexpected text after the patch block: the file must end with "
                                                "the closing '```'")
    patch_text = rest[:fence.start()]
    try:
        patch = parse_patch(patch_text)
    except InvalidPatch as exc:
        line = exc.extra.get("line")
        raise InvalidFile(path, patch_line + line - 1 if line else patch_line, exc.message) from None
    if patch.text != patch_text:
        canonical, given = patch.text.split("\n"), patch_text.split("\n")
        n = next((i for i, (a, b) in enumerate(zip(canonical, given)) if a != b), min(len(canonical), len(given)))
        want = canonical[n] if n < len(canonical) else "(end of patch)"
        raise InvalidFile(path, patch_line + n,
                          f"patch text is not in canonical form (as diff-match-patch's patch_toText writes it): "
                          f"expected {want[:60]!r} here")
    return rationale, rationale_line, patch_text, patch_line


def serialise_amendment(amendment: AmendmentFile) -> str:
    # A decision and falls_if are written only when there are any, so files of
    # amendments never decided read as they did before decisions had reasons.
    decided = {"decision": {"reason": amendment.decision.reason, "by": amendment.decision.by,
                            "at": format_time(amendment.decision.at)}} if amendment.decision else {}
    falls = {"falls_if": list(amendment.falls_if)} if amendment.falls_if else {}
    front = _front_matter_text({
        "slug": amendment.slug, "title": amendment.title, "proposer": amendment.proposer,
        "categories": list(amendment.categories), "status": amendment.status, **decided, **falls,
        "base_version": amendment.base_version, "base_hash": amendment.base_hash,
        "created": format_time(amendment.created),
        "citations": [{"response": c.response, "quote": c.quote} for c in amendment.citations],
    })
    return front + RATIONALE_HEADING + amendment.rationale + _PATCH_MARK + amendment.patch_text + "```\n"
