"""invites.revoked_at, users.submissions_seen_at, media.agency_id (exports that name people)

Revision ID: 0005
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submissions_seen_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agency_id", Id, nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_media_agency_id_agencies"), "agencies", ["agency_id"], ["id"],
                                    ondelete="CASCADE")
        batch_op.create_index(batch_op.f("ix_media_agency_id"), ["agency_id"], unique=False)
    with op.batch_alter_table("conversation_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_sessions_submitted_at"), ["submitted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversation_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_sessions_submitted_at"))
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_agency_id"))
        batch_op.drop_constraint(batch_op.f("fk_media_agency_id_agencies"), type_="foreignkey")
        batch_op.drop_column("agency_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("submissions_seen_at")
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
