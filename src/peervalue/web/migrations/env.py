"""Alembic's environment for peervalue: the connection comes from ``storage.migrate``."""

from __future__ import annotations

from alembic import context

from peervalue.web.storage import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
