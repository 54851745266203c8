"""Drafting traditions: each document kind's units, numbering, ids and labels, as data.

``KINDS`` lists the kinds; :func:`tradition` gives one kind's :class:`Tradition`.
:func:`label_to_id` reads a label as a drafter cites it (``section 1(2)(a)``,
``paragraph 2(1) of Schedule 1``, ``§ 1005.2(a)(1)``, ``point (a) of Article 3(2)``) and
gives the id the parser gives that unit; :func:`id_to_label` goes the other way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
    """A number as an id spells it: lower case, no italics, full stops and brackets as
    hyphens (``1005.2``: ``1005-2``; an interpretation's ``2(a)(1)``: ``2-a-1``)."""
    number = number.replace("*", "").lower().replace(".", "-")
    if "(" in number:
        number = number.replace(")(", "-").replace("(", "-").replace(")", "")
    return number


def _template(template: str, container: str, within_optional: bool, joined: str) -> str:
    """An optional container's template without its container part when there is none."""
    return template.replace(joined, "") if within_optional and not container else template


def unit_id(unit: Headed, number: str, container_id: str = "", **groups: str) -> str:
    if not number and unit.unnumbered_id:
        return unit.unnumbered_id
    template = _template(unit.id, container_id, unit.within_optional, "{container}-")
    if not groups:
        return template.format(number=id_number(number), container=container_id)
    return template.format(number=id_number(number), container=container_id,
                           **{k: id_number(v) for k, v in groups.items()})


def unit_label(unit: Headed, number: str, container_label: str = "", **groups: str) -> str:
    """The unit's own label, without a holder's suffix (``paragraph 2``)."""
    if not number and unit.unnumbered_label:
        return unit.unnumbered_label
    template = _template(unit.label, container_label, unit.within_optional, " of {container}")
    return template.format(number=number, container=container_label, **groups)


def subdivision_base(unit: Headed, label: str, suffix: str) -> tuple[str, str]:
    """What a holder's subdivisions' labels start and end with: its own label and suffix
    (``regulation 3`` … ``""``), or its :attr:`Headed.subdivisions_cited` form
    (``point `` … `` of Annex I``)."""
    if not unit.subdivisions_cited:
        return label, suffix
    before, _, after = unit.subdivisions_cited.partition("{subdivisions}")
    return before.format(label=label), after.format(label=label) + suffix


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

@lru_cache(maxsize=64)
def _subdivisions_pattern(cited_forms: tuple[str, ...]) -> re.Pattern:
    """The run of subdivision numbers in a label, each written in one of its levels'
    forms (``(2)(a)``, ``-1.ii``, ``1(a)``), one group per form."""
    alternatives = []
    for form in dict.fromkeys(cited_forms):
        before, _, after = form.partition("{number}")
        alternatives.append(re.escape(before) + r"([^()\s.\-]+)" + re.escape(after))
    return re.compile("|".join(alternatives))


def _subdivisions_of(t: Tradition, unit: Headed) -> tuple[str, re.Pattern]:
    forms = tuple(level.cited for level in t.levels.get(unit.kind, ())) or ("({number})",)
    pattern = _subdivisions_pattern(forms)
    return rf"(?P<subs>(?:{pattern.pattern})*)", pattern


def _subdivision_numbers(pattern: re.Pattern, subs: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in pattern.finditer(subs)]


def _template_pattern(template: str, groups: set[str], number: str = "", container: str = ".+") -> str:
    """A label or id template as a regular expression with a named group per field."""
    out, pos = [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        out.append(re.escape(template[pos:m.start()]))
        name = m.group(1)
        groups.add(name)
        if name == "container":
            out.append(f"(?P<container>{container})")
        elif name == "number" and number:
            out.append(f"(?P<number>{number})")
        elif name == "number":
            out.append(r"(?P<number>[^\s()]+?)")
        else:  # a part's number in an appendix's id: one word
            out.append(rf"(?P<{name}>[^\s()\-]+?)")
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
    return _first_found(_with_container_optional(unit, unit.label, " of {container}"),
                        lambda template: _label_to_id_by(t, unit, template, label))


def _with_container_optional(unit: Headed, template: str, container_part: str) -> list[str]:
    """The unit's template, and without its container where the unit may stand outside one."""
    return [template, template.replace(container_part, "")] if unit.within_optional else [template]


def _first_found(templates: list[str], find: Callable[[str], str | None]) -> str | None:
    for template in templates:
        found = find(template)
        if found is not None:
            return found
    return None


def _label_to_id_by(t: Tradition, unit: Headed, template: str, label: str) -> str | None:
    groups: set[str] = set()
    own = _template_pattern(template, groups, unit.number_form)
    if unit.holds:
        subs, sub_pattern = _subdivisions_of(t, unit)
        if unit.subdivisions_cited:
            # The holder by its own label, or its subdivisions cited around it (the
            # holder's label there in groups of their own, named again_…).
            again = own.replace("(?P<", "(?P<again_")
            if unit.unnumbered_label:
                again = f"(?:{again}|{re.escape(unit.unnumbered_label)})"
            cited = re.escape(unit.subdivisions_cited).replace(re.escape("{label}"), again).replace(
                re.escape("{subdivisions}"), f"(?P<subs>(?:{sub_pattern.pattern})+)")
            own = f"(?:(?P<alone>{own})|{cited})"
        else:
            own += subs + _template_pattern(unit.suffix, groups)
    m = re.fullmatch(own, label)
    if m is None:
        return None
    values = m.groupdict()
    if unit.subdivisions_cited and values.get("alone") is None:
        values = {k.removeprefix("again_"): v for k, v in values.items() if k.startswith("again_")} | {
            "subs": values["subs"]}
    container_id = ""
    if "container" in groups:
        container_id = _container_id(t, unit, values["container"])
        if container_id is None:
            return None
    extra = {g: values[g] for g in groups if g not in ("number", "container")}
    found = unit_id(unit, values.get("number") or "", container_id, **extra)
    if unit.holds and values.get("subs"):
        levels = t.levels.get(unit.kind, ())
        numbers = _subdivision_numbers(sub_pattern, values["subs"])
        found += "".join(_id_form(levels, k).format(number=id_number(n)) for n, k in _placed_numbers(levels, numbers))
    return found


def _definition_label_to_id(t: Tradition, label: str, kind: str) -> str | None:
    """``the definition of “Term” in § 457.103``, or a paragraph of it; ``""`` for a
    definition's label whose container names no unit, ``None`` for another label."""
    d = t.definitions
    for template, prefix in ((d.label, ""), (d.suffix, re.escape(d.subdivision) + r"(?P<subs>(?:\([^()\s]+\))+)")):
        # A term is words: its group is put in by hand, not as a template field's one word.
        pattern = prefix + _template_pattern(template.replace("{term}", "TERM"), set()).replace("TERM",
                                                                                                r"(?P<term>[^”]+)")
        m = re.fullmatch(pattern, label)
        if m is None:
            continue
        container = label_to_id(m.group("container"), kind)
        if container is None:
            return ""
        subs = m.groupdict().get("subs") or ""
        return definition_id(d, m.group("term"), container) + "".join("-" + id_number(n) for n in re.findall(r"\(([^()\s]+)\)", subs))
    return None


def definition_id(d: Defined, term: str, container_id: str) -> str:
    return d.id.format(container=container_id, term=slug(term))
def _id_form(levels: tuple[Level, ...], k: int | None) -> str:
    return levels[k].id_form if k is not None else "-{number}"


def _placed_numbers(levels: tuple[Level, ...], numbers: list[str]) -> list[tuple[str, int | None]]:
    """Each number of a chain with the index of the first level after the one before
    whose numbering it fits (``None`` where none does)."""
    out, at = [], 0
    for number in numbers:
        k = next((k for k in range(at, len(levels))
                  if any(re.fullmatch(NUMBERING[s], number) for s in levels[k].numbering)), None)
        out.append((number, k))
        at = k + 1 if k is not None else at + 1
    return out


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


def _spelled(number: str, unit: Headed, t: Tradition | None = None) -> str:
    """A number from an id as the unit's label writes it."""
    if unit.numbering in ("upper-roman", "upper"):
        return number.upper()
    if unit.spelled_by and t is not None:  # an interpretation's 2-a-1 is 2(a)(1)
        head, *parts = number.split("-")
        return head + "".join(f"({n})" for n, _ in _spelled_subdivisions(t.levels[unit.spelled_by], parts))
    if "." in unit.label or unit.id.startswith("s{"):  # a CFR section: 1005-2 is § 1005.2
        return number.replace("-", ".")
    return re.sub(r"[a-z]+$", lambda m: m.group().upper(), number)


def _headed_id_to_label(t: Tradition, unit: Headed, provision_id: str) -> str | None:
    if unit.unnumbered_id and provision_id == unit.unnumbered_id:
        return unit.unnumbered_label
    return _first_found(_with_container_optional(unit, unit.id, "{container}-"),
                        lambda template: _id_to_label_by(t, unit, template, provision_id))


def _id_to_label_by(t: Tradition, unit: Headed, template: str, provision_id: str) -> str | None:
    if "{container}" not in template:
        return _id_to_label_in(t, unit, template, provision_id, "", "")
    # Each cut at a hyphen may end the container's id (appendix-a-to-part-1005, then
    # a-1-b: neither the shortest nor the longest prefix that an id pattern allows).
    for cut in (m.start() for m in re.finditer("-", provision_id)):
        container_id = provision_id[:cut]
        container_label = next((found for outer in t.headed if outer.kind in unit.within
                                for found in [_headed_id_to_label(t, outer, container_id)] if found), None)
        if container_label is not None:
            found = _id_to_label_in(t, unit, template, provision_id, container_id, container_label)
            if found is not None:
                return found
    return None


def _id_to_label_in(t: Tradition, unit: Headed, template: str, provision_id: str, container_id: str,
                    container_label: str) -> str | None:
    groups: set[str] = set()
    number = unit.number_id_form or (r"[0-9]+(?:-[0-9]+[a-z]*)?" if template.startswith("s{") else r"[0-9a-z]+")
    own = _template_pattern(template, groups, number, container=re.escape(container_id))
    if unit.unnumbered_id and template.startswith(unit.unnumbered_id):
        own = f"(?:{own}|{re.escape(unit.unnumbered_id)})"
    rest = r"(?P<subs>(?:-[0-9a-z]+)*)" if unit.holds else ""
    m = re.fullmatch(own + rest, provision_id)
    if m is None:
        return None
    extra = {g: _spelled(m.group(g), unit) for g in groups if g not in ("number", "container")}
    label = unit_label(unit, _spelled(m.group("number") or "", unit, t), container_label, **extra)
    if unit.holds and m.group("subs"):
        levels = t.levels.get(unit.kind, ())
        spelled = _spelled_subdivisions(levels, [s for s in m.group("subs").split("-") if s])
        if any(k is None for _, k in spelled) and any(level.id_form != "-{number}" for level in levels):
            return None  # not this holder's subdivisions (a CFR comment's are -c1)
        before, after = subdivision_base(unit, label, unit.suffix.format(container=container_label))
        label = before + "".join((levels[k].cited if k is not None else "({number})").format(number=n)
                                 for n, k in spelled) + after
    elif unit.holds:
        label += unit.suffix.format(container=container_label)
    return label


def _spelled_subdivisions(levels: tuple[Level, ...], numbers: list[str]) -> list[tuple[str, int | None]]:
    """Subdivision numbers from an id, in the case each one's level writes them, with
    the index of that level (``None`` where none fits)."""
    out, at = [], 0
    for number in numbers:
        for k in range(at, len(levels)):
            styles = levels[k].numbering
            prefix = levels[k].id_form[1:].partition("{number}")[0]  # "c" for a CFR comment's -c1
            if not number.startswith(prefix):
                continue
            bare = number[len(prefix):]
            if any(re.fullmatch(NUMBERING[s].replace(r"\*", ""), n) for s in styles for n in (bare, bare.upper())):
                spelled = bare.upper() if any(s in ("upper", "upper-roman") for s in styles) else bare
                if "arabic" in styles:
                    spelled = re.sub(r"[a-z]+$", lambda m: m.group().upper(), bare)
                out.append((spelled, k))
                at = k + 1
                break
        else:
            out.append((number, None))
            at += 1
    return out
