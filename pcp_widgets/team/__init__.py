"""``pcp team``: pcp for a care provider's staff, each signing in with their own account through JupyterHub.

``pcp serve`` is for one person on one computer, who signs in with a token and is its admin.
A team needs each person named, with their own role and services, and JupyterHub (the Jupyter
ecosystem's multi-user front door) does the signing in:

* :func:`init_team` (``pcp team init``) writes a folder holding a ``jupyterhub_config.py`` for the
  provider, ``team.json`` (addresses, the proxy, the first admin: nothing secret), the Hub's cookie
  secret and the pcp database URL (a PostgreSQL URL can hold a password), every file readable by
  this account only; and it adds the first admin to pcp's own users table.
* :func:`serve_team` (``pcp team serve``) checks what a person can get wrong (no configuration,
  a port in use, no proxy, a secret file others can read) and says so in one sentence, then becomes
  the Hub.

Each signed-in person gets a server of their own that serves the pcp pages only
(:mod:`pcp_widgets.team.singleuser`, started by :class:`pcp_widgets.team.spawner.PcpSpawner`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from pcp_widgets.errors import PcpError, ServeError

CONFIG_FILE, SETTINGS_FILE = "jupyterhub_config.py", "team.json"
COOKIE_SECRET_FILE, DATABASE_URL_FILE = "jupyterhub_cookie_secret", "pcp-database-url"
USERS_FOLDER = "users"
AUTHENTICATORS = ("native", "entra", "ldap")
#: A Hub user name pcp accepts for the first admin: what NativeAuthenticator and the Hub's URLs take without
#: escaping (lower case: the Hub lowers every name, and so does pcp's users table).
HUB_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,119}$")
PROXY = "configurable-http-proxy"


@dataclass(frozen=True)
class TeamSettings:
    """What ``team.json`` holds: where the Hub listens, its own ports, the proxy command, who signs in how."""

    admin: str
    authenticator: str = "native"
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    proxy: str = PROXY

    @classmethod
    def read(cls, folder: Path) -> "TeamSettings":
        path = folder / SETTINGS_FILE
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
            return cls(**values)
        except OSError as error:
            raise ServeError(f"cannot read {path}: {error.strerror}; write the team configuration again with "
                             "pcp team init.") from None
        except (ValueError, TypeError):
            raise ServeError(f"{path} is not a team configuration pcp can read; write it again with "
                             "pcp team init.") from None


def default_folder() -> Path:
    """Where ``pcp team init`` writes and ``pcp team serve`` reads unless told otherwise."""
    from platformdirs import user_config_path

    from pcp_widgets.environment import APP_NAME

    return user_config_path(APP_NAME) / "team"


def check_admin_name(name: str) -> str:
    """The first admin's Hub name in lower case, or one sentence saying what a name may hold."""
    key = (name or "").strip().lower()
    if not HUB_NAME.match(key):
        raise PcpError(f"{name!r} cannot be a sign-in name; use letters, digits and . _ @ - (up to 120), "
                       "starting with a letter or digit, such as sam.jones.")
    return key


def check_settings_values(settings: TeamSettings) -> None:
    if settings.authenticator not in AUTHENTICATORS:
        raise PcpError(f"{settings.authenticator!r} is not an authenticator pcp team knows; choose one of "
                       f"{', '.join(AUTHENTICATORS)}.")
    ports = {"--port": settings.port, "--hub-port": settings.hub_port, "--proxy-api-port": settings.proxy_api_port}
    for option, port in ports.items():
        if not 0 < port < 65536:
            raise PcpError(f"{option} {port} is not a port number; use one from 1024 to 65535.")
    if len(set(ports.values())) < len(ports):
        raise PcpError("--port, --hub-port and --proxy-api-port must be three different ports.")


def _write_owner_only(path: Path, text: str) -> None:
    """Create ``path`` readable and writable by this account only, from its first byte."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def init_team(db: str | None, admin: str, authenticator: str = "native", out: str | Path | None = None,
              *, ip: str = "127.0.0.1", port: int = 8000, hub_port: int = 8081, proxy_api_port: int = 8001,
              proxy: str = PROXY, by: str | None = None) -> Path:
    """Write the team configuration to ``out`` and make ``admin`` a pcp admin; returns the folder.

    Nothing is written when an input is wrong, and a folder that already holds a configuration is
    never overwritten (its cookie secret signs every sign-in in use).
    """
    from pcp_widgets.identity import signed_in_name
    from pcp_widgets.store import open_store
    from pcp_widgets.team.hub_config import config_text

    settings = TeamSettings(check_admin_name(admin), authenticator, ip, port, hub_port, proxy_api_port, proxy)
    check_settings_values(settings)
    folder = Path(out).expanduser() if out else default_folder()
    if (folder / CONFIG_FILE).exists() or (folder / SETTINGS_FILE).exists():
        raise PcpError(f"{folder} already holds a team configuration; pcp team init does not overwrite it "
                       "(choose another folder with --out, or remove that one first).")
    if folder.exists() and not folder.is_dir():
        raise PcpError(f"{folder} is a file, not a folder; choose a folder with --out.")
    store = open_store(db)
    try:
        existing = store.find_user(settings.admin)
        if existing is not None and existing.role != "admin":
            raise PcpError(f"{settings.admin} is already a pcp user ({existing.role}); make them an admin with "
                           f"pcp users set-role {settings.admin} --role admin, or choose another --admin.")
        url = store.url
        old_mask = os.umask(0o077)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)
            (folder / USERS_FOLDER).mkdir(mode=0o700, exist_ok=True)
            _write_owner_only(folder / COOKIE_SECRET_FILE, secrets.token_hex(32) + "\n")
            _write_owner_only(folder / DATABASE_URL_FILE, url + "\n")
            _write_owner_only(folder / SETTINGS_FILE, json.dumps(asdict(settings), indent=2) + "\n")
            _write_owner_only(folder / CONFIG_FILE, config_text(settings))
        finally:
            os.umask(old_mask)
        if existing is None:
            store.add_user(settings.admin, "admin", (), by=by or signed_in_name()[0])
    finally:
        store.dispose()
    return folder


# -- pcp team serve ----------------------------------------------------------------------------


def owner_only_problem(path: Path) -> str | None:
    """Why ``path`` (a secret) must not be used as it is, or None: missing, or readable by other accounts."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"{path} is missing; write the team configuration again with pcp team init."
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return f"{path} can be read by other accounts on this computer; make it yours only with chmod 600 {path}."
    return None


def find_proxy(command: str) -> str:
    """The proxy's full path, or one sentence saying how to install it."""
    found = shutil.which(os.path.expanduser(command))
    if found is None:
        raise ServeError(f"the team server needs configurable-http-proxy, and {command} is not installed or not "
                         "found; install it with npm install -g configurable-http-proxy (or give its path with "
                         "pcp team init --proxy PATH).")
    return found


def check_team_ports(settings: TeamSettings) -> None:
    """Each of the three ports free, or one sentence naming the one in use."""
    from pcp_widgets.serve import check_port

    for ip, port, what in ((settings.ip, settings.port, "the Hub's"), ("127.0.0.1", settings.hub_port,
                           "the Hub's own API"), ("127.0.0.1", settings.proxy_api_port, "the proxy's API")):
        try:
            check_port(ip, port)
        except ServeError as error:
            if "already in use" not in str(error):
                raise
            raise ServeError(f"port {port} ({what} port) is already in use, perhaps by a team server that is "
                             "already running; stop that program, or write a configuration with other ports "
                             "with pcp team init.") from None


def team_folder(config: str | Path | None) -> Path:
    """The folder of a team configuration, or one sentence saying how to write one."""
    folder = Path(config).expanduser() if config else default_folder()
    if not (folder / CONFIG_FILE).is_file():
        raise ServeError(f"there is no team configuration in {folder}; write one with pcp team init --admin NAME"
                         + (f" --out {folder}." if config else "."))
    return folder


def _check_filled_in(folder: Path, authenticator: str) -> None:
    """Entra ID and LDAP need the provider's own values in the configuration (and Entra its secret file)."""
    active = [line for line in (folder / CONFIG_FILE).read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.lstrip().startswith("#")]
    if any("YOUR-" in line for line in active):
        raise ServeError(f"{folder / CONFIG_FILE} still holds placeholders (YOUR-...) in its {authenticator} "
                         "block; fill in your own values first (the README's team server section says which).")
    if authenticator == "entra":
        problem = owner_only_problem(folder / "entra-client-secret")
        if problem:
            raise ServeError(problem.replace("write the team configuration again with pcp team init",
                                             "put the Entra ID application's client secret in it"))


def hub_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "jupyterhub", "-f", str(folder / CONFIG_FILE)]


def serve_team(config: str | Path | None = None) -> int:
    """Check the configuration in ``config`` and become the Hub (never returns when the Hub starts)."""
    folder = team_folder(config)
    settings = TeamSettings.read(folder)
    check_settings_values(settings)
    for secret in (COOKIE_SECRET_FILE, DATABASE_URL_FILE):
        problem = owner_only_problem(folder / secret)
        if problem:
            raise ServeError(problem)
    if settings.authenticator != "native":
        _check_filled_in(folder, settings.authenticator)
    find_proxy(settings.proxy)
    check_team_ports(settings)
    os.umask(0o077)  # the Hub's own database and each person's folder: this account's only
    os.chdir(folder)
    from pcp_widgets.serve import public_url

    print(f"pcp team server: open {public_url(settings.ip, settings.port, None)} to sign in (press Ctrl-C to stop)",
          flush=True)
    command = hub_command(folder)
    os.execv(command[0], command)
    return 0  # pragma: no cover (execv does not return)


__all__ = ["init_team", "serve_team", "TeamSettings", "check_admin_name", "default_folder", "AUTHENTICATORS"]
