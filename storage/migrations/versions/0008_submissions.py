"""submissions: one row per officer and assessment, kept across rounds; conversation_sessions.submitted_at goes

A submission used to be a timestamp on the person's one conversation session, cleared by any move
out of the "done" phase and lost when a new round started.  Now it is its own record: `reopened_at`
marks an explicit แก้ไขหลังส่ง, and the answers as of `submitted_at` stay the agency's until the
person sends again.  Existing submitted sessions become submissions.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("assessment_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_submissions_assessment_id_assessments"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_submissions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("assessment_id", "user_id", name=op.f("pk_submissions")),
    )
    op.create_index(op.f("ix_submissions_user_id"), "submissions", ["user_id"], unique=False)
    op.create_index(op.f("ix_submissions_submitted_at"), "submissions", ["submitted_at"], unique=False)
    op.execute("INSERT INTO submissions (assessment_id, user_id, submitted_at) "
               "SELECT assessment_id, user_id, submitted_at FROM conversation_sessions "
               "WHERE submitted_at IS NOT NULL AND assessment_id IS NOT NULL")
    with op.batch_alter_table("conversation_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_sessions_submitted_at"))
        batch_op.drop_column("submitted_at")


def downgrade() -> None:
    with op.batch_alter_table("conversation_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_conversation_sessions_submitted_at"), ["submitted_at"], unique=False)
    # The session remembers only its current assessment's submission, and only one not reopened.
    op.execute("UPDATE conversation_sessions SET submitted_at = (SELECT s.submitted_at FROM submissions s "
               "WHERE s.assessment_id = conversation_sessions.assessment_id "
               "AND s.user_id = conversation_sessions.user_id AND s.reopened_at IS NULL)")
    op.drop_index(op.f("ix_submissions_submitted_at"), table_name="submissions")
    op.drop_index(op.f("ix_submissions_user_id"), table_name="submissions")
    op.drop_table("submissions")
