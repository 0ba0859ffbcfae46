"""reminders (schedule, coordinators' reminders) and reminder_sends (one row per recipient)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", Id, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("round_id", Id, nullable=True),
        sa.Column("agency_id", Id, nullable=False),
        sa.Column("slot", sa.Date(), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("created_by", Id, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_reminders_round_id_rounds"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_reminders_agency_id_agencies"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_reminders_created_by_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("round_id", "kind", "slot", name=op.f("uq_reminders_round_id")),
    )
    op.create_index(op.f("ix_reminders_status"), "reminders", ["status"], unique=False)
    op.create_table(
        "reminder_sends",
        sa.Column("id", Id, nullable=False),
        sa.Column("reminder_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("round_id", Id, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("batch", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["reminder_id"], ["reminders.id"],
                                name=op.f("fk_reminder_sends_reminder_id_reminders"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reminder_sends_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], name=op.f("fk_reminder_sends_round_id_rounds"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sends")),
        sa.UniqueConstraint("reminder_id", "user_id", name=op.f("uq_reminder_sends_reminder_id")),
    )
    op.create_index("ix_reminder_sends_person", "reminder_sends", ["user_id", "round_id", "status"], unique=False)
    op.create_index("ix_reminder_sends_batch", "reminder_sends", ["reminder_id", "status", "channel", "batch"],
                    unique=False)


def downgrade() -> None:
    op.drop_table("reminder_sends")
    op.drop_table("reminders")
