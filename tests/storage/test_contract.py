"""The storage contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from storage import invite_codes
from storage import repository as repo
from storage.database import Database
from storage.migrate import current_revision, upgrade
from storage.schema import agencies, answers, audit_log, conversation_sessions, users


async def _agency_round(db: Database, clock, *, parent: bool = False) -> tuple[int, int, int]:
    now = clock()
    async with db.transaction() as conn:
        top = await repo.add_agency(conn, "PROV", "สำนักงานจังหวัดทดสอบ", None, now)
        agency = await repo.add_agency(conn, "AG1", "สำนักงานเกษตรจังหวัด", top, now) if parent else top
        round_id = await repo.open_round(conn, "รอบ 2569", top, date(2026, 11, 1), date(2026, 12, 31), now)
        assessment = await repo.assessment_for(conn, agency, round_id, "pmqa4", "2569.1", now)
    return agency, round_id, assessment


async def test_migrations_reach_head_and_are_idempotent(database: Database) -> None:
    assert await current_revision(database) == "0008"
    await upgrade(database)  # a second start must not fail or change anything
    assert await current_revision(database) == "0008"


async def test_migrations_build_exactly_the_declared_tables(database: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.schema import Base

    async with database.engine.connect() as conn:
        differences = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    assert differences == []


async def test_event_ids_are_claimed_once(database: Database, clock) -> None:
    async with database.transaction() as conn:
        assert await repo.claim_event(conn, "line", "01HXYZ", clock())
        assert not await repo.claim_event(conn, "line", "01HXYZ", clock())
        assert await repo.claim_event(conn, "telegram", "01HXYZ", clock()), "ids are per channel"


async def test_a_failed_transaction_leaves_the_event_unclaimed(database: Database, clock) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as conn:
            await repo.claim_event(conn, "line", "E1", clock())
            raise RuntimeError("crash halfway")
    async with database.transaction() as conn:
        assert await repo.claim_event(conn, "line", "E1", clock()), "a redelivery must be processed again"


async def test_users_are_unique_per_channel_and_keep_thai_names(database: Database, clock) -> None:
    async with database.transaction() as conn:
        user = await repo.create_user(conn, "line", "U1", "สมหญิง ใจดี", clock())
        found = await repo.lock_user(conn, "line", "U1", for_update=not database.is_sqlite)
    assert found is not None and found.id == user.id and found.display_name == "สมหญิง ใจดี"
    with pytest.raises(IntegrityError):
        async with database.transaction() as conn:
            await repo.create_user(conn, "line", "U1", None, clock())


async def test_changed_answers_keep_their_history_with_times(database: Database, clock) -> None:
    _, _, assessment = await _agency_round(database, clock)
    async with database.transaction() as conn:
        user = await repo.create_user(conn, "line", "U1", None, clock())
        await repo.record_answer(conn, assessment, user.id, "Q1.1B", "1", clock())
    first_time = clock()
    clock.advance(hours=26)
    async with database.transaction() as conn:
        await repo.record_answer(conn, assessment, user.id, "Q1.1B", "3", clock())
        current = await repo.current_answers(conn, assessment, user.id)
        history = await repo.answer_history(conn, assessment, user.id, "Q1.1B")
    assert current == {"Q1.1B": "3"}
    assert [(row.value, row.replaced_at is None) for row in history] == [("1", False), ("3", True)]
    assert history[0].answered_at == first_time and history[0].replaced_at == clock()
    assert history[0].answered_at.tzinfo is not None, "times come back aware, in UTC"


async def test_set_aside_answers_leave_the_current_set_but_stay_in_history(database: Database, clock) -> None:
    _, _, assessment = await _agency_round(database, clock)
    async with database.transaction() as conn:
        user = await repo.create_user(conn, "line", "U1", None, clock())
        await repo.record_answer(conn, assessment, user.id, "Q1.1A", "2", clock())
        await repo.set_aside(conn, assessment, user.id, "Q1.1A", clock())
        assert await repo.current_answers(conn, assessment, user.id) == {}
        (row,) = await repo.answer_history(conn, assessment, user.id, "Q1.1A")
    assert row.set_aside and row.replaced_at is not None


async def test_one_current_answer_per_question_is_enforced_by_the_database(database: Database, clock) -> None:
    _, _, assessment = await _agency_round(database, clock)
    async with database.transaction() as conn:
        user = await repo.create_user(conn, "line", "U1", None, clock())
        await repo.record_answer(conn, assessment, user.id, "Q1.1B", "1", clock())
    with pytest.raises(IntegrityError):
        async with database.transaction() as conn:
            await conn.execute(insert(answers).values(assessment_id=assessment, user_id=user.id, question_id="Q1.1B",
                                                      value="2", answered_at=clock(), set_aside=False))


async def test_a_province_round_reaches_its_agencies_and_closed_rounds_do_not(database: Database, clock) -> None:
    agency, round_id, _ = await _agency_round(database, clock, parent=True)
    async with database.transaction() as conn:
        found = await repo.current_round(conn, agency, date(2026, 11, 24))
        assert found is not None and found.id == round_id and found.closes_on == date(2026, 12, 31)
        assert await repo.current_round(conn, agency, date(2026, 10, 1)) is None, "not open yet"
        from sqlalchemy import update

        from storage.schema import rounds
        await conn.execute(update(rounds).values(closed_at=clock()))
        assert await repo.current_round(conn, agency, date(2026, 11, 24)) is None


async def test_assessments_are_created_once_and_pinned_to_the_bank_version(database: Database, clock) -> None:
    agency, round_id, assessment = await _agency_round(database, clock)
    async with database.transaction() as conn:
        again = await repo.assessment_for(conn, agency, round_id, "pmqa4", "2570.1", clock())
        from storage.schema import assessments
        version = await conn.scalar(select(assessments.c.bank_version).where(assessments.c.id == assessment))
    assert again == assessment and version == "2569.1"


async def test_invites_are_counted_and_refused_when_expired_or_used_up(database: Database, clock) -> None:
    agency, _, _ = await _agency_round(database, clock)
    async with database.transaction() as conn:
        code = await invite_codes.create_invite(conn, agency, "officer", clock(), uses=1, days=7, categories=(1, 7))
        late = await invite_codes.create_invite(conn, agency, "officer", clock(), uses=5, days=1)
    assert len(code) == invite_codes.INVITE_LENGTH and set(code) <= set(invite_codes.INVITE_ALPHABET)
    async with database.transaction() as conn:
        granted = await invite_codes.redeem_invite(conn, code, clock())
        assert isinstance(granted, invite_codes.Redeemed) and granted.categories == (1, 7)
        assert granted.agency_name == "สำนักงานจังหวัดทดสอบ"
        assert await invite_codes.redeem_invite(conn, code, clock()) == "used_up"
        assert await invite_codes.redeem_invite(conn, "NOSUCHCODE", clock()) == "unknown"
    clock.advance(days=2)
    async with database.transaction() as conn:
        assert await invite_codes.redeem_invite(conn, late, clock()) == "expired"


async def test_a_session_saved_by_someone_else_is_not_overwritten(database: Database, clock) -> None:
    async with database.transaction() as conn:
        user = await repo.create_user(conn, "line", "U1", None, clock())
        row = repo.SessionRow(None, "consent", None, {}, 1)
        await repo.save_session(conn, user.id, row, expected_version=None, now=clock())
        await repo.save_session(conn, user.id, repo.SessionRow(None, "join", None, {}, 2), expected_version=1,
                                now=clock())
    with pytest.raises(repo.StaleSession):
        async with database.transaction() as conn:
            await repo.save_session(conn, user.id, repo.SessionRow(None, "new", None, {}, 2),
                                    expected_version=1, now=clock())
    async with database.transaction() as conn:
        stored = await repo.load_session(conn, user.id)
    assert stored is not None and stored.phase == "join" and stored.version == 2


async def test_forgetting_a_user_erases_them_but_keeps_an_anonymous_audit(database: Database, clock) -> None:
    _, _, assessment = await _agency_round(database, clock)
    async with database.transaction() as conn:
        user = await repo.create_user(conn, "line", "U1", "สมชาย", clock())
        await repo.record_answer(conn, assessment, user.id, "Q1.1B", "1", clock())
        await repo.save_session(conn, user.id, repo.SessionRow(assessment, "answering", "Q1.2B", {}, 3),
                                expected_version=None, now=clock())
        await repo.audit(conn, clock(), user.id, "invite.redeemed", "1", {})
        await repo.forget_user(conn, user.id, clock())
    async with database.engine.connect() as conn:
        for table in (users, answers, conversation_sessions):
            assert await conn.scalar(select(func.count()).select_from(table)) == 0, table.name
        actions = {row.action: row.actor_user_id for row in await conn.execute(select(audit_log))}
    assert actions == {"invite.redeemed": None, "user.forgotten": None}


async def test_concurrent_read_modify_write_loses_no_update(database: Database, clock) -> None:
    """The measured SQLite trap: without BEGIN IMMEDIATE / row locks, read-then-write loses updates."""
    async with database.transaction() as conn:
        user = await repo.create_user(conn, "line", "U1", None, clock())
        await repo.save_session(conn, user.id, repo.SessionRow(None, "answering", None, {}, 0),
                                expected_version=None, now=clock())
    workers = [database, database.another()]

    async def bump(db: Database) -> None:
        for _ in range(15):
            async with db.transaction() as conn:
                await repo.lock_user(conn, "line", "U1", for_update=not db.is_sqlite)
                stored = await repo.load_session(conn, user.id)
                assert stored is not None
                await asyncio.sleep(0)  # let the other worker try to interleave
                row = repo.SessionRow(None, "answering", None, {}, stored.version + 1)
                await repo.save_session(conn, user.id, row, expected_version=stored.version, now=clock())

    try:
        await asyncio.gather(*(bump(workers[n % 2]) for n in range(4)))
    finally:
        await workers[1].dispose()
    async with database.transaction() as conn:
        stored = await repo.load_session(conn, user.id)
    assert stored is not None and stored.version == 60


async def test_dates_and_thai_text_round_trip(database: Database, clock) -> None:
    async with database.transaction() as conn:
        agency = await repo.add_agency(conn, "TH", "สำนักงานพัฒนาชุมชนจังหวัดน่าน", None, clock())
        round_id = await repo.open_round(conn, "รอบประเมิน ปีงบประมาณ 2569", agency, date(2026, 10, 1),
                                         date(2026, 10, 1) + timedelta(days=364), clock())
        found = await repo.current_round(conn, agency, date(2026, 11, 24))
        row = await repo.agency_by_id(conn, agency)
    assert row.name == "สำนักงานพัฒนาชุมชนจังหวัดน่าน"
    assert found is not None and found.id == round_id and found.name == "รอบประเมิน ปีงบประมาณ 2569"
    assert found.closes_on == date(2027, 9, 30)


async def test_old_event_ids_and_expired_media_are_pruned(database: Database, clock) -> None:
    from datetime import timedelta

    async with database.transaction() as conn:
        await repo.claim_event(conn, "line", "old", clock())
        token = await repo.store_media(conn, b"\x89PNG", "image/png", "chart.png", clock(), timedelta(days=7))
        assert (await repo.load_media(conn, token, clock())).data == b"\x89PNG"
    clock.advance(days=8)
    async with database.transaction() as conn:
        await repo.claim_event(conn, "line", "new", clock())
        assert await repo.load_media(conn, token, clock()) is None, "an expired link serves nothing"
        assert await repo.prune_events(conn, clock() - timedelta(days=7)) == 1
        assert await repo.prune_media(conn, clock()) == 1
        assert await repo.claim_event(conn, "line", "old", clock()), "a pruned id is forgotten"
        assert not await repo.claim_event(conn, "line", "new", clock())


async def test_a_long_read_does_not_hold_up_a_writer(database: Database, clock) -> None:
    """A coordinator's province status reads for a while; officers' answers must not wait for it."""
    async with database.read() as reader:
        await reader.execute(select(agencies.c.id))  # the snapshot has begun
        other = database.another()
        try:
            async with asyncio.timeout(2):
                async with other.transaction() as writer:
                    await repo.add_agency(writer, "W1", "หน่วยงานเขียน", None, clock())
        finally:
            await other.dispose()
        assert (await reader.execute(select(agencies.c.id).where(agencies.c.code == "W1"))).first() is None, \
            "a read sees one snapshot"
