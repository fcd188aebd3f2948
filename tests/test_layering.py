"""The layout keeps its promises (DESIGN §6, CONTRIBUTING.md): no import hidden in a function to
dodge a cycle, no module past the size guide, and the layers as import-linter checks them."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sosa_portal", "partners", "requests_app")
# Data tables may be long (STYLE.md); migrations are generated.
LONG_ALLOWED = {"requests_app/demo_data.py"}
LINE_GUIDE = 440


def project_modules() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def imports_a_project_module(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative: always this project
            return True
        names = [node.module or ""]
    else:
        names = [alias.name for alias in node.names]
    return any(name.split(".")[0] in PACKAGES for name in names)


def hidden_imports(path: Path, root: Path = ROOT) -> list[str]:
    """Project imports inside a function body, but AppConfig.ready's wiring."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if function.name == "ready" and path.name == "apps.py":
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom) and imports_a_project_module(node):
                found.append(f"{path.relative_to(root)}:{node.lineno} in {function.name}()")
    return found


def test_no_project_import_hides_in_a_function_body():
    hidden = [place for path in project_modules() for place in hidden_imports(path)]
    assert hidden == []


def test_the_check_sees_an_import_hidden_in_a_function_but_not_apps_ready(tmp_path):
    module = tmp_path / "example.py"
    module.write_text("def f():\n    from requests_app import services\n    import json\n")
    assert hidden_imports(module, root=tmp_path) == ["example.py:2 in f()"]
    apps = tmp_path / "apps.py"
    apps.write_text("def ready(self):\n    from . import signals\n")
    assert hidden_imports(apps, root=tmp_path) == []


def test_no_project_module_passes_the_size_guide_but_data_tables():
    long = {
        str(path.relative_to(ROOT)): length
        for path in project_modules()
        if (length := len(path.read_text().splitlines())) > LINE_GUIDE
    }
    assert set(long) <= LONG_ALLOWED, long


def test_partners_and_lib_know_nothing_of_requests():
    offenders = []
    for path in project_modules():
        relative = path.relative_to(ROOT)
        if relative.parts[0] != "partners" and relative.parts[:2] != ("sosa_portal", "lib"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("requests_app"):
                offenders.append(f"{relative}:{node.lineno}")
            if isinstance(node, ast.Import) and any(
                alias.name.startswith("requests_app") for alias in node.names
            ):
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize(
    "module",
    [
        "requests_app.models",
        "requests_app.services",
        "requests_app.queries.lists",
        "partners.people",
    ],
)
def test_each_layer_imports_on_its_own_in_a_fresh_process(module):
    """No import order holds a cycle together: each module imports first in a new interpreter."""
    code = f"import django; django.setup(); import {module}"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "sosa_portal.settings", "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_import_linter_keeps_every_contract():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout
