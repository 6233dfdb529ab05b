"""``pcp team init`` and the checks of ``pcp team serve`` (issue 16 item 1), on real files and a real store.

The Hub itself, signing in and what each person reaches are in tests/browser/test_hub.py.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader
from traitlets.utils.importstring import import_item

from pcp_widgets.cli import main
from pcp_widgets.errors import ServeError
from pcp_widgets.store import open_store
from pcp_widgets.team import CONFIG_FILE, COOKIE_SECRET_FILE, DATABASE_URL_FILE, init_team
from pcp_widgets.team.singleuser import hub_place
from pcp_widgets.team.spawner import folder_name, shared_settings
from tests.support.serving import free_port
from tests.test_serve import assert_one_sentence, run_pcp


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def hub_config(folder: Path):
    """The configuration JupyterHub would load from the folder (the same loader JupyterHub uses)."""
    return PyFileConfigLoader(CONFIG_FILE, path=str(folder)).load_config()


def run_main(capsys, *args) -> tuple[int, str]:
    """``pcp ARGS`` in this process: (exit code, stderr)."""
    try:
        code = main(list(args))
    except SystemExit as stop:  # argparse's own refusals
        code = stop.code
    return code, capsys.readouterr().err


@pytest.fixture(autouse=True)
def no_hub(monkeypatch):
    """pcp team serve becomes the Hub (exec) once its checks pass; a check these tests expect to refuse
    that did not must fail the test, not replace the test run with a Hub."""
    def refuse(*args):
        raise AssertionError(f"pcp team serve would have started the Hub: {args}")

    monkeypatch.setattr(os, "execv", refuse)


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'pcp.sqlite'}"


def test_init_writes_an_owner_only_hub_configuration_and_makes_the_first_admin(tmp_path, url):
    out = tmp_path / "team"
    result = run_pcp("team", "init", "--db", url, "--admin", "Ada", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "ada is a pcp admin" in result.stdout and f"pcp team serve --config {out}" in result.stdout
    assert mode(out) == 0o700 and mode(out / "users") == 0o700
    for name in (CONFIG_FILE, COOKIE_SECRET_FILE, DATABASE_URL_FILE, "team.json"):
        assert mode(out / name) == 0o600, name
    assert len(bytes.fromhex((out / COOKIE_SECRET_FILE).read_text().strip())) == 32
    assert (out / DATABASE_URL_FILE).read_text().strip() == url
    store = open_store(url)
    try:
        assert store.find_user("ada").role == "admin"
        assert [entry.detail for entry in store.access_log()] == ["added ada as admin"]
    finally:
        store.dispose()

    config = hub_config(out)
    assert config.JupyterHub.authenticator_class == "native"
    assert "native" in {point.name for point in entry_points(group="jupyterhub.authenticators")}
    assert config.NativeAuthenticator.open_signup is False  # an admin approves each sign-up
    assert config.Authenticator.admin_users == {"ada"}
    assert config.PcpSpawner.pcp_db == url
    assert config.PcpSpawner.users_dir == str(out.resolve() / "users")
    assert import_item(config.JupyterHub.spawner_class).__name__ == "PcpSpawner"
    assert config.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert config.ConfigurableHTTPProxy.command == ["configurable-http-proxy"]
    assert config.JupyterHub.cookie_max_age_days == 0.5
    assert config.JupyterHub.cookie_secret_file == str(out.resolve() / COOKIE_SECRET_FILE)
    assert "AzureAdOAuthenticator" not in config and "LDAPAuthenticator" not in config


@pytest.mark.parametrize("authenticator, name, section, setting", [
    ("entra", "azuread", "AzureAdOAuthenticator", "tenant_id"),
    ("ldap", "ldap", "LDAPAuthenticator", "server_address"),
])
def test_entra_and_ldap_blocks_are_written_active_and_serve_asks_for_the_providers_own_values(
        tmp_path, url, capsys, authenticator, name, section, setting):
    out = init_team(url, "ada", authenticator, tmp_path / "team", proxy=sys.executable)
    (out / "entra-client-secret").write_text("invented-secret\n")
    (out / "entra-client-secret").chmod(0o600)
    config = hub_config(out)
    assert config.JupyterHub.authenticator_class == name
    assert name in {point.name for point in entry_points(group="jupyterhub.authenticators")}
    assert getattr(config[section], setting).startswith(("YOUR-", "ldap.YOUR-"))
    assert "NativeAuthenticator" not in config  # the default's block is there, commented out
    assert "# c.JupyterHub.authenticator_class = \"native\"" in (out / CONFIG_FILE).read_text()
    code, err = run_main(capsys, "team", "serve", "--config", str(out))
    assert code == 2
    assert_one_sentence(err, f"pcp: {out / CONFIG_FILE} still holds placeholders (YOUR-...) in its {authenticator}")


@pytest.mark.parametrize("args, exit_code, starts", [
    (["--admin", "a b"], 1, "pcp: 'a b' cannot be a sign-in name"),
    (["--admin", "../root"], 1, "pcp: '../root' cannot be a sign-in name"),
    (["--admin", "ada", "--port", "70000"], 1, "pcp: --port 70000 is not a port number"),
    (["--admin", "ada", "--port", "8000", "--hub-port", "8000"], 1, "pcp: --port, --hub-port and --proxy-api-port"),
    (["--admin", "ada", "--authenticator", "github"], 2, "pcp: argument --authenticator: invalid choice"),
])
def test_bad_input_is_one_sentence_and_writes_nothing(tmp_path, url, capsys, args, exit_code, starts):
    code, err = run_main(capsys, "team", "init", "--db", url, "--out", str(tmp_path / "team"), *args)
    assert code == exit_code
    assert_one_sentence(err, starts)
    assert not (tmp_path / "team").exists()


def test_a_bad_admin_name_from_the_command_line_is_one_sentence_and_exit_1(tmp_path, url):
    result = run_pcp("team", "init", "--db", url, "--admin", "sam jones", "--out", str(tmp_path / "team"))
    assert result.returncode == 1
    assert_one_sentence(result.stderr, "pcp: 'sam jones' cannot be a sign-in name")


def test_an_existing_configuration_is_never_overwritten(tmp_path, url, capsys):
    out = init_team(url, "ada", out=tmp_path / "team")
    secret = (out / COOKIE_SECRET_FILE).read_text()
    code, err = run_main(capsys, "team", "init", "--db", url, "--admin", "bo", "--out", str(out))
    assert code == 1
    assert_one_sentence(err, f"pcp: {out} already holds a team configuration")
    assert (out / COOKIE_SECRET_FILE).read_text() == secret
    assert json.loads((out / "team.json").read_text())["admin"] == "ada"


def test_an_admin_who_is_already_a_user_with_another_role_is_one_sentence(tmp_path, url, capsys):
    store = open_store(url)
    try:
        store.add_user("sam", "staff", ["Riverside House"], by="ada")
    finally:
        store.dispose()
    code, err = run_main(capsys, "team", "init", "--db", url, "--admin", "Sam", "--out", str(tmp_path / "team"))
    assert code == 1
    assert_one_sentence(err, "pcp: sam is already a pcp user (staff); make them an admin with pcp users set-role")
    assert not (tmp_path / "team").exists()


def test_an_admin_already_an_admin_is_kept(tmp_path, url):
    store = open_store(url)
    try:
        store.add_user("ada", "admin", (), by="root")
        init_team(url, "ada", out=tmp_path / "team")
        assert len(store.access_log()) == 1  # no second "added"
    finally:
        store.dispose()


# -- pcp team serve: what a person can get wrong, before the Hub starts -------------------------


def test_serve_without_a_configuration_is_one_sentence(tmp_path, capsys):
    code, err = run_main(capsys, "team", "serve", "--config", str(tmp_path / "nowhere"))
    assert code == 2
    assert_one_sentence(err, f"pcp: there is no team configuration in {tmp_path / 'nowhere'}; write one with "
                             "pcp team init")


@pytest.mark.parametrize("secret", [COOKIE_SECRET_FILE, DATABASE_URL_FILE])
def test_serve_refuses_a_secret_file_other_accounts_can_read(tmp_path, url, capsys, secret):
    out = init_team(url, "ada", out=tmp_path / "team", proxy=sys.executable)
    (out / secret).chmod(0o640)
    code, err = run_main(capsys, "team", "serve", "--config", str(out))
    assert code == 2
    assert_one_sentence(err, f"pcp: {out / secret} can be read by other accounts on this computer; make it "
                             f"yours only with chmod 600")


def test_serve_without_the_proxy_says_how_to_install_it(tmp_path, url, capsys):
    out = init_team(url, "ada", out=tmp_path / "team", proxy=str(tmp_path / "no-such-proxy"))
    code, err = run_main(capsys, "team", "serve", "--config", str(out))
    assert code == 2
    assert_one_sentence(err, "pcp: the team server needs configurable-http-proxy")
    assert "npm install -g configurable-http-proxy" in err


@pytest.mark.parametrize("which", ["port", "hub_port", "proxy_api_port"])
def test_serve_on_a_port_in_use_names_it(tmp_path, url, capsys, which):
    ports = {"port": free_port(), "hub_port": free_port(), "proxy_api_port": free_port()}
    if len(set(ports.values())) < 3:
        pytest.skip("the system gave the same free port twice")
    out = init_team(url, "ada", out=tmp_path / "team", proxy=sys.executable, **ports)
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", ports[which]))
        taken.listen(1)
        code, err = run_main(capsys, "team", "serve", "--config", str(out))
    assert code == 2
    assert_one_sentence(err, f"pcp: port {ports[which]} (")
    assert "is already in use" in err


# -- each person's server, as the Hub's spawner starts it --------------------------------------


def test_hub_place_reads_the_spawners_environment():
    place = hub_place({"JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:45289/user/sam/",
                       "JUPYTERHUB_SERVICE_PREFIX": "/user/sam", "JUPYTERHUB_USER": "Sam",
                       "JUPYTERHUB_API_TOKEN": "invented"})
    assert (place.ip, place.port, place.prefix, place.owner) == ("127.0.0.1", 45289, "/user/sam/", "sam")


def test_a_persons_server_started_without_a_hub_is_one_sentence():
    environ = {name: value for name, value in os.environ.items() if not name.startswith("JUPYTERHUB_")}
    result = subprocess.run([sys.executable, "-m", "pcp_widgets.team.singleuser"], capture_output=True, text=True,
                            env=environ, timeout=120)
    assert result.returncode == 2
    assert_one_sentence(result.stderr, "pcp: this is the pcp server JupyterHub starts for each signed-in person")
    with pytest.raises(ServeError, match=r"\$JUPYTERHUB_API_TOKEN is not set"):
        hub_place({"JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:1/", "JUPYTERHUB_USER": "sam"})


@pytest.mark.parametrize("name", ["..", ".", "a/b", "../../etc", "sam.jones@example.org"])
def test_a_persons_folder_stays_inside_the_folder_of_folders(tmp_path, name):
    folder = (tmp_path / folder_name(name)).resolve()
    assert folder.parent == tmp_path.resolve()
    assert "/" not in folder_name(name)


def test_each_persons_server_shares_the_hubs_pcp_settings_but_no_sign_in_secret():
    shared = shared_settings({"PCP_MAX_FILE_MB": "20", "PCP_TOKEN": "t", "PCP_TOKEN_FILE": "f", "PCP_PASSWORD": "p",
                              "PCP_PASSWORD_FILE": "f", "PCP_DB": "sqlite:///other", "HOME": "/root"})
    assert shared == {"PCP_MAX_FILE_MB": "20"}
