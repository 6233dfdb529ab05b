"""The text of the ``jupyterhub_config.py`` that ``pcp team init`` writes.

The file is for the provider's admin to read and change, so it explains itself: each setting says
why it is there. The three ways of signing in are all written, the chosen one active and the
other two commented out, so changing later is uncommenting a block, not reading JupyterHub's
documentation from the start. Values that are the provider's own (ports, the first admin) are
read from ``team.json``; the secrets from their owner-only files beside it.
"""

from __future__ import annotations

HEADER = '''\
"""JupyterHub configuration for pcp's team server, written by `pcp team init`.

Start the Hub with `pcp team serve --config FOLDER` (FOLDER: the one holding this file).
Beside this file: team.json (addresses, ports, the proxy, the first admin), and two files
readable by this account only: jupyterhub_cookie_secret (signs every sign-in; keep it secret)
and pcp-database-url (the pcp database every person's pages use).
"""

import json
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub defines get_config when it reads this file)
here = Path(__file__).resolve().parent
team = json.loads((here / "team.json").read_text(encoding="utf-8"))

# -- Where people reach the Hub ------------------------------------------------------------------
# Before anyone on another computer uses it, put it behind HTTPS: a reverse proxy (nginx, Caddy) in
# front of this address, or c.JupyterHub.ssl_cert and c.JupyterHub.ssl_key here.
c.JupyterHub.bind_url = f"http://{team['ip']}:{team['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{team['hub_port']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{team['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [team["proxy"]]
c.JupyterHub.cookie_secret_file = str(here / "jupyterhub_cookie_secret")
c.JupyterHub.db_url = "sqlite:///" + str(here / "jupyterhub.sqlite")

# A sign-in lasts 12 hours at most: the Hub's cookie, and the token each person's pages hold.
c.JupyterHub.cookie_max_age_days = 0.5
c.JupyterHub.oauth_token_expires_in = 12 * 3600

# -- What each signed-in person gets: the pcp pages only -------------------------------------------
# PcpSpawner starts `python -m pcp_widgets.team.singleuser` for each person: Voila serving the
# registered pcp pages, with no JupyterLab, terminal, file browser or code of their own, reachable
# by that person only. It runs as this account (no account per person is needed); see the
# README's "A team server (JupyterHub)" for why that is safe here.
c.JupyterHub.spawner_class = "pcp_widgets.team.spawner.PcpSpawner"
c.PcpSpawner.pcp_db = (here / "pcp-database-url").read_text(encoding="utf-8").strip()
c.PcpSpawner.users_dir = str(here / "users")
c.Spawner.start_timeout = 120  # seconds for a person's server to start on a busy machine
c.Spawner.http_timeout = 120
c.JupyterHub.allow_named_servers = False

# -- Admins ----------------------------------------------------------------------------------------
# The first admin (pcp team init made them an admin in pcp too). Hub admins approve sign-ups and
# can stop people's servers; they cannot open anyone else's pages. Add more with the Hub's admin
# page or here; their role in pcp is set with `pcp users set-role NAME --role admin`.
c.Authenticator.admin_users = {team["admin"]}

# -- How people sign in: one of the three blocks below is active -----------------------------------
'''

NATIVE = '''\
# NativeAuthenticator (the default, for a small provider): each person signs up at /hub/signup with a
# name and a password; an admin approves the sign-up at /hub/authorize before they can sign in, and
# gives them a role: `pcp users add NAME --role staff --service "SERVICE"`.
# The first admin signs up with their own name; admins are approved as they sign up.
c.JupyterHub.authenticator_class = "native"
c.NativeAuthenticator.open_signup = False
c.NativeAuthenticator.minimum_password_length = 12
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.allowed_failed_logins = 5
c.NativeAuthenticator.seconds_before_next_try = 300
# NativeAuthenticator itself refuses anyone not approved; the Hub need not keep a second list.
c.NativeAuthenticator.allow_all = True
'''

ENTRA = '''\
# Microsoft Entra ID (Azure AD), for a provider whose staff have Microsoft 365 accounts:
# pip install 'pcp-workbook[team-sso]'; register an application in Entra ID with the redirect URI
# https://YOUR-HOST/hub/oauth_callback; put its client secret in a file beside this one, readable
# by this account only (chmod 600 entra-client-secret); fill in the two IDs below.
# People's names in pcp are their sign-in names (sam.jones@provider.org.uk): use them in pcp users add.
c.JupyterHub.authenticator_class = "azuread"
c.AzureAdOAuthenticator.tenant_id = "YOUR-DIRECTORY-TENANT-ID"
c.AzureAdOAuthenticator.client_id = "YOUR-APPLICATION-CLIENT-ID"
c.AzureAdOAuthenticator.client_secret = (here / "entra-client-secret").read_text(encoding="utf-8").strip()
c.AzureAdOAuthenticator.oauth_callback_url = "https://YOUR-HOST/hub/oauth_callback"
c.AzureAdOAuthenticator.username_claim = "preferred_username"
# Anyone in your tenant may sign in to the Hub; pcp shows nothing to a person it has no role for.
c.AzureAdOAuthenticator.allow_all = True
'''

LDAP = '''\
# LDAP (Active Directory or another directory), for a provider whose staff sign in to it already:
# pip install 'pcp-workbook[team-sso]'; fill in your directory's address and how a name becomes
# its distinguished name. People's names in pcp are the names they type here.
c.JupyterHub.authenticator_class = "ldap"
c.LDAPAuthenticator.server_address = "ldap.YOUR-DOMAIN.local"
c.LDAPAuthenticator.tls_strategy = "before_bind"  # never "insecure": passwords cross the network
c.LDAPAuthenticator.bind_dn_template = ["uid={username},ou=people,dc=YOUR-DOMAIN,dc=local"]
# Only members of this group may sign in to the Hub:
c.LDAPAuthenticator.allowed_groups = ["cn=care-staff,ou=groups,dc=YOUR-DOMAIN,dc=local"]
'''

BLOCKS = {"native": NATIVE, "entra": ENTRA, "ldap": LDAP}


def commented(block: str) -> str:
    """``block`` with each setting commented out (its explanations stay as they are)."""
    return "".join(line if line.startswith("#") or not line.strip() else "# " + line
                   for line in block.splitlines(keepends=True))


def config_text(settings) -> str:
    """The whole ``jupyterhub_config.py``: the chosen authenticator's block active, the other two commented out."""
    blocks = [BLOCKS[settings.authenticator]]
    blocks += [commented(block) for name, block in BLOCKS.items() if name != settings.authenticator]
    return HEADER + "\n".join(blocks)
