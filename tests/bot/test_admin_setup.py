"""Setting up and running a deployment from the command line, as a new administrator would:
demo-data (once), listing and closing rounds, invites with their default terms, the message to forward,
listing and revoking them — and what a revoked code says to the person who types it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from bot.invites import INVITE_TERMS

PMQA_BOT = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PMQA_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}")
    return tmp_path


def _rows(workdir: Path, query: str) -> list[tuple]:
    with sqlite3.connect(workdir / "admin.db") as conn:
        return conn.execute(query).fetchall()


def _run(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> str:
    assert main(list(argv)) == code
    captured = capsys.readouterr()
    return captured.out + captured.err


def _chat(workdir: Path, user: str, lines: list[str]) -> str:
    """`pmqa-bot chat` in a real process on the same database, stdin piped."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    result = subprocess.run([*PMQA_BOT, "chat", "--user", user], input="\n".join(lines) + "\n", capture_output=True,
                            text=True, cwd=workdir, env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_data_once_then_nothing_and_a_believable_province(workdir: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    first = _run(capsys, "demo-data")
    assert "demo province DEMO-PROV" in first
    assert "4 agencies, 12 officers (6 submitted, 3 part-way, 3 not started)" in first
    coordinator = next(line for line in first.splitlines() if line.startswith("coordinator invite")).split()[-1]
    assert "officer invite for DEMO-HEALTH" in first
    counts = [_rows(workdir, f"SELECT count(*) FROM {table}")[0][0]
              for table in ("agencies", "users", "answers", "rounds", "invites")]

    second = _run(capsys, "demo-data")
    assert "already there: nothing added" in second
    assert coordinator in second, "the unused coordinator invite is shown again"
    assert [_rows(workdir, f"SELECT count(*) FROM {table}")[0][0]
            for table in ("agencies", "users", "answers", "rounds", "invites")] == counts

    submitted = _rows(workdir, "SELECT count(*) FROM submissions WHERE reopened_at IS NULL")[0][0]
    assert submitted == 6
    assert _rows(workdir, "SELECT max_uses FROM invites WHERE role = 'coordinator'") == [(1,)]

    chat = _chat(workdir, "coordinator", ["ยินยอม", coordinator, "สถานะ", "สถานะ DEMO-EDU", "สรุป", "เตือน"])
    assert "เข้าร่วม 12 · เริ่มแล้ว 9 · เสร็จแล้ว 6" in chat, "สถานะ shows some finished, some not"
    assert "100% สำนักงานสาธารณสุขจังหวัดตัวอย่าง (DEMO-HEALTH) · เสร็จ 3/3" in chat
    assert "เสร็จ 0/3" in chat.split("> สถานะ DEMO-EDU")[0]
    assert "ยังไม่เสร็จ (3)" in chat.split("> สถานะ DEMO-EDU")[1], "EDU: nobody has submitted"
    assert "ผู้ตอบ 9 จาก 12 คน · ส่งแล้ว 6 คน" in chat, "สรุป agrees with สถานะ"
    assert "6 คนไม่ได้ใช้ LINE หรือ Telegram" in chat.split("> เตือน")[1], \
        "the reminder preview counts the same 6 unfinished (demo people cannot be messaged)"

    assert "9 respondents" in _run(capsys, "export", "--org", "DEMO-PROV", "-o", "demo.xlsx")
    sheet = openpyxl.load_workbook(workdir / "demo.xlsx")["ภาพรวม"]
    rows = [row for row in sheet.iter_rows(values_only=True) if row and str(row[0]).startswith("DEMO-")]
    header = next(row for row in sheet.iter_rows(values_only=True) if row and row[0] == "รหัส")
    sent = header.index("ส่งแล้ว")
    assert {row[0]: row[sent] for row in rows if row[0] != "DEMO-PROV"} == {
        "DEMO-HEALTH": 3, "DEMO-AGRI": 2, "DEMO-LAND": 1, "DEMO-EDU": 0}, "the export agrees with สถานะ"


def test_invite_create_uses_the_readme_terms_and_prints_a_message_to_forward(
        workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMQA_LINE_ID", "@pmqa-nan")
    _run(capsys, "org", "add", "--code", "NAN", "--name", "สำนักงานจังหวัดน่าน")
    out = _run(capsys, "invite", "create", "--org", "NAN", "--role", "coordinator")
    uses, days = INVITE_TERMS["coordinator"]
    assert (uses, days) == (1, 7), "as the README says"
    assert f"{uses} use(s), expires in {days} day(s)" in out
    code = out.strip().splitlines()[-1]
    assert len(code) == 11 and code[5] == "-", "the code alone on the last line"
    assert "ขอเชิญเป็นผู้ประสานงาน PMQA 4.0 ของ สำนักงานจังหวัดน่าน" in out
    assert "LINE ค้นหา @pmqa-nan" in out and f"พิมพ์รหัสเชิญ {code}" in out
    officer = _run(capsys, "invite", "create", "--org", "NAN")
    assert "officer invite for สำนักงานจังหวัดน่าน: 50 use(s), expires in 14 day(s)" in officer
    assert "ขอเชิญร่วมประเมินตนเอง" in officer
    assert sorted(_rows(workdir, "SELECT role, max_uses FROM invites")) == [("coordinator", 1), ("officer", 50)]


def test_org_and_round_lists_and_closing_a_round(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "org", "add", "--code", "NAN", "--name", "สำนักงานจังหวัดน่าน")
    _run(capsys, "org", "add", "--code", "NAN-AGRI", "--name", "สำนักงานเกษตรจังหวัดน่าน", "--parent", "NAN")
    _run(capsys, "org", "add", "--code", "PHRAE", "--name", "สำนักงานจังหวัดแพร่")
    assert _run(capsys, "org", "list").splitlines() == [
        "NAN  สำนักงานจังหวัดน่าน", "  NAN-AGRI  สำนักงานเกษตรจังหวัดน่าน", "PHRAE  สำนักงานจังหวัดแพร่"]
    _run(capsys, "round", "open", "--name", "รอบน่าน", "--closes", "2099-03-31", "--org", "NAN")
    _run(capsys, "round", "open", "--name", "รอบแพร่", "--closes", "2099-03-31", "--org", "PHRAE")
    listed = _run(capsys, "round", "list")
    assert "รอบน่าน" in listed and "รอบแพร่" in listed and listed.count(" open ") == 2
    assert "รอบแพร่" not in _run(capsys, "round", "list", "--org", "NAN-AGRI"), "only rounds that apply to it"
    assert 'closed round 1 "รอบน่าน"' in _run(capsys, "round", "close", "--org", "NAN-AGRI")
    assert "already closed" in _run(capsys, "round", "close", "1", code=2)
    assert "closed" in _run(capsys, "round", "list", "--org", "NAN")
    assert _rows(workdir, "SELECT id FROM rounds WHERE closed_at IS NOT NULL") == [(1,)]
    assert "no round 9" in _run(capsys, "round", "close", "9", code=2)
    assert "give a round's ID or --org" in _run(capsys, "round", "close", code=2)
    assert ("round.close", "NAN") in _rows(workdir, "SELECT action, scope FROM audit_log")


def test_a_revoked_invite_is_listed_as_such_and_refuses_joining(workdir: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "org", "add", "--code", "NAN", "--name", "สำนักงานจังหวัดน่าน")
    _run(capsys, "round", "open", "--name", "รอบน่าน", "--closes", "2099-03-31", "--org", "NAN")
    code = _run(capsys, "invite", "create", "--org", "NAN").strip().splitlines()[-1]
    kept = _run(capsys, "invite", "create", "--org", "NAN", "--uses", "3").strip().splitlines()[-1]
    joined = _chat(workdir, "first", ["ยินยอม", code])
    assert "เข้าร่วมหน่วยงาน สำนักงานจังหวัดน่าน" in joined
    assert f"revoked {code}" in _run(capsys, "invite", "revoke", code.lower().replace("-", ""))
    assert "already revoked" in _run(capsys, "invite", "revoke", code)
    assert "no invite with code" in _run(capsys, "invite", "revoke", "NOPE", code=2)
    listed = _run(capsys, "invite", "list", "--org", "NAN").splitlines()
    assert any(line.startswith(code) and "used 1/50" in line and line.endswith("revoked") for line in listed)
    assert any(line.startswith(kept) and "used 0/3" in line and line.endswith("usable") for line in listed)
    refused = _chat(workdir, "second", ["ยินยอม", code])
    assert "รหัสเชิญนี้ถูกยกเลิกแล้วค่ะ" in refused
    assert "ความคืบหน้า" in _chat(workdir, "first", ["ความคืบหน้า"]), "who joined before keeps their access"
    assert _rows(workdir, "SELECT details FROM audit_log WHERE action = 'invite.refused'") == [('{"reason": "revoked"}',)]
