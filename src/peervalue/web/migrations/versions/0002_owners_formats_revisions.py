"""Owners, document formats and revision history for saved scenarios.

Revision ID: 0002
Revises: 0001

Existing rows are stamped as format 1 (the whole merged document, as saved before formats),
written by an unknown release, with no owner key (so only the admin token may change or
delete them); each becomes revision history of its own current revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None

#: the peervalue release recorded for rows saved before this migration
UNKNOWN_RELEASE = "before format versions"


def upgrade() -> None:
    with op.batch_alter_table("scenarios") as batch:
        batch.add_column(
            sa.Column("format_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch.add_column(
            sa.Column("written_by", sa.String(40), nullable=False, server_default=UNKNOWN_RELEASE)
        )
        batch.add_column(sa.Column("owner_key_hash", sa.String(64), nullable=True))
    op.create_table(
        "scenario_revisions",
        sa.Column(
            "scenario_id",
            sa.String(36),
            sa.ForeignKey("scenarios.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("revision", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("written_by", sa.String(40), nullable=False),
        sa.Column("saved", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO scenario_revisions "
        "(scenario_id, revision, name, document, format_version, written_by, saved) "
        "SELECT id, revision, name, document, format_version, written_by, updated "
        "FROM scenarios"
    )


def downgrade() -> None:
    op.drop_table("scenario_revisions")
    with op.batch_alter_table("scenarios") as batch:
        batch.drop_column("owner_key_hash")
        batch.drop_column("written_by")
        batch.drop_column("format_version")
