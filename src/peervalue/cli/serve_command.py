"""``peervalue serve``: the JSON API under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from peervalue.cli.common import app

#: file descriptors kept for the database, logs and the listening socket, beyond connections
SPARE_FILES = 64
#: connections the kernel may queue before uvicorn accepts them
BACKLOG = 4096


def _check_host(host: str, port: int) -> None:
    """``--host`` must be an address or a name this machine resolves (exit 2, not 3)."""
    import socket

    from peervalue.errors import input_error

    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise input_error(
            "--host",
            "",
            f"{host!r} is not an address or a name this machine can resolve ({reason})",
            "an address such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)",
        ) from None


def _raise_file_limit(wanted: int) -> int:
    """Raise the soft limit on open files towards ``wanted`` (as far as the hard limit
    allows); the limit now in force."""
    import contextlib
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    now = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return wanted if now == resource.RLIM_INFINITY else now


def _warn(text: str) -> None:
    typer.echo(f"warning: {text}", err=True)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (loopback by default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (more than one for load).")
    ] = 1,
) -> None:
    """Serve the web calculator (http://127.0.0.1:8000/) and the JSON API (/api/v1,
    documentation at /docs). Saved cases go to PEERVALUE_DATABASE_URL, else a SQLite file
    in your data folder; PEERVALUE_API_TOKEN makes writes need a token. Every PEERVALUE_*
    setting is checked before the server starts (the README's serving section lists them).

    Example: peervalue serve --port 8000
    """
    from peervalue.web.settings import load_settings

    _check_host(host, port)
    settings = load_settings()
    from peervalue.web.settings import is_loopback

    if not is_loopback(host):
        if settings.api_token is None:
            _warn(
                f"serving on {host}, beyond this machine, without PEERVALUE_API_TOKEN: "
                "anyone who can reach it can save cases, and no admin token can manage them"
            )
        if settings.allowed_hosts == ("localhost", "127.0.0.1", "::1"):
            _warn(
                "PEERVALUE_ALLOWED_HOSTS is not set: requests naming any host but localhost, "
                "127.0.0.1 or ::1 get 400; set it to the names clients use"
            )
    files = _raise_file_limit(settings.max_connections + SPARE_FILES)
    if files < settings.max_connections + SPARE_FILES:
        _warn(
            f"the limit on open files is {files}, below PEERVALUE_MAX_CONNECTIONS "
            f"({settings.max_connections}) + {SPARE_FILES}; raise it (ulimit -n) or lower "
            "PEERVALUE_MAX_CONNECTIONS"
        )

    import uvicorn

    from peervalue.web.serving import HTTP_PROTOCOL

    uvicorn.run(
        "peervalue.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=HTTP_PROTOCOL,
        log_level="info",
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=settings.keep_alive,
        backlog=BACKLOG,
    )
