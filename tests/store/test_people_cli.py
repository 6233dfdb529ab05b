"""`pcp people link-documents`: tool documents saved before the register (typed names) reach the tool pages."""

from pcp_widgets import cli
from pcp_widgets.access import Identity
from pcp_widgets.tools import new_document
from pcp_widgets.ui.session import DocumentSession, people


def typed_document(store, tool, name):
    """A document as the tool pages saved it before the register: a typed name and no ref."""
    return store.create_document(tool, name, new_document(tool, name).to_dict(), saved_by="old page").document_id


def run(store, capsys, *arguments):
    code = cli.main(["people", *arguments, "--db", store.url])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_provider_links_the_typed_names_and_the_tool_pages_then_open_them(store, capsys, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)  # this computer's account: an admin
    store.add_person("Pat", "Elm Court", by="ann")  # already registered in one service: linked to that entry
    pats = typed_document(store, "one_page_profile", "Pat")
    zoes = typed_document(store, "one_page_profile", "Zoe")
    older = typed_document(store, "good_day_bad_day", "Zoe")
    newer = typed_document(store, "good_day_bad_day", "Zoe")  # two typed "Zoe"s of one tool: the newest wins

    code, out, err = run(store, capsys, "link-documents", "--service", "Oak House")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["Pat: P-0001, already in the register", "Zoe: P-0002, added to Oak House",
                                "Linked the documents of 2 people (1 added to the register).",
                                f"Older documents of the same tool and name were kept without a ref (document "
                                f"{older})."]
    sam = Identity("sam", "staff", frozenset({"Oak House"}), "hub")
    assert [person.ref for person in people(store, sam)] == ["P-0002"]
    assert DocumentSession.open(store, sam, "good_day_bad_day", "P-0002").document_id == newer
    assert DocumentSession.open(store, sam, "one_page_profile", "P-0002").document_id == zoes
    assert [d.document_id for d in store.documents_of("P-0001")] == [pats]
    assert run(store, capsys, "link-documents", "--service", "Oak House")[1].startswith("Linked the documents of 0")


def test_staff_cannot_link_every_services_documents(store, capsys, monkeypatch):
    store.add_user("sam", "staff", ["Oak House"], by="ann")
    monkeypatch.setenv("JUPYTERHUB_USER", "sam")
    typed_document(store, "one_page_profile", "Zoe")
    code, out, err = run(store, capsys, "link-documents", "--service", "Oak House")
    assert code != 0 and out == ""
    assert err == ("pcp: Staff cannot link every service's older documents to the register; ask an admin or a "
                   "quality lead.\n")
    assert store.people() == [] and store.find_documents()[0].person == "Zoe"
