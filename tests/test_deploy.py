"""The Kubernetes deployment in deploy/ parses and agrees with pcp's own team server and package.

No cluster runs here: these check what can be checked without one. The Helm values and the one-off Job are
valid YAML; each person's server runs the command ``pcp team``'s spawner runs, with the same sign-in rules
``pcp team init`` writes; the database URLs and passwords come from Secrets, never from the files; the image's
JupyterHub is one pcp accepts; the Job runs the image the Hub starts.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from pcp_widgets.team import hub_config

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def job() -> dict:
    return yaml.safe_load((DEPLOY / "pcp-command.yaml").read_text(encoding="utf-8"))


def _settings(block: str, section: str) -> dict:
    """``c.SECTION.name = value`` lines of a jupyterhub_config text, with their values (numbers, text, booleans)."""
    found = {}
    for name, value in re.findall(rf"^c\.{section}\.(\w+) = (.+?)(?:\s+#.*)?$", block, flags=re.MULTILINE):
        if re.fullmatch(r"[\d\s*.]+", value):
            found[name] = eval(value, {"__builtins__": {}})  # noqa: S307 - digits, dots, spaces and * only
        elif value in ("True", "False"):
            found[name] = value == "True"
        elif value.startswith('"'):
            found[name] = value.strip('"')
    return found


def test_each_persons_server_runs_the_command_pcp_teams_spawner_runs(values):
    from pcp_widgets.team.spawner import PcpSpawner

    spawner_command = PcpSpawner().cmd  # the interpreter, then the module
    assert values["singleuser"]["cmd"][1:] == spawner_command[1:] == ["-m", "pcp_widgets.team.singleuser"]
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert f'CMD {str(values["singleuser"]["cmd"]).replace(chr(39), chr(34))}' in dockerfile


def test_the_hub_signs_people_in_as_pcp_team_init_does(values):
    config = values["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] == _settings(hub_config.NATIVE, "JupyterHub")[
        "authenticator_class"] == "native"
    assert config["NativeAuthenticator"] == _settings(hub_config.NATIVE, "NativeAuthenticator")
    header = _settings(hub_config.HEADER, "JupyterHub")
    for name in ("cookie_max_age_days", "oauth_token_expires_in", "allow_named_servers"):
        assert config["JupyterHub"][name] == header[name], name
    assert values["cull"]["timeout"] == 20 * 60 == int(values["singleuser"]["extraEnv"]["PCP_IDLE_MINUTES"]) * 60


def test_database_urls_and_passwords_come_from_secrets_not_from_the_files(values, job):
    assert values["singleuser"]["extraEnv"]["PCP_DB"] == {
        "valueFrom": {"secretKeyRef": {"name": "pcp-database", "key": "url"}}}
    assert values["hub"]["extraEnv"]["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "pcp-hub-database"
    assert "password" not in values["hub"]["db"] and ":" not in values["hub"]["db"]["url"].split("@")[0].split("//")[1]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["env"] == [{"name": "PCP_DB", "valueFrom": {"secretKeyRef": {"name": "pcp-database",
                                                                                   "key": "url"}}}]
    assert values["singleuser"]["storage"]["type"] == "none"  # nothing of a person's is kept in the pod


def test_the_job_runs_the_image_the_hub_starts_as_the_same_unprivileged_account(values, job):
    image = values["singleuser"]["image"]
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == f"{image['name']}:{image['tag']}"
    assert container["command"] == ["pcp"]
    assert pod["securityContext"]["runAsUser"] == values["singleuser"]["uid"] == 1000
    assert "USER 1000:100" in (DEPLOY / "Dockerfile").read_text(encoding="utf-8")


def test_the_images_jupyterhub_is_one_pcp_accepts():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    version = re.search(r"^ARG JUPYTERHUB_VERSION=(\S+)$", dockerfile, flags=re.MULTILINE)[1]
    project = tomllib.loads((DEPLOY.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (wanted,) = [Requirement(d) for d in project["dependencies"] if Requirement(d).name == "jupyterhub"]
    assert wanted.specifier.contains(version), (version, str(wanted.specifier))
    assert "--editable \"/opt/pcp[postgres]\"" in dockerfile  # the pages are served from the installed copy
