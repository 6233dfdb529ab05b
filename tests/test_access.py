"""Who may do what (pcp_widgets.access) and who is signed in (pcp_widgets.identity)."""

import getpass

import pytest

from pcp_widgets.access import (PERMISSIONS, ROLES, Action, Identity, NotAllowed, allowed, check, role_key,
                                visible_services)
from pcp_widgets.errors import PcpError
from pcp_widgets.identity import current_identity, sign_in, signed_in_name

STAFF = Identity("sam", "staff", frozenset({"Elm Court"}))
MANAGER = Identity("mo", "manager", frozenset({"Elm Court", "Ash Lodge"}))
QUALITY = Identity("ann", "quality-lead")
TRAINER = Identity("tia", "trainer")
COMMISSIONING = Identity("cai", "commissioner-export")
ADMIN = Identity("ada", "admin")


def test_staff_open_only_the_people_of_their_services_and_the_refusal_says_why():
    check(STAFF, Action.VIEW_PERSON, "Elm Court", ref="P-0007")
    check(STAFF, Action.SAVE_PERSON, "Elm Court")
    with pytest.raises(NotAllowed) as refused:
        check(STAFF, Action.VIEW_PERSON, "Oak House", ref="P-0042")
    assert str(refused.value) == "Staff can open only the people of their services; P-0042 is at Oak House."
    with pytest.raises(NotAllowed, match="^Staff can save the documents of only the people of their services"):
        check(STAFF, Action.SAVE_PERSON, "Oak House", ref="P-0042")


def test_a_refusal_is_a_pcp_error_so_pages_and_commands_show_its_sentence():
    with pytest.raises(PcpError) as refused:
        check(STAFF, Action.IMPORT)
    assert str(refused.value) == "Staff cannot import audit workbooks; ask an admin if your work needs it."


@pytest.mark.parametrize("identity, action", [
    (STAFF, Action.IMPORT), (STAFF, Action.VIEW_DASHBOARDS), (STAFF, Action.RUN_PRACTICE),
    (STAFF, Action.EXPORT_COMMISSIONERS), (STAFF, Action.MANAGE_USERS), (STAFF, Action.READ_ACCESS_LOG),
    (TRAINER, Action.VIEW_PERSON), (TRAINER, Action.VIEW_DASHBOARDS), (TRAINER, Action.IMPORT),
    (COMMISSIONING, Action.VIEW_PERSON), (COMMISSIONING, Action.VIEW_DASHBOARDS), (COMMISSIONING, Action.IMPORT),
    (MANAGER, Action.IMPORT), (MANAGER, Action.RUN_PRACTICE), (MANAGER, Action.MANAGE_USERS),
    (QUALITY, Action.MANAGE_USERS), (QUALITY, Action.RUN_PRACTICE),
])
def test_least_privilege_refusals(identity, action):
    assert not allowed(identity, action)
    with pytest.raises(NotAllowed, match=f"^{ROLES[identity.role]} cannot {action.value}"):
        check(identity, action, "Elm Court")


@pytest.mark.parametrize("identity, action, service", [
    (TRAINER, Action.RUN_PRACTICE, None), (COMMISSIONING, Action.EXPORT_COMMISSIONERS, None),
    (QUALITY, Action.VIEW_PERSON, "Oak House"), (QUALITY, Action.IMPORT, None),
    (QUALITY, Action.READ_ACCESS_LOG, None), (MANAGER, Action.VIEW_DASHBOARDS, "Ash Lodge"),
    (MANAGER, Action.RESTORE_PERSON, "Elm Court"), (STAFF, Action.ADD_PERSON, "Elm Court"),
])
def test_what_each_job_needs_is_allowed(identity, action, service):
    check(identity, action, service)
    assert allowed(identity, action, service)


def test_managers_see_the_dashboards_of_their_services_only():
    assert allowed(MANAGER, Action.VIEW_DASHBOARDS)  # the page is shown
    assert not allowed(MANAGER, Action.VIEW_DASHBOARDS, "Oak House")
    with pytest.raises(NotAllowed, match="Oak House is not one of them"):
        check(MANAGER, Action.VIEW_DASHBOARDS, "Oak House")


def test_admins_may_do_everything_everywhere_and_every_role_has_a_policy():
    assert set(PERMISSIONS) == set(ROLES)
    for action in Action:
        check(ADMIN, action, "Anywhere")


def test_the_register_a_person_sees_is_narrowed_to_their_services():
    assert visible_services(STAFF) == {"Elm Court"}
    assert visible_services(QUALITY) is None  # every service
    assert visible_services(TRAINER) == frozenset()  # nobody
    assert visible_services(Identity("new", "staff")) == frozenset()  # staff with no services yet see nobody


def test_roles_as_people_type_them():
    assert role_key("Quality lead") == "quality-lead"
    assert role_key(" commissioner_export ") == "commissioner-export"
    with pytest.raises(PcpError, match="'boss' is not a role; the roles are admin, quality-lead"):
        role_key("boss")
    with pytest.raises(ValueError):
        Identity("x", "boss")


# -- identity -------------------------------------------------------------------------------


def test_the_hubs_user_is_who_is_signed_in_and_otherwise_the_account_running_pcp():
    assert signed_in_name({"JUPYTERHUB_USER": "Sam"}) == ("sam", "hub")
    assert signed_in_name({"JUPYTERHUB_USER": "  "}) == (getpass.getuser().lower(), "os")
    assert signed_in_name({}) == (getpass.getuser().lower(), "os")


def test_a_hub_user_gets_the_role_and_services_an_admin_gave_them(store):
    store.add_user("Sam", "staff", ["Elm Court"], by="ada")
    identity = current_identity(store, {"JUPYTERHUB_USER": "sam"})
    assert identity == Identity("sam", "staff", frozenset({"Elm Court"}), "hub")
    with pytest.raises(NotAllowed, match="^zed is signed in but has no role in pcp yet; ask an admin"):
        current_identity(store, {"JUPYTERHUB_USER": "zed"})


def test_the_account_running_a_one_computer_server_is_its_admin(store):
    identity = current_identity(store, {})
    assert identity.role == "admin" and identity.source == "os"
    assert allowed(identity, Action.MANAGE_USERS)


def test_signing_in_is_logged_once_per_kernel_and_a_role_change_applies_at_once(store):
    store.add_user("mo", "manager", ["Elm Court"], by="ada")
    hub = {"JUPYTERHUB_USER": "mo"}
    assert sign_in(store, hub).role == "manager"
    store.set_user_role("mo", "staff", by="ada")
    assert sign_in(store, hub).role == "staff"
    signed_in = [entry for entry in store.access_log(user="mo") if entry.action == "signed in"]
    assert [entry.detail for entry in signed_in] == ["manager, via hub"]
