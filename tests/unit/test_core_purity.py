"""The core imports only the standard library, the CommonMark renderers markdown_it and
cmarkgfm, and (in one package) the diff engines diff_match_patch and
fast_diff_match_patch: no web framework, no database."""

import ast
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "src" / "regdraft" / "core"
ALLOWED_THIRD_PARTY = {"markdown_it", "cmarkgfm"}
DIFF_ENGINE = CORE / "patching"
DIFF_LIBRARIES = {"diff_match_patch", "fast_diff_match_patch"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_only_stdlib_commonmark_and_one_diff_engine():
    files = sorted(CORE.rglob("*.py"))
    assert len(files) >= 8, files
    problems = []
    for path in files:
        for name in _imports(path):
            if name in sys.stdlib_module_names or name == "regdraft" or name in ALLOWED_THIRD_PARTY:
                continue
            if name in DIFF_LIBRARIES and path.parent == DIFF_ENGINE:
                continue
            problems.append(f"{path.relative_to(CORE)} imports {name}")
    assert problems == []


def test_core_does_not_reach_outside_itself():
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("regdraft."):
                assert node.module.startswith("regdraft.core"), f"{path.name} imports {node.module}"
