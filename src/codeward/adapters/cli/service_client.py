"""What `codeward review` and `codeward audit` share: the local store or a service URL, and who is asking.

With `--server URL` (or `CODEWARD_SERVER`) they call the service's API with `CODEWARD_TOKEN` or
`CODEWARD_API_KEY`; otherwise they open the same store as `codeward check` (`--db`, `CODEWARD_DB`,
`$CODEWARD_HOME`).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from codeward.errors import AuthorizationError, CodewardError, IdentityError, InputError, NotFound, StoreError
from codeward.model import Actor
from codeward.store.records import StateConflict

if TYPE_CHECKING:  # imported when used: `codeward check` loads this module and must stay fast
    import httpx

    from codeward.store.sql import SqlStore

TIMEOUT_SECONDS = 30.0


def access_options(function: Any) -> Any:
    """--server, --db, --token and --api-key, in that order of precedence."""
    for option in reversed(
        [
            click.option(
                "--server", envvar="CODEWARD_SERVER", metavar="URL", help="A codeward service to ask."
            ),
            click.option(
                "--db",
                envvar="CODEWARD_DB",
                metavar="URL|FILE",
                help="The local store (default: $CODEWARD_HOME).",
            ),
            click.option("--token", envvar="CODEWARD_TOKEN", help="A bearer token (OIDC/JWT): who you are."),
            click.option(
                "--api-key", envvar="CODEWARD_API_KEY", help="A codeward API key (cwk_…): who you are."
            ),
        ]
    ):
        function = option(function)
    return function


def open_store(db: str | None) -> SqlStore:
    from codeward.store.location import locate
    from codeward.store.sql import SqlStore

    return SqlStore.open(locate(db))


def local_actor(store: SqlStore, token: str | None, api_key: str | None) -> Actor:
    """Who runs the command against the local store: the credential's actor, else this OS user, unverified."""
    from codeward.identity import ApiKeyVerifier, Authenticator, IdentityConfig

    authenticator = Authenticator(
        IdentityConfig.from_environment(), api_keys=ApiKeyVerifier(store.api_key_actor)
    )
    actor = authenticator.authenticate(f"Bearer {token}" if token else None, api_key)
    if actor.verified:
        return actor
    return Actor(id=f"local:{getpass.getuser()}", verified=False, method="cli")


class Remote:
    """The service's API, with errors turned back into codeward's own."""

    def __init__(self, url: str, *, token: str | None, api_key: str | None) -> None:
        import httpx

        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        elif api_key:
            headers["X-API-Key"] = api_key
        self.url = url.rstrip("/")
        self.client = httpx.Client(base_url=self.url, headers=headers, timeout=TIMEOUT_SECONDS)

    def call(self, method: str, path: str, **arguments: Any) -> Any:
        import httpx

        try:
            response = self.client.request(method, path, **arguments)
        except httpx.HTTPError as error:
            raise StoreError(f"the service at {self.url} is unreachable: {error}") from None
        _raise_for(response)
        return response.json()

    def lines(self, path: str, **arguments: Any) -> Iterator[str]:
        import httpx

        try:
            with self.client.stream("GET", path, **arguments) as response:
                if response.status_code >= 400:
                    response.read()
                    _raise_for(response)
                yield from (line for line in response.iter_lines() if line.strip())
        except httpx.HTTPError as error:
            raise StoreError(f"the service at {self.url} is unreachable: {error}") from None

    def close(self) -> None:
        self.client.close()


_ERRORS: dict[int, type[CodewardError]] = {
    401: IdentityError,
    403: AuthorizationError,
    404: NotFound,
    409: StateConflict,
    413: InputError,
    422: InputError,
}


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        message = str(response.json().get("error", response.text))
    except ValueError:
        message = response.text[:300]
    raise _ERRORS.get(response.status_code, StoreError)(
        f"the service answered {response.status_code}: {message}"
    )
