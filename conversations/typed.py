"""What typed text means when it is not a command: the choices the person was shown last.

Chat apps without buttons (the console, a LINE user who types) answer by number or by label.  A number
always means the choice shown last with that number, a label typed back does what its button does, and
"ใช่" / "ไม่" answer the yes-or-no question on screen.  The session remembers the choices it showed
(`Session.shown`), so this holds across restarts and for the buttons the shell adds itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from conversations import texts as t
from conversations.model import Choice, Phase, Reply, Session
from conversations.parsing import RemindTap, command_data, parse_tap, same_label

YES_WORDS = frozenset({"ใช่", "ตกลง", "ยืนยัน", "yes", "ok", "y"})
NO_WORDS = frozenset({"ไม่", "ไม่ใช่", "no", "n"})
CONSENT_WORDS = {"ยอมรับ": "accept", "ไม่ยอมรับ": "decline"}  # the consent buttons' former labels, still typed
_YES_DATA = frozenset({command_data("accept"), command_data("forget_yes"), command_data("submit")})
_NO_DATA = frozenset({command_data("decline"), command_data("cancel")})


def remember_shown(session: Session, replies: Sequence[Reply]) -> Session:
    """The session remembering what a batch of replies showed: the last reply's choices that had any, as the
    channels draw them.  A batch without buttons (an invite code, a round list) leaves the numbers shown before
    as they were: they are still the last shown.  The shell calls it again when it adds replies of its own."""
    choices = next((r.choices for r in reversed(replies) if r.choices), None)
    if choices is None or session.phase is Phase.NEW:  # a fresh (forgotten) session remembers nothing
        return session
    return replace(session, shown=choices)


def picked(shown: Sequence[Choice], text: str, number: int | None) -> str | None:
    """The data of the choice on screen that `text` names: by its number when one was typed, else by label."""
    if number is not None:
        return next((c.data for c in shown if c.number == number), None)
    return next((c.data for c in shown if same_label(text, c.label)), None)


def yes_or_no(shown: Sequence[Choice], typed: str) -> str | None:
    """"ใช่" picks the confirming choice on screen (a reminder's send, submit, consent), "ไม่" the declining one."""
    if typed in YES_WORDS:
        return next((c.data for c in shown if c.data in _YES_DATA or isinstance(parse_tap(c.data), RemindTap)),
                    None)
    if typed in NO_WORDS:
        return next((c.data for c in shown if c.data in _NO_DATA), None)
    return None


def hint(choices: Sequence[Choice]) -> str:
    """What can be typed here: the numbers on screen, and the words of the choices without one."""
    numbers = sorted(c.number for c in choices if c.number is not None)
    if not numbers:
        text = t.NOT_UNDERSTOOD_NO_NUMBERS
    elif numbers == list(range(numbers[0], numbers[-1] + 1)):
        text = t.NOT_UNDERSTOOD.format(numbers=f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else numbers[0])
    else:
        text = t.NOT_UNDERSTOOD.format(numbers=", ".join(map(str, numbers)))
    words = [c.label for c in choices if c.number is None]
    return text + ("\n" + t.NOT_UNDERSTOOD_WORDS.format(words=" · ".join(words)) if words else "")
