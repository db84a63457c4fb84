"""Content review: moderation verdicts, who reviewed a block, and per-question provenance.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import shared.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("content_blocks") as batch_op:
        batch_op.add_column(sa.Column("moderation", JSON, nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reviewed_at", shared.types.TZDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_content_blocks_status"), ["status"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_content_blocks_reviewed_by_users"), "users", ["reviewed_by"], ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("questions") as batch_op:
        batch_op.add_column(sa.Column("ai_model_used", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("distractors_model", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch_op:
        batch_op.drop_column("distractors_model")
        batch_op.drop_column("ai_model_used")

    with op.batch_alter_table("content_blocks") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_content_blocks_reviewed_by_users"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_content_blocks_status"))
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("moderation")
