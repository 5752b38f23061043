"""ARCHITECTURE.md: each app imports only from the apps to its left, the root URLconf included."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORDER = ["dealership", "parts", "service_desk", "workshop", "customer_care", "campaigns"]


def _imported_apps(path: Path) -> set[str]:
    """Every product app a module imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & set(ORDER)
    return found


@pytest.mark.parametrize("app", ORDER)
def test_an_app_imports_only_the_apps_to_its_left(app):
    allowed = set(ORDER[: ORDER.index(app) + 1])
    wrong = {
        str(path.relative_to(ROOT)): sorted(_imported_apps(path) - allowed)
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and _imported_apps(path) - allowed
    }
    assert wrong == {}
