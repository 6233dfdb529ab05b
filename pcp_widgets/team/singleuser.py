"""One signed-in person's own pcp server, started by JupyterHub's spawner under ``pcp team serve``.

It is :func:`pcp_widgets.serve.run_pages` (the same Voila server as ``pcp serve``: registered pages
only, no sources, no tracebacks, idle kernels stopped, a cap on pages) with the Hub, not a token,
deciding who may use it:

* Sign-in is JupyterHub's own single-user OAuth (:class:`jupyterhub.services.auth.HubOAuth`, through
  the identity provider of ``jupyterhub.singleuser.extension``): a browser without the Hub's cookie for
  this server is sent to the Hub to sign in, and comes back through ``/user/NAME/oauth_callback``.
* Only the person the server belongs to gets in. JupyterHub would also let its admins in (their role
  holds ``access:servers``); here they get 403, because everything this server does is done and logged
  as its owner, so an admin inside it would act, and be recorded, as someone else.
* The owner's name is ``JUPYTERHUB_USER``, which the Hub's spawner put in this process's environment
  after signing them in; the pages' kernels inherit it and :mod:`pcp_widgets.identity` reads it. No
  header, cookie or query string changes it: Voila copies no request header into a kernel's
  environment except the practice key, which the server itself sets from its own cookie (see
  :mod:`pcp_widgets.practice.browser_key`; behind the Hub a practice answer belongs to the Hub user and the
  key is ignored), and the environment is fixed before any request.
* There is no JupyterLab, terminal, file browser, contents API or code execution here: this process
  is Voila, not Jupyter Server, and Voila runs only the registered pages.
* The Hub's API token for this server is taken out of the environment before any page kernel starts,
  so no page's kernel holds it, and it is hidden in every log line.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from pcp_widgets.errors import PcpError, ServeError

#: What the Hub's spawner sets for every single-user server (JupyterHub 2 and later pass nothing on the
#: command line).
SERVICE_URL, SERVICE_PREFIX, USER, API_TOKEN = (
    "JUPYTERHUB_SERVICE_URL", "JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_USER", "JUPYTERHUB_API_TOKEN")
#: The spawner sets the API token under this name too.
LEGACY_API_TOKEN = "JPY_API_TOKEN"


@dataclass(frozen=True)
class HubPlace:
    """Where the Hub asked this server to listen, under which path, and whose it is."""

    ip: str
    port: int
    prefix: str
    owner: str


def hub_place(environ) -> HubPlace:
    """This server's address, path and owner from the spawner's environment; one sentence when not started by a Hub."""
    missing = [name for name in (SERVICE_URL, USER, API_TOKEN) if not (environ.get(name) or "").strip()]
    if missing:
        raise ServeError(f"this is the pcp server JupyterHub starts for each signed-in person, and ${missing[0]} "
                         "is not set; start the team server with pcp team serve instead.")
    url = urlsplit(environ[SERVICE_URL])
    try:
        port = url.port or (443 if url.scheme == "https" else 80)
    except ValueError:
        raise ServeError(f"${SERVICE_URL} ({environ[SERVICE_URL]}) has no valid port.") from None
    prefix = environ.get(SERVICE_PREFIX) or "/"
    return HubPlace(url.hostname or "127.0.0.1", port, prefix if prefix.endswith("/") else prefix + "/",
                    environ[USER].strip().lower())


def owner_only_identity_provider(owner: str):
    """JupyterHub's single-user identity provider, letting in the server's ``owner`` only."""
    from jupyter_server.utils import url_path_join
    from jupyterhub.singleuser.extension import JupyterHubIdentityProvider
    from tornado.web import Finish

    from pcp_widgets.serve import plain_page

    refusal = plain_page("Not your pages", f"These pages are {owner}'s: each person has pcp pages of their own.",
                         "To open your own, go to the team server's address and sign in as yourself.")

    class OwnerOnlyIdentityProvider(JupyterHubIdentityProvider):
        """The Hub's OAuth sign-in; a signed-in person who is not ``owner`` (a Hub admin too) is refused."""

        def __init__(self, **kwargs):
            # Voila passes these for its own token sign-in form; the Hub signs people in here instead.
            kwargs.pop("token", None)
            kwargs.pop("login_handler_class", None)
            super().__init__(**kwargs)

        async def get_user(self, handler):
            user = await super().get_user(handler)
            if user is None or user.username.lower() == owner:
                return user
            handler._jupyterhub_user = None

            def refuse(*_args, **_kwargs):  # @authenticated would send them to sign in again: a loop
                handler.set_status(403)
                handler.finish(refusal)
                raise Finish()

            handler.redirect = refuse
            return None

        def get_handlers(self):
            """The Hub's logout and OAuth callback, under this server's path (Voila does not prefix them)."""
            base = self.parent.base_url
            return [(url_path_join(base, pattern), *rest) for pattern, *rest in super().get_handlers()]

    return OwnerOnlyIdentityProvider


def hub_config(place: HubPlace, api_token: str, limits=None):
    """:func:`pcp_widgets.serve.voila_config` for a server behind the Hub: its path, the Hub's sign-in, and no
    kernels started before a page is asked for (each person has a server of their own: warm kernels for
    every person would hold memory nobody uses)."""
    from jupyterhub import __version__ as hub_version

    from pcp_widgets.serve import Secrets, pages_folder, voila_config

    config = voila_config(pages_folder(), place.ip, place.port, Secrets(None, None), limits)
    config.Voila.base_url = place.prefix
    config.Voila.identity_provider_class = owner_only_identity_provider(place.owner)
    config.HubOAuth.api_token = api_token
    # The Hub reads each answer's version header to check that this server speaks its protocol.
    config.Voila.tornado_settings = {**config.Voila.tornado_settings, "headers": {"X-JupyterHub-Version": hub_version}}
    config.VoilaKernelManager.kernel_pools_config = {"default": {"pool_size": 0}}
    return config


def serve_for_hub(environ=os.environ) -> int:
    """Serve the owner's pages until the Hub stops this server."""
    from pcp_widgets.audit.schema.settings import check_settings
    from pcp_widgets.serve import ServerLimits, run_pages, scrub_every_log_record
    from pcp_widgets.store import open_store

    os.umask(0o077)
    place = hub_place(environ)
    api_token = environ.pop(API_TOKEN)
    environ.pop(LEGACY_API_TOKEN, None)  # the same token, under its pre-1.0 name
    scrub_every_log_record((api_token,))
    check_settings()
    if not (environ.get("PCP_DB") or "").strip():
        raise ServeError("$PCP_DB is not set; the team server's configuration gives every person's server the "
                         "database (run pcp team init again).")
    open_store(environ["PCP_DB"]).dispose()  # a database that cannot be opened is one sentence, before Voila
    limits = ServerLimits.from_options()
    run_pages(hub_config(place, api_token, limits), None, lambda: print(
        f"pcp is serving {place.owner}'s pages at {place.prefix}", file=sys.stderr, flush=True))
    return 0


def main() -> int:
    try:
        return serve_for_hub()
    except PcpError as error:  # a database that cannot be opened, settings that are wrong: one sentence
        print(f"pcp: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
