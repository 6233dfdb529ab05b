"""`pcp users`: adding people who sign in, their roles and services, and who may do it."""

import json

import pytest

from pcp_widgets import cli


@pytest.fixture
def pcp(store, monkeypatch, capsys):
    """Run ``pcp ...`` on the test store as this computer's account (no Hub): (exit code, stdout, stderr)."""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)

    def run(*arguments):
        code = cli.main([*arguments, "--db", store.url])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_an_admin_adds_people_with_roles_and_services_and_changes_them(store, pcp):
    assert pcp("users", "list")[1] == "No users yet: add the first with pcp users add NAME --role admin.\n"
    assert pcp("users", "add", "Sam", "--role", "staff", "--service", "Oak House", "--service", "Elm Court") == (
        0, "Added sam: staff (Elm Court, Oak House).\n", "")
    assert pcp("users", "add", "ann", "--role", "Quality lead")[0] == 0
    assert pcp("users", "set-role", "SAM", "--role", "manager")[1] == "Now sam: manager (Elm Court, Oak House).\n"
    assert pcp("users", "set-services", "sam", "--service", "Ash Lodge")[1] == "Now sam: manager (Ash Lodge).\n"

    code, out, _ = pcp("users", "list", "--json")
    assert json.loads(out) == [{"name": "ann", "role": "quality-lead", "services": []},
                               {"name": "sam", "role": "manager", "services": ["Ash Lodge"]}]
    changes = [e.detail for e in store.access_log() if e.action == "changed a role"]
    assert changes == ["added sam as staff in Oak House, Elm Court", "added ann as quality-lead",
                       "sam: staff to manager", "sam's services: Ash Lodge"]


def test_mistakes_are_one_sentence_and_change_nothing(store, pcp):
    pcp("users", "add", "sam", "--role", "staff")
    assert pcp("users", "add", "sam", "--role", "admin")[2].startswith("pcp: sam is already a pcp user (staff)")
    code, _, err = pcp("users", "add", "kim", "--role", "boss")
    assert code == 1 and err == ("pcp: 'boss' is not a role; the roles are admin, quality-lead, manager, trainer, "
                                 "staff, commissioner-export.\n")
    assert pcp("users", "set-role", "nobody", "--role", "staff")[2].startswith("pcp: nobody is not a pcp user")
    assert [u.name for u in store.users()] == ["sam"] and store.user("sam").role == "staff"


def test_the_only_admin_cannot_be_demoted(store, pcp):
    pcp("users", "add", "ada", "--role", "admin")
    assert pcp("users", "set-role", "ada", "--role", "staff")[2] == (
        "pcp: ada is the only admin; make someone else an admin first.\n")
    pcp("users", "add", "bo", "--role", "admin")
    assert pcp("users", "set-role", "ada", "--role", "staff")[0] == 0


def test_behind_the_hub_only_an_admin_manages_users_and_the_change_is_logged_under_them(store, pcp, monkeypatch):
    store.add_user("ada", "admin", by="setup")
    store.add_user("mo", "manager", ["Oak House"], by="setup")
    monkeypatch.setenv("JUPYTERHUB_USER", "mo")
    code, _, err = pcp("users", "add", "mo2", "--role", "admin")
    assert code == 1 and err == ("pcp: Managers cannot manage who signs in and their roles; "
                                 "ask an admin if your work needs it.\n")
    assert pcp("users", "list")[0] == 1
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    assert pcp("users", "set-role", "mo", "--role", "staff")[0] == 0
    assert [(e.user, e.detail) for e in store.access_log(user="ada")] == [("ada", "mo: manager to staff")]
    assert store.find_user("mo2") is None
