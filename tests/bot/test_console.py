"""`pmqa-bot chat` as a newcomer runs it: a real process, stdin piped, the default SQLite file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

PMQA_BOT = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


def _env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PMQA_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _chat(workdir: Path, lines: list[str], *args: str) -> str:
    result = subprocess.run(
        [*PMQA_BOT, "chat", "--user", "tester", *args], input="\n".join(lines) + "\n", capture_output=True,
        text=True, cwd=workdir, env=_env(workdir), timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _stored(workdir: Path) -> dict[str, str]:
    with sqlite3.connect(workdir / "pmqa.db") as conn:
        rows = conn.execute("SELECT question_id, value FROM answers WHERE replaced_at IS NULL").fetchall()
    return dict(rows)


def test_a_piped_session_runs_from_first_contact_and_a_second_run_continues(tmp_path: Path) -> None:
    first = _chat(tmp_path, ["สวัสดี", "ยอมรับ", "demo", "4", "4", "4", "1", "1"], "--name", "สมชาย")
    assert "หน่วยงานสาธิต" in first and "รหัสเชิญ" in first, "an empty database gets a demo agency and says so"
    assert "สวัสดีค่ะ คุณสมชาย" in first and "เข้าร่วมหน่วยงาน หน่วยงานสาธิต" in first
    assert "บันทึกความคืบหน้าไว้แล้ว" in first, "EOF ends the chat politely with state kept"
    assert _stored(tmp_path) == {"Q1.1B": "3", "Q1.1A": "3", "Q1.1S": "3", "Q1.2B": "0", "Q1.3B": "0"}

    # The next day: carry on where we stopped, answer the rest "ยังไม่มี", submit.
    second = _chat(tmp_path, ["1"] * 27 + ["ส่งคำตอบ"])  # 32 on this path, 5 done
    assert "กลับมาที่ข้อ 1.4 ค่ะ (ตอบแล้ว" in second and "ระดับพื้นฐาน (ข้อ 1.4)" in second
    assert "สรุปผลการประเมิน" in second and "ยังไม่ถึงระดับพื้นฐาน" in second
    stored = _stored(tmp_path)
    assert len(stored) == 32 and stored["Q1.1S"] == "3" and stored["Q7.6R"] == "0"


def test_a_killed_process_loses_no_acknowledged_answer(tmp_path: Path) -> None:
    """SIGKILL mid-assessment: every answer the bot acknowledged (by asking the next question) is kept."""
    _chat(tmp_path, ["ยอมรับ", "demo"])
    proc = subprocess.Popen([*PMQA_BOT, "chat", "--user", "tester"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=tmp_path, env=_env(tmp_path))
    assert proc.stdin is not None and proc.stdout is not None
    acknowledged = 0
    try:
        for answer in ["2", "3", "1", "2"]:
            proc.stdin.write(answer + "\n")
            proc.stdin.flush()
            deadline = time.monotonic() + 30
            seen = ""
            while f"> {answer}" not in seen or "ข้าม · คำอธิบาย" not in seen.split(f"> {answer}")[-1]:
                line = proc.stdout.readline()
                assert line and time.monotonic() < deadline, "the bot stopped answering"
                seen += line
            acknowledged += 1
        proc.stdin.write("1\n")  # sent but never acknowledged: may or may not be kept
        proc.stdin.flush()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stdin.close()
    stored = _stored(tmp_path)
    assert acknowledged == 4
    assert {k: stored[k] for k in ("Q1.1B", "Q1.2B", "Q1.3B", "Q1.4B")} == {
        "Q1.1B": "1", "Q1.2B": "2", "Q1.3B": "0", "Q1.4B": "1"}
    resumed = _chat(tmp_path, [])
    assert "กลับมาที่ข้อ 2." in resumed and ("ข้อ 2.1" in resumed or "ข้อ 2.2" in resumed)


def test_the_console_numbers_answers_as_the_chat_apps_do_and_lists_navigation_as_words() -> None:
    from bot.console import render
    from bot.line.messages import quick_reply
    from bot.telegram.render import keyboard
    from conversations import Choice, Reply
    from conversations.model import numbered

    choices = (*numbered(Choice("ยังไม่มี", "a:Q1.1B:0:1"), Choice("ไม่แน่ใจ", "a:Q1.1B:u:1")),
               Choice("ย้อนกลับ", "c:back"), Choice("ข้าม", "c:skip"))
    shown = render([Reply("คำถาม", choices)])
    assert "   1) ยังไม่มี\n   2) ไม่แน่ใจ\n" in shown and "3)" not in shown
    assert "ย้อนกลับ · ข้าม" in shown
    telegram = [b.text for row in keyboard(choices).inline_keyboard for b in row]
    assert telegram == ["1 ยังไม่มี", "2 ไม่แน่ใจ", "ย้อนกลับ", "ข้าม"]
    line = [item.action.label for item in quick_reply(choices).items]
    assert line == telegram
