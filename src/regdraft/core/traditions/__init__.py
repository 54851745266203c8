"""Drafting traditions: each document kind's units, numbering, ids and labels, as data.

``KINDS`` lists the kinds; :func:`tradition` gives one kind's :class:`Tradition`.
:func:`label_to_id` reads a label as a drafter cites it (``section 1(2)(a)``,
``paragraph 2(1) of Schedule 1``, ``§ 1005.2(a)(1)``, ``point (a) of Article 3(2)``) and
gives the id the parser gives that unit; :func:`id_to_label` goes the other way.
"""

from __future__ import annotations

import re
from functools import lru_cache

from regdraft.core.traditions import eu_act, uk_act, uk_si, us_cfr
from regdraft.core.traditions.model import NUMBERING, Defined, Headed, Level, Tradition

__all__ = ["KINDS", "DEFAULT_KIND", "KIND_NAMES", "Headed", "Level", "Tradition", "tradition", "label_to_id", "id_to_label",
           "id_number", "slug", "unit_label", "unit_id", "cross_heading_id", "cross_heading_label", "section_label"]

_TRADITIONS = {t.kind: t for t in (uk_si.TRADITION, uk_act.TRADITION, us_cfr.TRADITION, eu_act.TRADITION)}
KINDS: tuple[str, ...] = tuple(_TRADITIONS)
DEFAULT_KIND = "uk-si"
KIND_NAMES = {kind: t.name for kind, t in _TRADITIONS.items()}
"""What each kind is called on the pages: each tradition's own name."""
PREAMBLE_LABEL = "the preamble"


def tradition(kind: str) -> Tradition:
    """The tradition of ``kind``; ``ValueError`` naming the known kinds for any other."""
    try:
        return _TRADITIONS[kind]
    except KeyError:
        raise ValueError(f"unknown document kind {kind!r}: expected one of {', '.join(KINDS)}") from None


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(words: str) -> str:
    """Lower-case words joined by hyphens: an unnumbered section's id."""
    return _SLUG.sub("-", words.lower()).strip("-")


@lru_cache(maxsize=4096)
def id_number(number: str) -> str:
    """A number as an id spells it: lower case, no italics, full stops as hyphens."""
    return number.strip("*").lower().replace(".", "-")


def unit_id(unit: Headed, number: str, container_id: str = "", **groups: str) -> str:
    if not number and unit.unnumbered_id:
        return unit.unnumbered_id
    return unit.id.format(number=id_number(number), container=container_id,
                          **{k: id_number(v) for k, v in groups.items()})


def unit_label(unit: Headed, number: str, container_label: str = "", **groups: str) -> str:
    """The unit's own label, without a holder's suffix (``paragraph 2``)."""
    if not number and unit.unnumbered_label:
        return unit.unnumbered_label
    return unit.label.format(number=number, container=container_label, **groups)


def section_label(heading: str) -> str:
    """The label of an unnumbered section (``## Explanatory note``: ``the explanatory note``)."""
    return "the " + (heading[:1].lower() + heading[1:] if heading else "section")


def cross_heading_id(heading: str, container_id: str) -> str:
    own = "xh-" + (slug(heading) or "cross-heading")
    return f"{container_id}-{own}" if container_id else own


def cross_heading_label(heading: str, container_label: str) -> str:
    own = f"the cross-heading “{heading}”"
    return f"{own} in {container_label}" if container_label else own


# --- Reading labels back -------------------------------------------------------------

_SUBDIVISIONS = r"(?P<subs>(?:\([^()\s]+\))*)"
_SUB = re.compile(r"\(([^()\s]+)\)")


def _template_pattern(template: str, groups: set[str]) -> str:
    """A label or id template as a regular expression with a named group per field."""
    out, pos = [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        out.append(re.escape(template[pos:m.start()]))
        name = m.group(1)
        groups.add(name)
        out.append(f"(?P<{name}>.+)" if name == "container" else rf"(?P<{name}>[^\s()]+?)")
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return "".join(out)


def label_to_id(label: str, kind: str = DEFAULT_KIND) -> str | None:
    """The id of the unit that ``label`` names in a text of ``kind``, or ``None`` when
    the label is not one the tradition writes."""
    t = tradition(kind)
    label = " ".join(label.split())
    changed = True
    while changed:
        changed = False
        for pattern, replacement in t.inline_labels.items():
            new = re.sub(pattern, replacement, label, flags=re.IGNORECASE)
            if new != label:
                label, changed = new, True
    if label == PREAMBLE_LABEL:
        return "preamble"
    if t.recital is not None and (m := re.fullmatch(_template_pattern(t.recital_label, set()), label)):
        return t.recital_id.format(number=id_number(m.group("number")))
    for unit in t.headed:
        found = _headed_label_to_id(t, unit, label)
        if found is not None:
            return found
    if t.definitions is not None and (found := _definition_label_to_id(t, label, kind)) is not None:
        return found or None  # "": a definition's label, in a container that is not one
    if t.cross_heading and (m := re.fullmatch(r"the cross-heading “(?P<heading>[^”]*)”(?: in (?P<container>.+))?",
                                               label)):
        container = label_to_id(m.group("container"), kind) if m.group("container") else ""
        return None if container is None else cross_heading_id(m.group("heading"), container)
    if label.startswith("the ") and len(label) > 4:
        return slug(label[4:]) or None
    return None


def _headed_label_to_id(t: Tradition, unit: Headed, label: str) -> str | None:
    if not label:
        return None
    if unit.unnumbered_label and label == unit.unnumbered_label:
        return unit.unnumbered_id
    groups: set[str] = set()
    own = _template_pattern(unit.label, groups)
    if unit.holds:
        own += _SUBDIVISIONS + _template_pattern(unit.suffix, groups)
    m = re.fullmatch(own, label)
    if m is None:
        return None
    container_id = ""
    if "container" in groups:
        container_id = _container_id(t, unit, m.group("container"))
        if container_id is None:
            return None
    extra = {g: m.group(g) for g in groups if g not in ("number", "container")}
    found = unit_id(unit, m.group("number"), container_id, **extra)
    if unit.holds:
        found += "".join("-" + id_number(n) for n in _SUB.findall(m.group("subs")))
    return found


def _definition_label_to_id(t: Tradition, label: str, kind: str) -> str | None:
    """``the definition of “Term” in § 457.103``, or a paragraph of it; ``""`` for a
    definition's label whose container names no unit, ``None`` for another label."""
    d = t.definitions
    for template, prefix in ((d.label, ""), (d.suffix, re.escape(d.subdivision) + r"(?P<subs>(?:\([^()\s]+\))+)")):
        pattern = prefix + _template_pattern(template, set()).replace(r"(?P<term>[^\s()]+?)", r"(?P<term>[^”]+)")
        m = re.fullmatch(pattern, label)
        if m is None:
            continue
        container = label_to_id(m.group("container"), kind)
        if container is None:
            return ""
        subs = m.groupdict().get("subs") or ""
        return definition_id(d, m.group("term"), container) + "".join("-" + id_number(n) for n in _SUB.findall(subs))
    return None


def definition_id(d: Defined, term: str, container_id: str) -> str:
    return d.id.format(container=container_id, term=slug(term))


def _container_id(t: Tradition, unit: Headed, container_label: str) -> str | None:
    for outer in t.headed:
        if outer.kind in unit.within:
            found = _headed_label_to_id(t, outer, container_label)
            if found is not None:
                return found
    return None


def id_to_label(provision_id: str, kind: str = DEFAULT_KIND) -> str | None:
    """The label of the unit with ``provision_id``, for ids of numbered units (not an
    unnumbered section's, whose id is its heading slugged); ``None`` if not one."""
    t = tradition(kind)
    if provision_id == "preamble":
        return PREAMBLE_LABEL
    if t.recital is not None and (m := re.fullmatch(_template_pattern(t.recital_id, set()), provision_id)):
        return t.recital_label.format(number=m.group("number"))
    for unit in t.headed:
        found = _headed_id_to_label(t, unit, provision_id)
        if found is not None:
            return found
    return None


def _spelled(number: str, unit: Headed) -> str:
    """A number from an id as the unit's label writes it."""
    if unit.numbering in ("upper-roman", "upper"):
        return number.upper()
    if "." in unit.label or unit.id.startswith("s{"):  # a CFR section: 1005-2 is § 1005.2
        return number.replace("-", ".")
    return re.sub(r"[a-z]+$", lambda m: m.group().upper(), number)


def _headed_id_to_label(t: Tradition, unit: Headed, provision_id: str) -> str | None:
    if unit.unnumbered_id and provision_id == unit.unnumbered_id:
        return unit.unnumbered_label
    groups: set[str] = set()
    own = _template_pattern(unit.id, groups).replace(r"(?P<number>[^\s()]+?)", r"(?P<number>[0-9]+(?:-[0-9]+[a-z]*)?)"
                                                     if unit.id.startswith("s{") else r"(?P<number>[0-9a-z]+)")
    rest = r"(?P<subs>(?:-[0-9a-z]+)*)" if unit.holds else ""
    m = re.fullmatch(own + rest, provision_id)
    if m is None:
        return None
    container_label = ""
    if "container" in groups:
        container_label = next((found for outer in t.headed if outer.kind in unit.within
                                for found in [_headed_id_to_label(t, outer, m.group("container"))] if found), None)
        if container_label is None:
            return None
    extra = {g: _spelled(m.group(g), unit) for g in groups if g not in ("number", "container")}
    label = unit_label(unit, _spelled(m.group("number"), unit), container_label, **extra)
    if unit.holds:
        subs = [s for s in m.group("subs").split("-") if s]
        label += "".join(f"({n})" for n in _spelled_subdivisions(t.levels.get(unit.kind, ()), subs))
        label += unit.suffix.format(container=container_label)
    return label


def _spelled_subdivisions(levels: tuple[Level, ...], numbers: list[str]) -> list[str]:
    """Subdivision numbers from an id, in the case each one's level writes them."""
    out, at = [], 0
    for number in numbers:
        for k in range(at, len(levels)):
            styles = levels[k].numbering
            if any(re.fullmatch(NUMBERING[s].replace(r"\*", ""), n) for s in styles
                   for n in (number, number.upper())):
                spelled = number.upper() if any(s in ("upper", "upper-roman") for s in styles) else number
                if "arabic" in styles:
                    spelled = re.sub(r"[a-z]+$", lambda m: m.group().upper(), number)
                out.append(spelled)
                at = k + 1
                break
        else:
            out.append(number)
            at += 1
    return out
