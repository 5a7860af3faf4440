"""An index on a session's decisions in the order they were recorded, so that a service process can
ask for what a session recorded since it last looked; it takes the place of the index on the session
alone, which both composite indexes cover.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_decisions_session_seq", "decisions", ["session_id", "audit_seq"])
    op.drop_index("ix_decisions_session_id", table_name="decisions")


def downgrade() -> None:
    op.create_index("ix_decisions_session_id", "decisions", ["session_id"])
    op.drop_index("ix_decisions_session_seq", table_name="decisions")
