"""``peervalue serve``: the JSON API under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from peervalue.cli.common import app


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
    in your data folder; PEERVALUE_API_TOKEN makes writes need a token.

    Example: peervalue serve --port 8000
    """
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
    )
