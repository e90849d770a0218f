"""diarium installs as one import package, ``diarium``, built from the top-level folders."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import entry_points
from importlib.util import find_spec
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("domain", "cases", "projections", "web")  # diarium.<folder> is <folder>/
OLD_NAMES = set(FOLDERS)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel ``pip install .`` would install, built offline from a copy of the tree."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", "var", ".git", "build", "*.egg-info", "__pycache__", ".*_cache"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation", "--no-deps",
         "-w", str(work / "dist"), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    [built] = (work / "dist").glob("diarium-*.whl")
    return zipfile.ZipFile(built)


def test_only_diarium_lands_at_the_top_of_site_packages(wheel: zipfile.ZipFile) -> None:
    top = {name.split("/")[0] for name in wheel.namelist()}
    assert {t for t in top if not t.endswith(".dist-info")} == {"diarium"}
    assert wheel.read(next(n for n in wheel.namelist() if n.endswith("top_level.txt"))
                      ).decode().split() == ["diarium"]


def test_every_package_folder_and_its_files_are_installed(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for folder in FOLDERS:
        for module in (ROOT / folder).rglob("*.py"):
            if "__pycache__" not in module.parts:
                assert f"diarium/{module.relative_to(ROOT).as_posix()}" in names, module
    for data in ("web/templates/protocol.html", "web/static/protocol.css", "web/labels_sv.toml",
                 "cases/outbound/xsd/ERMS_v3.xsd", "cases/outbound/xsd/mets.xsd"):
        assert f"diarium/{data}" in names


def test_the_package_list_names_every_folder_with_modules() -> None:
    """``pyproject.toml`` lists the packages (a package-dir mapping cannot find them)."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    found = {"diarium." + ".".join(init.parent.relative_to(ROOT).parts)
             for folder in FOLDERS for init in (ROOT / folder).rglob("__init__.py")}
    assert listed == found


def test_no_module_imports_the_old_top_level_names() -> None:
    """``import web`` would work from a checkout and fail once installed: nothing may use it."""
    offenders = []
    for folder in (*FOLDERS, "tests", "bench"):
        for module in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(module.read_text())):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom)
                         and node.level == 0 else [])
                offenders += [f"{module}: {n}" for n in names if n.split(".")[0] in OLD_NAMES]
    assert offenders == []


def test_console_script_and_wsgi_app_resolve() -> None:
    [script] = [e for e in entry_points(group="console_scripts") if e.name == "diarium"]
    assert script.value == "diarium.web.cli.main:main"
    assert callable(script.load())
    wsgi = find_spec("diarium.web.wsgi")  # gunicorn diarium.web.wsgi:app (run in test_gunicorn)
    assert wsgi is not None and wsgi.origin == str(ROOT / "web" / "wsgi.py")
