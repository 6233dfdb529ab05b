"""The ``pcp`` command: one sub-command per job, each a thin call into the package.

Errors a person can cause end as one plain sentence on stderr and a non-zero exit
code; a traceback is shown only when ``PCP_DEBUG=1`` is set (for us, never for users).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pcp_widgets.errors import PcpError

#: Exit code for a failure we did not foresee; the message asks the person to report it.
UNEXPECTED_EXIT = 3


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="database URL (SQLAlchemy form); default $PCP_DB, else a SQLite file in your data folder",
    )


def _open_store(args):
    from pcp_widgets.store import open_store

    return open_store(args.db)


# -- sub-commands ----------------------------------------------------------------------


def cmd_import(args) -> int:
    from pcp_widgets.audit.ingest.importer import import_files
    from pcp_widgets.audit.ingest.limits import Limits
    from pcp_widgets.identity import signed_in_name
    from pcp_widgets.progress import terminal_progress

    store = _open_store(args)
    limits = Limits.from_options(max_file_mb=args.max_file_mb, max_rows=args.max_rows)
    by = signed_in_name()[0]
    with terminal_progress(enabled=not args.quiet) as progress, store.importing(by):  # one import at a time
        report = import_files(args.files, store, limits=limits, progress=progress, imported_by=by)
    if args.errors and report.errors:
        from pcp_widgets.audit.outputs.rejected_rows import write_rejected_rows

        write_rejected_rows(report, args.errors)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=None))
    else:
        print(report.summary(errors_path=args.errors))
    return report.exit_code


def cmd_templates(args) -> int:
    from pcp_widgets.audit.outputs.templates import write_templates

    path = write_templates(Path(args.out))
    print(f"Wrote the blank audit workbook to {path}")
    return 0


def cmd_export(args) -> int:
    store = _open_store(args)
    if args.what == "data":
        from pcp_widgets.access import Action, NotAllowed, visible_services
        from pcp_widgets.audit.outputs.export import export_data

        identity = _acting_identity(store, Action.VIEW_DASHBOARDS)
        if visible_services(identity, Action.VIEW_DASHBOARDS) is not None:
            raise NotAllowed("pcp export data writes every service's audit records, and your role sees only "
                             "your own services' records; ask a quality lead or an admin.")
        path = export_data(store, Path(args.out), kind=args.kind)
        store.log_access(identity.name, "exported", detail=f"the stored audit records ({args.kind or 'all kinds'}) "
                                                           f"to {path.name}")
        print(f"Wrote the stored audit records to {path}")
        return 0
    if args.what == "commissioners":
        from pcp_widgets.audit.outputs.export_as import export_commissioners_as
        from pcp_widgets.identity import current_identity

        path = export_commissioners_as(current_identity(store), store, Path(args.out), first=args.first,
                                       last=args.last, min_count=args.min_count, fmt=args.format,
                                       single_month=args.single_month, made_by=args.by)
        print(f"Wrote the commissioner {'CSV files' if args.format == 'csv' else 'workbook'} to {path}")
        return 0
    raise PcpError(f"pcp export {args.what} is not available in this version.")


def cmd_demo(args) -> int:
    from pcp_widgets.audit.demo import run_demo

    store = _open_store(args)
    return run_demo(
        store,
        out_dir=Path(args.out) if args.out else None,
        services=args.services,
        months=args.months,
        seed=args.seed,
        quiet=args.quiet,
    )


def cmd_serve(args) -> int:
    from pcp_widgets.serve import refuse_secrets_on_command_line, serve

    refuse_secrets_on_command_line(args.token, args.password)
    return serve(
        db=args.db,
        port=args.port,
        ip=args.ip,
        token_file=args.token_file,
        password_file=args.password_file,
        demo=args.demo,
        open_browser=args.open,
        idle_minutes=args.idle_minutes,
        max_pages=args.max_pages,
        allow_hosts=args.allow_host,
    )


def cmd_team(args) -> int:
    """pcp team init (write the Hub's configuration, make the first admin) and pcp team serve (start the Hub)."""
    from pcp_widgets.team import init_team, serve_team

    if args.team_command == "serve":
        return serve_team(args.config)
    folder = init_team(args.db, args.admin, args.authenticator, args.out, ip=args.ip, port=args.port,
                       hub_port=args.hub_port, proxy_api_port=args.proxy_api_port, proxy=args.proxy)
    print(f"Wrote the team server's configuration to {folder}; {args.admin.strip().lower()} is a pcp admin. "
          f"Start it with: pcp team serve --config {folder}")
    return 0


def _one_sentence_error(parser: argparse.ArgumentParser):
    """``parser.error`` as one plain sentence and exit 2, instead of argparse's usage block."""

    def error(message: str):
        parser.exit(2, f"pcp: {message} (see {parser.prog} --help).\n")

    return error


def cmd_tools(args) -> int:
    from pcp_widgets.tools import TOOLS

    if args.json:
        print(json.dumps(list(TOOLS)))
    else:
        width = max(len(key) for key in TOOLS)
        for tool in TOOLS.values():
            print(f"{tool.key.ljust(width)}  {tool.title}")
    return 0


def cmd_render(args) -> int:
    from pcp_widgets.render import render
    from pcp_widgets.render.source import read_document

    document = read_document(args.file)
    path = render(document, args.out)
    print(f"Wrote {document.heading} to {path}")
    return 0


def cmd_report(args) -> int:
    from pcp_widgets.audit.outputs.monthly_report import write_monthly_report

    path = write_monthly_report(_open_store(args), args.month, Path(args.out))
    print(f"Wrote the governance report for {args.month} to {path}")
    return 0


def cmd_wording(args) -> int:
    from pcp_widgets.audit.analysis.wording import check_lines

    for check in check_lines(args.file):
        print(json.dumps(check.to_json(), ensure_ascii=False) if args.json else check.summary())
    return 0


def _acting_identity(store, action):
    """Who runs this command (the Hub's user inside a Hub server, else this computer's account, an
    admin) and a check that their role allows ``action``."""
    from pcp_widgets.access import check
    from pcp_widgets.identity import current_identity

    identity = current_identity(store)
    check(identity, action)
    return identity


def cmd_users(args) -> int:
    from pcp_widgets.access import Action

    store = _open_store(args)
    identity = _acting_identity(store, Action.MANAGE_USERS)
    if args.users_command == "add":
        user = store.add_user(args.name, args.role, args.service, by=identity.name)
        print(f"Added {user.describe()}.")
    elif args.users_command == "set-role":
        user = store.set_user_role(args.name, args.role, by=identity.name)
        print(f"Now {user.describe()}.")
    elif args.users_command == "set-services":
        user = store.set_user_services(args.name, args.service, by=identity.name)
        print(f"Now {user.describe()}.")
    else:
        users = store.users()
        if args.json:
            print(json.dumps([{"name": u.name, "role": u.role, "services": list(u.services)} for u in users]))
        elif not users:
            print("No users yet: add the first with pcp users add NAME --role admin.")
        for user in [] if args.json else users:
            print(user.describe())
    return 0


def cmd_person(args) -> int:
    """Subject access export, erasure (after the ref is typed again, or --yes) and redaction: admins only."""
    from pcp_widgets import subject_access
    from pcp_widgets.access import Action
    from pcp_widgets.store import fold_ref

    store = _open_store(args)
    action = {"export": Action.EXPORT_PERSON, "erase": Action.ERASE_PERSON, "redact": Action.REDACT}
    identity = _acting_identity(store, action[args.person_command])
    if args.person_command == "export":
        path = subject_access.export_person(store, identity, args.ref, Path(args.out))
        print(f"Wrote everything held about {fold_ref(args.ref)} to {path} (JSON, xlsx and a PDF summary)")
    elif args.person_command == "erase":
        label = subject_access.person_label(store, args.ref)
        if not args.yes:
            try:
                typed = input(f"This erases {label} for good. Type the ref again to go on: ")
            except EOFError:
                typed = ""
            if fold_ref(typed) != fold_ref(args.ref):
                raise PcpError("Nothing was erased: the ref typed did not match.")
        done = subject_access.erase_person(store, identity, args.ref, args.reason)
        print(f"Erased: {done.describe()}.")
    else:
        subject_access.redact_version(store, identity, args.ref, args.tool, args.version, args.reason)
        print(f"Redacted version {args.version} of {fold_ref(args.ref)}'s {args.tool}; the other versions stay.")
    return 0


def cmd_people(args) -> int:
    """Link the tool documents written before the register (typed names, no ref) to register entries.

    It reaches every service's older documents, so it needs a role that works across all services."""
    from pcp_widgets.access import ROLES, Action, NotAllowed, visible_services
    from pcp_widgets.tools import TOOLS

    store = _open_store(args)
    identity = _acting_identity(store, Action.ADD_PERSON)
    if visible_services(identity, Action.ADD_PERSON) is not None:
        raise NotAllowed(f"{ROLES[identity.role]} cannot link every service's older documents to the register; "
                         "ask an admin or a quality lead.")
    done = store.link_documents_to_register(args.service, by=identity.name, tools=TOOLS)
    added = set(done["added"])
    for name, ref in sorted(done["linked"].items(), key=lambda item: item[1]):
        print(f"{name}: {ref}" + (f", added to {args.service}" if ref in added else ", already in the register"))
    print(f"Linked the documents of {len(done['linked'])} people ({len(added)} added to the register).")
    if done["not_linked"]:
        print("Older documents of the same tool and name were kept without a ref (document "
              + ", ".join(str(number) for number in sorted(done["not_linked"])) + ").")
    return 0


def cmd_access_log(args) -> int:
    from pcp_widgets.access import Action
    from pcp_widgets.access_export import Period, parse_day, write_access_log

    period = Period(parse_day(args.first, "--from") if args.first else None,
                    parse_day(args.last, "--to", last=True) if args.last else None)
    store = _open_store(args)
    identity = _acting_identity(store, Action.READ_ACCESS_LOG)
    path, count = write_access_log(store, Path(args.out), person=args.person, user=args.user, period=period,
                                   by=identity.name)
    print(f"Wrote {count} access-log {'entry' if count == 1 else 'entries'} ({period.describe()}) to {path}")
    return 0


def cmd_retention(args) -> int:
    from pcp_widgets.access import Action
    from pcp_widgets.store import load_retention_policy

    if args.dry_run == (args.action == "apply"):
        from pcp_widgets.errors import UsageError

        raise UsageError("Say pcp retention --dry-run to list what is due, or pcp retention apply to remove it.")
    policy = load_retention_policy(args.policy)
    store = _open_store(args)
    identity = _acting_identity(store, Action.APPLY_RETENTION)
    if args.dry_run:
        print("\n".join(store.retention_due(policy).lines()))
        print("Nothing was removed: pcp retention apply removes what is listed.")
        return 0
    removed = store.apply_retention(policy, by=identity.name)
    print("\n".join(removed.lines()[1:]))
    print(f"Removed {removed.counts_in_words()}; logged in the access log.")
    return 0


def cmd_backup(args) -> int:
    from pcp_widgets.identity import signed_in_name
    from pcp_widgets.errors import UsageError
    from pcp_widgets.store import backup_database, default_url, read_backup

    passphrase = _passphrase(args, "backup", needed=args.encrypt)
    if (args.out is None) == (args.verify is None):
        raise UsageError("Say pcp backup --out FILE to make a backup, or pcp backup --verify FILE to check one.")
    if args.verify:
        print(read_backup(args.verify, passphrase).describe() + "; it can be restored.")
        return 0
    if args.passphrase_file and not args.encrypt:
        raise UsageError("Add --encrypt to encrypt the backup with the passphrase in --passphrase-file.")
    made = backup_database(args.db or default_url(), args.out, by=signed_in_name()[0],
                         passphrase=passphrase if args.encrypt else None)
    print(f"Backed up to {made.describe()}.")
    return 0


def _passphrase(args, command: str, *, needed: bool = False) -> str | None:
    """An encrypted backup's passphrase: in the file --passphrase-file names, else in the file
    $PCP_BACKUP_PASSPHRASE_FILE names, else in $PCP_BACKUP_PASSPHRASE, read as pcp serve reads its token; never
    from the command line, where every account can read it (refused in pcp serve's sentence)."""
    from pcp_widgets.errors import UsageError
    from pcp_widgets.secret_input import SECRET_ON_COMMAND_LINE, read_secret
    from pcp_widgets.store import BACKUP_PASSPHRASE_ENV, BACKUP_PASSPHRASE_FILE_ENV

    where = f"${BACKUP_PASSPHRASE_ENV} or ${BACKUP_PASSPHRASE_FILE_ENV}"
    if args.passphrase is not None:
        raise UsageError(SECRET_ON_COMMAND_LINE.format(command=command, what="passphrase", env=where))
    passphrase = read_secret("passphrase", args.passphrase_file, BACKUP_PASSPHRASE_ENV, BACKUP_PASSPHRASE_FILE_ENV,
                             os.environ, UsageError)
    if passphrase is None and needed:
        raise UsageError(f"pcp backup --encrypt needs a passphrase: put it in a file readable only by you and give "
                         f"--passphrase-file FILE, or set {where}.")
    return passphrase


def _passphrase_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase-file", metavar="F", default=None, help="an encrypted backup's passphrase is "
                        "in this file (or $PCP_BACKUP_PASSPHRASE_FILE, $PCP_BACKUP_PASSPHRASE)")
    # Refused with a sentence saying where it goes instead (a command line is visible to every account).
    parser.add_argument("--passphrase", nargs="?", const="", default=None, help=argparse.SUPPRESS)


def cmd_restore(args) -> int:
    from pcp_widgets.identity import signed_in_name
    from pcp_widgets.store import default_url, describe_database, restore_backup

    passphrase = _passphrase(args, "restore")
    url = args.db or default_url()
    restored = restore_backup(args.file, url, by=signed_in_name()[0], passphrase=passphrase)
    print(f"Restored {restored.describe()} into {describe_database(url)}.")  # never the URL's password
    return 0


# -- parser ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pcp",
        description="Person-centred planning workbook and audit toolkit.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser("import", help="import audit workbooks (.xlsx, .xlsm, .xls, .ods)")
    p.add_argument("files", nargs="+", metavar="FILE")
    _db_option(p)
    p.add_argument("--json", action="store_true", help="print one JSON object describing the import")
    p.add_argument("--errors", metavar="OUT.xlsx", help="write rejected rows, with the reason, to this workbook")
    p.add_argument("--max-file-mb", type=float, default=None, help="refuse files larger than this (default 100)")
    p.add_argument("--max-rows", type=int, default=None, help="refuse sheets with more rows than this (default 1,000,000)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_import)

    p = commands.add_parser("templates", help="write the blank Excel audit workbook")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(handler=cmd_templates)

    p = commands.add_parser("export", help="export stored data")
    p.add_argument("what", choices=["data", "commissioners"],
                   help="data: the stored, normalised records; commissioners: aggregated, suppressed evidence")
    p.add_argument("--kind", default=None, help="file_audit, observation, event, plan_change, outcome or review")
    p.add_argument("--out", required=True, metavar="FILE",
                   help="data: .csv (needs --kind) or .xlsx; commissioners: .xlsx, or a folder with --format csv")
    p.add_argument("--from", dest="first", metavar="YYYY-MM", help="commissioners: first month of a calendar quarter or year (default: the newest record's year)")
    p.add_argument("--to", dest="last", metavar="YYYY-MM", help="commissioners: last month of that quarter or year")
    p.add_argument("--min-count", type=int, default=5, help="commissioners: hide counts below this (default 5)")
    p.add_argument("--format", choices=["xlsx", "csv"], default="xlsx", help="commissioners: xlsx or csv")
    p.add_argument("--single-month", action="store_true",
                   help="commissioners: allow a period of one month (otherwise a calendar quarter or year)")
    p.add_argument("--by", metavar="NAME", default=None,
                   help="commissioners: who is making the export, for the log (default: your login name)")
    _db_option(p)
    p.set_defaults(handler=cmd_export)

    p = commands.add_parser("demo", help="write realistic demo workbooks and import them")
    _db_option(p)
    p.add_argument("--out", metavar="DIR", default=None, help="where to write the workbooks (default: a temporary folder)")
    p.add_argument("--services", type=int, default=6)
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_demo)

    p = commands.add_parser("serve", help="serve the workbook and audit pages (Voila)")
    _db_option(p)
    p.add_argument("--demo", action="store_true", help="load the demo data first if the database is empty; "
                   "without --db or $PCP_DB, into a demo database of its own (pcp-demo.sqlite)")
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this computer only)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="another name people use to reach this server (its DNS name); repeatable")
    p.add_argument("--token-file", metavar="FILE", help="ask for the token in this file "
                   "(or $PCP_TOKEN, $PCP_TOKEN_FILE); default: a new random token, in the address printed")
    p.add_argument("--password-file", metavar="FILE", help="ask for the password in this file "
                   "(or $PCP_PASSWORD, $PCP_PASSWORD_FILE) instead of a token")
    p.add_argument("--idle-minutes", type=float, default=None, metavar="M",
                   help="stop a page nobody uses after M minutes (default 20, or $PCP_IDLE_MINUTES)")
    p.add_argument("--max-pages", type=int, default=None, metavar="N",
                   help="at most N pages open at once (default 40, or $PCP_MAX_PAGES)")
    # Refused with a sentence saying where a secret goes instead (a command line is visible to every account).
    p.add_argument("--token", nargs="?", const="", default=None, help=argparse.SUPPRESS)
    p.add_argument("--password", nargs="?", const="", default=None, help=argparse.SUPPRESS)
    p.add_argument("--open", action="store_true", help="open the start page in a web browser")
    p.error = _one_sentence_error(p)
    p.set_defaults(handler=cmd_serve)

    p = commands.add_parser("team", help="a team server: everyone signs in through JupyterHub (init, serve)")
    team = p.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    t = team.add_parser("init", help="write a JupyterHub configuration and make the first admin")
    _db_option(t)
    t.add_argument("--admin", required=True, metavar="NAME", help="the first admin's sign-in name")
    t.add_argument("--authenticator", choices=("native", "entra", "ldap"), default="native",
                   help="how people sign in: native (accounts approved by an admin; default), entra "
                   "(Microsoft Entra ID) or ldap")
    t.add_argument("--out", metavar="DIR", default=None, help="where to write it (default: pcp's config folder)")
    t.add_argument("--ip", default="127.0.0.1", help="the address people reach the Hub at (default 127.0.0.1)")
    t.add_argument("--port", type=int, default=8000, help="the Hub's port (default 8000)")
    t.add_argument("--hub-port", type=int, default=8081, help="the Hub's internal API port (default 8081)")
    t.add_argument("--proxy-api-port", type=int, default=8001, help="the proxy's API port (default 8001)")
    t.add_argument("--proxy", default="configurable-http-proxy", metavar="PATH",
                   help="the configurable-http-proxy command (npm install -g configurable-http-proxy)")
    t = team.add_parser("serve", help="start the team server (JupyterHub)")
    t.add_argument("--config", metavar="DIR", default=None, help="the folder pcp team init wrote")
    for t in team.choices.values():
        t.error = _one_sentence_error(t)
    p.error = _one_sentence_error(p)
    p.set_defaults(handler=cmd_team)

    p = commands.add_parser("tools", help="list the person-centred thinking tools")
    p.add_argument("--json", action="store_true", help="print the tool keys as a JSON list")
    p.set_defaults(handler=cmd_tools)

    p = commands.add_parser("render", help="render a tool document saved as JSON to PDF, Word, HTML, PNG or SVG")
    p.add_argument("file", metavar="FILE.json")
    p.add_argument("--out", required=True, metavar="OUT", help="the format follows the extension: "
                   ".pdf .docx .html, and .png .svg for a relationship circle")
    p.set_defaults(handler=cmd_render)

    p = commands.add_parser("report", help="the monthly governance report (PDF)")
    p.add_argument("which", choices=["monthly"], help="monthly: one month's governance report")
    p.add_argument("--month", required=True, metavar="YYYY-MM")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    _db_option(p)
    p.set_defaults(handler=cmd_report)

    p = commands.add_parser("wording", help="check plan statements for generic wording, one statement per line")
    p.add_argument("file", nargs="?", default="-", metavar="FILE", help="a text file, or - (the default) for stdin")
    p.add_argument("--json", action="store_true", help="print one JSON object per statement")
    p.set_defaults(handler=cmd_wording)

    p = commands.add_parser("users", help="who signs in, their roles and services (admins)")
    users = p.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    roles = "admin, quality-lead, manager, trainer, staff or commissioner-export"
    u = users.add_parser("add", help="add a person who signs in")
    u.add_argument("name", metavar="NAME", help="their sign-in name (as the Hub knows it)")
    u.add_argument("--role", required=True, help=roles)
    u.add_argument("--service", action="append", default=[], metavar="S",
                   help="a service they work in (repeat for each); staff and managers see only these")
    u = users.add_parser("set-role", help="change a person's role")
    u.add_argument("name", metavar="NAME")
    u.add_argument("--role", required=True, help=roles)
    u = users.add_parser("set-services", help="replace the services a person works in")
    u.add_argument("name", metavar="NAME")
    u.add_argument("--service", action="append", default=[], metavar="S",
                   help="a service they work in (repeat for each; none: no services)")
    u = users.add_parser("list", help="list the people who sign in")
    u.add_argument("--json", action="store_true", help="print a JSON list of {name, role, services}")
    for u in users.choices.values():
        _db_option(u)
    p.set_defaults(handler=cmd_users)

    p = commands.add_parser("access-log", help="who viewed, saved, imported or exported what, and when (.xlsx)")
    p.add_argument("--person", metavar="REF", help="only entries about this person (a ref, or a preferred name)")
    p.add_argument("--user", metavar="NAME", help="only what this user did")
    p.add_argument("--from", dest="first", metavar="DATE", help="from this day (YYYY-MM-DD, DD/MM/YYYY or YYYY-MM)")
    p.add_argument("--to", dest="last", metavar="DATE", help="up to and including this day (or month)")
    p.add_argument("--out", required=True, metavar="FILE.xlsx")
    _db_option(p)
    p.set_defaults(handler=cmd_access_log)

    p = commands.add_parser("person", help="a person's data: subject access export, erasure, redaction (admins)")
    person = p.add_subparsers(dest="person_command", metavar="ACTION", required=True)
    u = person.add_parser("export", help="everything held about one person, as a zip of JSON, xlsx and PDF")
    u.add_argument("ref", metavar="REF")
    u.add_argument("--out", required=True, metavar="FILE.zip")
    u = person.add_parser("erase", help="delete a person's documents and register entry; audit rows keep a code")
    u.add_argument("ref", metavar="REF")
    u.add_argument("--reason", required=True, help="why (logged; it must not name the person or give the ref)")
    u.add_argument("--yes", action="store_true", help="do not ask for the ref again (for scripts)")
    u = person.add_parser("redact", help="replace one version of a person's tool document with a note")
    u.add_argument("ref", metavar="REF")
    u.add_argument("--tool", required=True, help="the tool key (pcp tools lists them)")
    u.add_argument("--version", required=True, type=int, metavar="N")
    u.add_argument("--reason", required=True, help="why (logged and kept in the version's note)")
    for u in person.choices.values():
        _db_option(u)
    p.set_defaults(handler=cmd_person)

    p = commands.add_parser("people", help="the register of people supported")
    people = p.add_subparsers(dest="people_command", metavar="ACTION", required=True)
    u = people.add_parser("link-documents", help="give tool documents saved before the register (typed names) "
                                                 "register entries (admins, quality leads)")
    u.add_argument("--service", required=True,
                   help="where a name not yet in the register is added (move them on later)")
    _db_option(u)
    p.set_defaults(handler=cmd_people)

    p = commands.add_parser("retention", help="the retention schedule: list what is due (--dry-run) or remove it (apply)")
    p.add_argument("action", nargs="?", choices=["apply"], help="apply: remove what is due and log it (admins)")
    p.add_argument("--dry-run", action="store_true", help="list what is due to go (refs and dates), removing nothing")
    p.add_argument("--policy", metavar="FILE", default=None,
                   help="the retention policy (YAML); default $PCP_RETENTION_POLICY, else pcp's own")
    _db_option(p)
    p.set_defaults(handler=cmd_retention)

    p = commands.add_parser("backup", help="back up the SQLite database, safely while pages are in use")
    p.add_argument("--out", metavar="FILE", default=None, help="the backup file to write (readable by you only)")
    p.add_argument("--verify", metavar="FILE", default=None, help="check that FILE is an undamaged pcp backup")
    p.add_argument("--encrypt", action="store_true",
                   help="encrypt the backup with a passphrase (age format; at least 12 characters)")
    _passphrase_options(p)
    _db_option(p)
    p.set_defaults(handler=cmd_backup)

    p = commands.add_parser("restore", help="restore a backup into an empty database")
    p.add_argument("file", metavar="FILE")
    _passphrase_options(p)
    _db_option(p)
    p.set_defaults(handler=cmd_restore)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except PcpError as error:
        print(f"pcp: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("pcp: stopped.", file=sys.stderr)
        return 130
    except Exception as error:  # a failure we did not foresee: still no traceback for users
        if os.environ.get("PCP_DEBUG") == "1":
            raise
        print(
            f"pcp: something went wrong that we did not expect ({type(error).__name__}: {error}). "
            "Nothing was changed by the failed step; set PCP_DEBUG=1 to see the details and report them.",
            file=sys.stderr,
        )
        return UNEXPECTED_EXIT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
