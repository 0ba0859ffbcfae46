"""The conversation as a pure function: ``handle(session, event, ctx) -> Step``.

Rules of this module (after h11's ``_state.py``):

1. It owns every transition.  Channels and storage never change a phase themselves.
2. No I/O, no clock, no randomness: time, the bank and the user's agency arrive in ``ctx``;
   what must become durable leaves as facts for the shell to apply in the same transaction.
3. Every step answers.  Bad input gets a short polite Thai hint and the current prompt
   again, so a person is never stuck and nothing already given is lost.
4. Every handled event bumps ``session.version``; answer buttons carry the version they were
   drawn with, so a tap on an old message is recognised as such.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Concatenate, ParamSpec

from conversations import coordinator_texts as ct
from conversations import render
from conversations import texts as t
from conversations.coordinating import (
    CoordinatorRequest,
    ExportRequest,
    InviteRequest,
    Malformed,
    RemindConfirm,
    RemindPreview,
    RoundList,
    StatusRequest,
    SummaryRequest,
    coordinator_word,
    has_arguments,
    parse_request,
)
from conversations.model import (
    COORDINATOR,
    OFFICER,
    Ask,
    Choice,
    Context,
    Denied,
    Event,
    Fact,
    Forget,
    GiveConsent,
    Joined,
    JoinRefused,
    Phase,
    RecordAnswer,
    RedeemInvite,
    Reopen,
    Reply,
    Session,
    SetAside,
    Start,
    Step,
    Submission,
    Submit,
    Tap,
    Text,
    Unsupported,
    numbered,
)
from conversations.parsing import (
    AnswerTap,
    CommandTap,
    EditCategoryTap,
    EditQuestionTap,
    RemindTap,
    answer_data,
    choice_number_of,
    command_data,
    command_of,
    edit_category_data,
    edit_question_data,
    invite_code_of,
    normalize,
    parse_tap,
    same_label,
)
from conversations.typed import CONSENT_WORDS, NO_WORDS, YES_WORDS, hint, picked, remember_shown, yes_or_no
from criteria.model import Question
from criteria.scoring import applicable_questions, inapplicable_answers, next_question, score

P = ParamSpec("P")
DETOURS = (Phase.EDIT_CATEGORY, Phase.EDIT_QUESTION, Phase.CONFIRM_FORGET, Phase.CONFIRM_REOPEN)
ASSESSING = (Phase.ANSWERING, Phase.REVIEW, Phase.DONE, *DETOURS)


@dataclass
class _Turn:
    """One event's work in progress: the evolving session plus what to say and record."""

    session: Session
    ctx: Context
    replies: list[Reply] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    def say(self, text: str, choices: tuple[Choice, ...] = ()) -> None:
        self.replies.append(Reply(text, choices))

    def move(self, **changes: object) -> None:
        self.session = replace(self.session, **changes)  # type: ignore[arg-type]

    def step(self) -> Step:
        return Step(remember_shown(self.session, self.replies), tuple(self.replies), tuple(self.facts))


def handle(session: Session, event: Event, ctx: Context) -> Step:
    turn = _Turn(replace(session, version=session.version + 1), ctx)
    match event:
        case Start():
            _on_start(turn)
        case Text(text):
            _on_text(turn, text)
        case Tap(data):
            _on_tap(turn, data)
        case Unsupported():
            if turn.session.phase is Phase.NEW:
                _welcome(turn)
            else:
                turn.say(t.UNSUPPORTED if turn.session.phase is Phase.ANSWERING else t.UNSUPPORTED_IDLE)
                _prompt(turn)
        case Joined(agency_name, role) if role == COORDINATOR:
            turn.say(ct.JOINED.format(agency=agency_name))
            turn.move(phase=Phase.COORDINATING, position=None)
            _prompt(turn)
        case Joined(agency_name):
            turn.say(t.JOINED.format(agency=agency_name))
            _begin_assessment(turn)
        case JoinRefused(reason):
            turn.say(t.INVITE_REFUSED.get(reason, t.INVITE_REFUSED["unknown"]))
    return turn.step()


def current_prompt(session: Session, ctx: Context) -> tuple[Reply, ...]:
    """What the person should be looking at now (used to re-show after a pause)."""
    turn = _Turn(session, ctx)
    _prompt(turn)
    return tuple(turn.replies)


# Dispatch ------------------------------------------------------------------------------


def _on_start(turn: _Turn) -> None:
    if turn.session.phase is Phase.NEW:
        _welcome(turn)
    else:
        _command(turn, "start")


def _on_text(turn: _Turn, text: str) -> None:
    if turn.session.phase is Phase.NEW:
        _welcome(turn)
        return
    shown = _shown(turn)
    number = choice_number_of(text)
    # What is on screen comes first: a number means the choice shown last with that number, a label typed
    # back does what its button does.  A number nothing on screen carries is not guessed at.
    if (data := picked(shown, text, number)) is not None:
        _on_tap(turn, data)
        return
    if number is not None and any(c.number is not None for c in shown):
        _not_understood(turn)
        return
    if _is_coordinator_request(turn, text):
        _on_coordinator_text(turn, text)
        return
    if command := command_of(text):
        _command(turn, command)
        return
    if (data := _choice_for_text(turn, text)) is not None:
        _on_tap(turn, data)
        return
    if turn.session.phase is Phase.JOIN:
        code = invite_code_of(text)
        if code:
            turn.facts.append(RedeemInvite(code))
            return
    _not_understood(turn)


def _shown(turn: _Turn) -> tuple[Choice, ...]:
    """The choices on the person's screen: those the session remembers showing last."""
    session = turn.session
    if session.shown is not None:
        return session.shown
    # A session saved before choices were remembered: the current prompt's, as drawn last turn.
    if session.phase is Phase.ANSWERING and session.position is None:
        # No question was on screen, only "no round yet" with its ทำต่อ button: a number cannot
        # answer a question the person has not seen, even if the round opened since.
        return _resume_choices()
    on_screen = replace(session, version=session.version - 1)
    return tuple(c for r in current_prompt(on_screen, turn.ctx) for c in r.choices)


def _choice_for_text(turn: _Turn, text: str) -> str | None:
    """Words that pick a choice on screen without being its label: ใช่ / ไม่, a consent word, an option's text."""
    typed = normalize(text)
    shown = _shown(turn)
    if turn.session.phase is Phase.CONSENT and typed in CONSENT_WORDS:
        return command_data(CONSENT_WORDS[typed])
    if typed in YES_WORDS or typed in NO_WORDS:  # "ใช่" / "ไม่" to the yes-or-no question on screen
        if (found := yes_or_no(shown, typed)) is not None or turn.session.shown is not None:
            return found
        legacy = {Phase.CONSENT: ("accept", "decline"), Phase.CONFIRM_FORGET: ("forget_yes", "cancel"),
                  Phase.COORDINATING: ("yes", "cancel")}
        if pair := legacy.get(turn.session.phase):
            return command_data(pair[0] if typed in YES_WORDS else pair[1])
    question = _question_on_screen(turn)
    if question is not None:  # an answer typed as its option's full wording (not its code or points)
        for option in turn.ctx.bank.scale_for(question).options:
            if same_label(text, option.text):
                return answer_data(question.id, option.code, turn.session.version - 1)
    return None


def _on_tap(turn: _Turn, data: str) -> None:
    intent = parse_tap(data)
    phase = turn.session.phase
    if phase is Phase.NEW:
        _welcome(turn)
        return
    if _coordinating(turn) and isinstance(intent, CommandTap | RemindTap):
        _on_coordinator_tap(turn, intent)
        return
    match intent:
        case CommandTap(name) if name in _COMMANDS or name in _BUTTONS:
            (_COMMANDS.get(name) or _BUTTONS[name])(turn)
        case AnswerTap() if phase in ASSESSING:
            _on_answer_tap(turn, intent)
        case EditCategoryTap(number) if phase in ASSESSING and number in render.assigned_categories(turn.ctx):
            _edit_category(turn, number)
        case EditQuestionTap(question_id) if phase in ASSESSING:
            _edit_question(turn, question_id)
        case _:
            turn.say(t.FORGED)
            _prompt(turn)


# Prompts -------------------------------------------------------------------------------


def _prompt(turn: _Turn) -> None:
    """Re-show whatever the current phase is waiting for."""
    session, ctx = turn.session, turn.ctx
    match session.phase:
        case Phase.NEW | Phase.CONSENT:
            turn.say(t.PDPA_NOTICE, _consent_choices())
        case Phase.JOIN:
            turn.say(t.ASK_INVITE)
        case Phase.ANSWERING | Phase.REVIEW | Phase.DONE if _round_closed(ctx):
            _closed(turn)
        case Phase.ANSWERING:
            question = _question_on_screen(turn)
            if ctx.round is None:
                turn.say(t.NO_ROUND, _resume_choices())
            elif question is None:
                _advance(turn, after=None)
            else:
                turn.replies.append(render.question_reply(session, ctx, question))
        case Phase.REVIEW:
            _review(turn)
        case Phase.DONE if session.submission is not Submission.SUBMITTED:
            _review(turn)  # nothing sent (a session from before submissions were their own record)
        case Phase.DONE:
            turn.say(t.DONE_HINT, _done_choices())
        case Phase.EDIT_CATEGORY:
            _edit_menu(turn)
        case Phase.EDIT_QUESTION:
            _edit_category(turn, session.edit_category or 1)
        case Phase.CONFIRM_FORGET:
            turn.say(t.FORGET_CONFIRM, _forget_choices())
        case Phase.CONFIRM_REOPEN:
            turn.say(t.REOPEN_CONFIRM, _reopen_choices())
        case Phase.COORDINATING:
            turn.say(ct.MENU, _coordinator_choices())


def _welcome(turn: _Turn) -> None:
    name = t.WELCOME_NAME.format(name=turn.ctx.display_name) if turn.ctx.display_name else ""
    turn.say(t.WELCOME.format(name=name))
    turn.move(phase=Phase.CONSENT)
    turn.say(t.PDPA_NOTICE, _consent_choices())


def _consent_choices() -> tuple[Choice, ...]:
    return numbered(Choice(t.BTN_ACCEPT, command_data("accept")), Choice(t.BTN_DECLINE, command_data("decline")))


def _resume_choices() -> tuple[Choice, ...]:
    return numbered(Choice(t.BTN_RESUME, command_data("resume")))


def _done_choices() -> tuple[Choice, ...]:
    return numbered(
        Choice(t.BTN_SUMMARY, command_data("summary")),
        Choice(t.BTN_EDIT, command_data("edit")),
        Choice(t.BTN_PROGRESS, command_data("progress")),
    )


def _forget_choices() -> tuple[Choice, ...]:
    return numbered(Choice(t.BTN_FORGET_YES, command_data("forget_yes")), Choice(t.BTN_CANCEL, command_data("cancel")))


def _reopen_choices() -> tuple[Choice, ...]:
    return numbered(Choice(t.BTN_REOPEN, command_data("reopen_yes")), Choice(t.BTN_CANCEL, command_data("cancel")))


def _closed_choices() -> tuple[Choice, ...]:
    return numbered(Choice(t.BTN_SUMMARY, command_data("summary")), Choice(t.BTN_PROGRESS, command_data("progress")))


def _round_closed(ctx: Context) -> bool:
    return ctx.round is not None and not ctx.round.accepting


def _closed(turn: _Turn) -> None:
    """A closed round: its answers can be read, never changed."""
    assert turn.ctx.round is not None
    standing = t.CLOSED_STANDING[turn.session.submission.value]
    turn.say(t.ROUND_CLOSED.format(round=turn.ctx.round.name) + "\n" + standing, _closed_choices())


def _while_open(action: Callable[Concatenate[_Turn, P], None]) -> Callable[Concatenate[_Turn, P], None]:
    """Changing answers (and moving between questions to change them) only while the round is open."""

    def guarded(turn: _Turn, /, *args: P.args, **kwargs: P.kwargs) -> None:
        if _round_closed(turn.ctx) and turn.session.phase in ASSESSING:
            if turn.session.phase in DETOURS:
                turn.move(phase=turn.session.resume_phase or Phase.ANSWERING, resume_phase=None,
                          edit_category=None, pending_answer=None)
            _closed(turn)
            return
        action(turn, *args, **kwargs)

    return guarded


def _not_understood(turn: _Turn) -> None:
    question = _question_on_screen(turn)
    shown = _shown(turn)
    if question is not None:
        shown = render.answer_choices(turn.session, turn.ctx.bank, question)
        turn.say(hint(shown))
    elif turn.session.phase is Phase.CONSENT:
        turn.say(t.NEED_CONSENT)
        turn.say(t.PDPA_NOTICE, _consent_choices())
        return
    elif turn.session.phase is Phase.JOIN:
        turn.say(t.ASK_INVITE)
        return
    elif _coordinating(turn) and shown:
        turn.say(hint(shown), shown)  # the same buttons again (a reminder's preview is not lost)
        return
    else:
        turn.say(hint(shown or tuple(c for r in current_prompt(turn.session, turn.ctx) for c in r.choices)))
    _prompt(turn)


# Joining and the flow of questions ---------------------------------------------------------


def _begin_assessment(turn: _Turn) -> None:
    ctx = turn.ctx
    turn.move(phase=Phase.ANSWERING, position=None)
    if ctx.round is None:
        turn.say(t.NO_ROUND, _resume_choices())
        return
    turn.say(t.ROUND_LINE.format(round=ctx.round.name, closes=t.thai_date(ctx.round.closes_on)) + "\n"
             + render.first_hint(ctx))
    _advance(turn, after=None)


def _question_on_screen(turn: _Turn) -> Question | None:
    session = turn.session
    if session.phase is not Phase.ANSWERING or session.position is None:
        return None
    return turn.ctx.bank.question(session.position)


def _advance(turn: _Turn, *, after: str | None) -> None:
    """Ask the next pending question after `after` (wrapping round), or move to review."""
    ctx, session = turn.ctx, turn.session
    if ctx.round is None:
        turn.move(phase=Phase.ANSWERING, position=None)
        turn.say(t.NO_ROUND, _resume_choices())
        return
    question = next_question(
        ctx.bank, session.answers, after=after, skipped=session.skipped, categories=render.assigned_categories(ctx)
    )
    if question is None and session.submission is Submission.SUBMITTED:
        turn.move(phase=Phase.DONE, position=None, resume_phase=None, edit_category=None)  # nothing new to send
        turn.say(t.DONE_HINT, _done_choices())
        return
    if question is None:
        turn.move(phase=Phase.REVIEW, position=None, resume_phase=None, edit_category=None)
        _review(turn)
        return
    turn.move(phase=Phase.ANSWERING, position=question.id, resume_phase=None, edit_category=None)
    turn.replies.append(render.question_reply(turn.session, ctx, question))


def _review(turn: _Turn) -> None:
    skipped = len(turn.session.skipped)
    # The same numbers every time: ตอบข้อที่ข้ามไว้, when there is something skipped, comes last.
    choices = [Choice(t.BTN_SUBMIT, command_data("submit")), Choice(t.BTN_EDIT, command_data("edit")),
               Choice(t.BTN_SUMMARY, command_data("summary"))]
    if skipped:
        choices.append(Choice(t.BTN_ANSWER_SKIPPED, command_data("answer_skipped")))
    text = t.REVIEW_SKIPPED.format(count=skipped) if skipped else t.REVIEW_ALL
    if turn.session.submission is Submission.REOPENED:
        text += "\n" + t.RESUBMIT_HINT
    turn.say(text + "\n\n" + render.progress_text(turn.session, turn.ctx), numbered(*choices))


def _on_answer_tap(turn: _Turn, tap: AnswerTap) -> None:
    bank, session = turn.ctx.bank, turn.session
    question = bank.question(tap.question_id)
    option = None if question is None else bank.scale_for(question).option(tap.code)
    categories = render.assigned_categories(turn.ctx)
    if (question is None or option is None or tap.version >= session.version
            or bank.item_of(question.id).category_number not in categories):
        turn.say(t.FORGED)
        _prompt(turn)
        return
    if turn.ctx.round is None:
        _prompt(turn)
        return
    if _round_closed(turn.ctx):
        _while_open(_prompt)(turn)
        return
    if question not in applicable_questions(bank, session.answers, categories):
        turn.say(t.OUTDATED)
        _prompt(turn)
        return
    unchanged = session.answers.get(question.id) == option.code
    on_screen = session.phase is Phase.ANSWERING and session.position == question.id
    if unchanged and not on_screen:
        return  # a second tap on a button already applied: nothing changed, nothing to say
    if unchanged and session.submission is Submission.SUBMITTED:
        _advance(turn, after=question.id)  # the answer as sent, confirmed: look on, withdraw nothing
        return
    if session.submission is Submission.SUBMITTED:
        # Changing a sent answer reopens the submission: never silently, always asked first.
        base = session.resume_phase if session.phase in DETOURS else session.phase
        turn.move(phase=Phase.CONFIRM_REOPEN, resume_phase=base, pending_answer=(question.id, option.code))
        turn.say(t.REOPEN_CONFIRM, _reopen_choices())
        return
    _take_answer(turn, question, option.code)


def _take_answer(turn: _Turn, question: Question, code: str) -> None:
    """Record an answer and move on: to the next question, or back to the one on screen after an old one."""
    bank, session = turn.ctx.bank, turn.session
    on_screen = session.phase is Phase.ANSWERING and session.position == question.id
    _record(turn, question, code)
    if not on_screen:
        label = render.option_label(bank, question, code)
        turn.say(t.EDITED_OLD.format(item_id=bank.item_of(question.id).id, level=t.LEVEL_WORD[question.level],
                                     answer=label))
        if session.phase is Phase.ANSWERING and session.position is not None:
            _resume_at(turn, session.position)
            return
    _note_category_done(turn, question)
    _advance(turn, after=question.id)


def _record(turn: _Turn, question: Question, code: str) -> None:
    session = turn.session
    answers = {**session.answers, question.id: code}
    set_aside = {k: v for k, v in session.set_aside.items() if k != question.id}
    turn.facts.append(RecordAnswer(question.id, code))
    dropped = inapplicable_answers(turn.ctx.bank, answers)
    for question_id in dropped:
        set_aside[question_id] = answers.pop(question_id)
        turn.facts.append(SetAside(question_id))
    if dropped:
        items = sorted({turn.ctx.bank.item_of(q).id for q in dropped})
        turn.say(t.SET_ASIDE.format(items=", ".join(items)))
    still_asked = {q.id for q in applicable_questions(turn.ctx.bank, answers)}
    skipped = frozenset(q for q in session.skipped if q in still_asked) - {question.id}
    turn.move(answers=answers, set_aside=set_aside, skipped=skipped)


def _resume_at(turn: _Turn, position: str) -> None:
    question = turn.ctx.bank.question(position)
    applicable = applicable_questions(turn.ctx.bank, turn.session.answers, render.assigned_categories(turn.ctx))
    if question is not None and question in applicable:  # answered too: the person went back to it
        turn.replies.append(render.question_reply(turn.session, turn.ctx, question))
    else:
        _advance(turn, after=position)


def _note_category_done(turn: _Turn, question: Question) -> None:
    """A short score line when the last pending question of a category is answered."""
    bank, session = turn.ctx.bank, turn.session
    number = bank.item_of(question.id).category_number
    pending = [q for q in applicable_questions(bank, session.answers, (number,)) if q.id not in session.answers]
    if pending:
        return
    result = score(bank, session.answers).category(number)
    turn.say(t.CATEGORY_DONE.format(number=number, score=render.score_text(result.score), level=result.level.name))


# Commands ----------------------------------------------------------------------------------


def _command(turn: _Turn, name: str) -> None:
    if _coordinating(turn) and name in _COORDINATOR_COMMANDS:
        _COORDINATOR_COMMANDS[name](turn)
        return
    _COMMANDS[name](turn)


def _needs_assessment(action: Callable[[_Turn], None]) -> Callable[[_Turn], None]:
    """Commands about answers make sense only after consent and joining."""

    def guarded(turn: _Turn) -> None:
        session = turn.session
        phase = session.resume_phase if session.phase in DETOURS and session.resume_phase else session.phase
        if phase is Phase.CONSENT:
            turn.say(t.NEED_CONSENT)
            _prompt(turn)
        elif phase is Phase.JOIN:
            turn.say(t.NEED_JOIN)
            _prompt(turn)
        else:
            action(turn)

    return guarded


def _cmd_start(turn: _Turn) -> None:
    phase = turn.session.phase
    if phase in (Phase.NEW, Phase.CONSENT):
        _welcome(turn)
    elif phase is Phase.JOIN:
        _prompt(turn)
    else:
        _cmd_resume(turn)


@_needs_assessment
def _cmd_resume(turn: _Turn) -> None:
    session = turn.session
    if session.phase in DETOURS:
        turn.move(phase=session.resume_phase or Phase.ANSWERING, resume_phase=None, edit_category=None,
                  pending_answer=None)
    if turn.session.phase is Phase.ANSWERING and turn.ctx.round is not None and not _round_closed(turn.ctx):
        before = len(turn.replies)
        if turn.session.position is None:
            _advance(turn, after=None)
        else:
            _resume_at(turn, turn.session.position)
        if (question := _question_on_screen(turn)) is not None:  # where they are, and how far: both true now
            counts = render.progress_counts(turn.session, turn.ctx)
            line = t.RESUMED.format(item_id=turn.ctx.bank.item_of(question.id).id,
                                    answered=sum(c[1] for c in counts), total=sum(c[2] for c in counts))
            turn.replies.insert(before, Reply(line))
        return
    _prompt(turn)


@_needs_assessment
@_while_open
def _cmd_back(turn: _Turn) -> None:
    session, ctx = turn.session, turn.ctx
    if session.phase in DETOURS:
        _cmd_cancel(turn)
        return
    if ctx.round is None:
        _prompt(turn)
        return
    applicable = applicable_questions(ctx.bank, session.answers, render.assigned_categories(ctx))
    if session.phase is Phase.ANSWERING and session.position is not None:
        ids = [q.id for q in applicable]
        before = applicable[: ids.index(session.position)] if session.position in ids else []
        if not before:
            turn.say(t.AT_FIRST)
            _prompt(turn)
            return
        target = before[-1]
    else:
        target = applicable[-1]
    turn.move(phase=Phase.ANSWERING, position=target.id)
    turn.replies.append(render.question_reply(turn.session, ctx, target))


@_needs_assessment
@_while_open
def _cmd_skip(turn: _Turn) -> None:
    question = _question_on_screen(turn)
    if question is None:
        _prompt(turn)
        return
    if question.id not in turn.session.answers:
        turn.move(skipped=turn.session.skipped | {question.id})
        turn.say(t.SKIPPED)
    _advance(turn, after=question.id)


@_needs_assessment
@_while_open
def _cmd_edit(turn: _Turn) -> None:
    if not turn.session.answers:
        turn.say(t.EDIT_NOTHING)
        _prompt(turn)
        return
    base = turn.session.resume_phase if turn.session.phase in DETOURS else turn.session.phase
    turn.move(phase=Phase.EDIT_CATEGORY, resume_phase=base, edit_category=None)
    _edit_menu(turn)


def _edit_menu(turn: _Turn) -> None:
    bank = turn.ctx.bank
    numbers = [n for n in render.assigned_categories(turn.ctx)
               if any(bank.item_of(q).category_number == n for q in turn.session.answers)]
    lines = [t.EDIT_PICK_CATEGORY] + [t.EDIT_CATEGORY_LINE.format(number=n, category=bank.category(n).short_name)
                                      for n in numbers]
    # A category is typed as its own number ("3" is หมวด 3 whichever categories have answers).
    choices = tuple(Choice(t.BTN_CATEGORY.format(number=n), edit_category_data(n), number=n) for n in numbers)
    turn.say("\n".join(lines), (*choices, Choice(t.BTN_CANCEL, command_data("cancel"))))


@_while_open
def _edit_category(turn: _Turn, number: int) -> None:
    bank, session = turn.ctx.bank, turn.session
    answered = [q for q in bank.questions
                if q.id in session.answers and bank.item_of(q.id).category_number == number]
    if session.phase not in DETOURS:
        turn.move(resume_phase=session.phase)
    if not answered:
        turn.say(t.EDIT_NOTHING)
        turn.move(phase=Phase.EDIT_CATEGORY)
        _edit_menu(turn)
        return
    turn.move(phase=Phase.EDIT_QUESTION, edit_category=number)
    lines = [t.EDIT_PICK_QUESTION.format(number=number, category=bank.category(number).short_name)]
    choices = []
    for n, question in enumerate(answered, 1):
        item_id = bank.item_of(question.id).id
        level = t.LEVEL_WORD[question.level]
        answer = render.option_label(bank, question, session.answers[question.id])
        lines.append(t.EDIT_LINE.format(n=n, item_id=item_id, level=level, answer=answer))
        choices.append(Choice(f"{item_id} {level}", edit_question_data(question.id), number=n))
    turn.say("\n".join(lines), (*choices, Choice(t.BTN_CANCEL, command_data("cancel"))))


@_while_open
def _edit_question(turn: _Turn, question_id: str) -> None:
    bank, session = turn.ctx.bank, turn.session
    question = bank.question(question_id)
    if question is None or question_id not in session.answers or turn.ctx.round is None:
        turn.say(t.FORGED)
        _prompt(turn)
        return
    turn.move(phase=Phase.ANSWERING, position=question_id, resume_phase=None, edit_category=None)
    turn.replies.append(render.question_reply(turn.session, turn.ctx, question))


@_needs_assessment
def _cmd_progress(turn: _Turn) -> None:
    turn.say(render.progress_text(turn.session, turn.ctx))
    _prompt(turn)


@_needs_assessment
def _cmd_summary(turn: _Turn) -> None:
    final = turn.session.submission is Submission.SUBMITTED
    turn.replies.append(render.summary_reply(turn.session, turn.ctx, final=final))
    _prompt(turn)


def _cmd_help(turn: _Turn) -> None:
    turn.say(t.HELP)
    _prompt(turn)


def _cmd_explain(turn: _Turn) -> None:
    question = _question_on_screen(turn)
    if question is None:
        _cmd_help(turn)
        return
    turn.replies.append(render.explain_reply(turn.session, turn.ctx, question))


def _cmd_forget(turn: _Turn) -> None:
    session = turn.session
    if session.phase is Phase.NEW:
        _welcome(turn)
        return
    base = session.resume_phase if session.phase in DETOURS else session.phase
    turn.move(phase=Phase.CONFIRM_FORGET, resume_phase=base)
    turn.say(t.FORGET_CONFIRM, _forget_choices())


# Buttons that only make sense as buttons -------------------------------------------------------


def _btn_accept(turn: _Turn) -> None:
    if turn.session.phase is not Phase.CONSENT:
        _prompt(turn)
        return
    turn.facts.append(GiveConsent())
    if turn.ctx.agency_name:
        _begin_assessment(turn)
    else:
        turn.move(phase=Phase.JOIN)
        turn.say(t.ASK_INVITE)


def _btn_decline(turn: _Turn) -> None:
    if turn.session.phase is not Phase.CONSENT:
        _prompt(turn)
        return
    turn.say(t.DECLINED, numbered(Choice(t.BTN_ACCEPT, command_data("accept"))))


@_while_open
def _btn_submit(turn: _Turn) -> None:
    if turn.session.phase is not Phase.REVIEW:
        _prompt(turn)
        return
    again = turn.session.submission is Submission.REOPENED
    turn.move(phase=Phase.DONE, submission=Submission.SUBMITTED)
    turn.facts.append(Submit())
    turn.say(t.RESUBMITTED if again else t.SUBMITTED)
    turn.replies.append(render.summary_reply(turn.session, turn.ctx, final=True))
    turn.say(t.DONE_HINT, _done_choices())


@_while_open
def _btn_answer_skipped(turn: _Turn) -> None:
    if turn.session.phase is not Phase.REVIEW:
        _prompt(turn)
        return
    turn.move(skipped=frozenset())
    _advance(turn, after=None)


def _cmd_cancel(turn: _Turn) -> None:
    session = turn.session
    if session.phase not in DETOURS:
        _prompt(turn)
        return
    cancelled = {Phase.CONFIRM_FORGET: t.FORGET_CANCELLED, Phase.CONFIRM_REOPEN: t.REOPEN_CANCELLED}
    turn.say(cancelled.get(session.phase, t.EDIT_CANCELLED))
    turn.move(phase=session.resume_phase or Phase.ANSWERING, resume_phase=None, edit_category=None,
              pending_answer=None)
    _prompt(turn)


@_while_open
def _btn_reopen_yes(turn: _Turn) -> None:
    """แก้ไขหลังส่ง, confirmed: the submission is reopened and the waiting answer taken."""
    session, bank = turn.session, turn.ctx.bank
    pending = session.pending_answer
    question = None if pending is None else bank.question(pending[0])
    turn.move(phase=session.resume_phase or Phase.ANSWERING, resume_phase=None, edit_category=None,
              pending_answer=None)
    if session.phase is not Phase.CONFIRM_REOPEN or pending is None or question is None:
        _prompt(turn)
        return
    applicable = applicable_questions(bank, turn.session.answers, render.assigned_categories(turn.ctx))
    if question not in applicable:
        turn.say(t.OUTDATED)
        _prompt(turn)
        return
    if turn.session.submission is Submission.SUBMITTED:
        turn.facts.append(Reopen())
        turn.move(submission=Submission.REOPENED)
        turn.say(t.REOPENED)
    _take_answer(turn, question, pending[1])


def _btn_forget_yes(turn: _Turn) -> None:
    if turn.session.phase is not Phase.CONFIRM_FORGET:
        _prompt(turn)
        return
    turn.facts.append(Forget())
    turn.session = Session(version=turn.session.version)
    turn.say(t.FORGOTTEN)


_COMMANDS: dict[str, Callable[[_Turn], None]] = {
    "start": _cmd_start,
    "resume": _cmd_resume,
    "back": _cmd_back,
    "skip": _cmd_skip,
    "edit": _cmd_edit,
    "progress": _cmd_progress,
    "summary": _cmd_summary,
    "help": _cmd_help,
    "forget": _cmd_forget,
    "explain": _cmd_explain,
}
_BUTTONS: dict[str, Callable[[_Turn], None]] = {
    "accept": _btn_accept,
    "decline": _btn_decline,
    "submit": _btn_submit,
    "answer_skipped": _btn_answer_skipped,
    "cancel": _cmd_cancel,
    "forget_yes": _btn_forget_yes,
    "reopen_yes": _btn_reopen_yes,
}


# Coordinators ---------------------------------------------------------------------------------
# A coordinator's account does not answer the assessment: its home is the menu, its requests
# leave as `Ask` facts and the shell answers them from the database, within the coordinator's scope.


def _coordinating(turn: _Turn) -> bool:
    return turn.ctx.role == COORDINATOR and turn.session.phase is Phase.COORDINATING


def _is_coordinator_request(turn: _Turn, text: str) -> bool:
    word = coordinator_word(text)
    if word is None:
        return False
    # "สรุป" alone is also the officer's own summary; with an agency code it is a coordinator's.
    return turn.ctx.role == COORDINATOR or word != "summary" or has_arguments(text)


def _on_coordinator_text(turn: _Turn, text: str) -> None:
    if not _coordinating(turn):
        turn.say(ct.COORDINATOR_ONLY)
        turn.facts.append(Denied(coordinator_word(text) or "unknown", ct.COORDINATOR_ONLY))  # audited by the shell
        _prompt(turn)
        return
    request = parse_request(text)
    if isinstance(request, Malformed):
        turn.say(ct.USAGE.format(usage=request.usage))
        return
    assert request is not None
    turn.facts.append(Ask(request))


def _on_coordinator_tap(turn: _Turn, intent: CommandTap | RemindTap) -> None:
    if isinstance(intent, RemindTap):
        turn.facts.append(Ask(RemindConfirm(intent.reminder_id)))
    elif intent.name in _COORDINATOR_COMMANDS:
        _COORDINATOR_COMMANDS[intent.name](turn)
    elif intent.name in ("forget_yes", "cancel"):
        _BUTTONS[intent.name](turn)
    else:
        turn.say(t.FORGED)
        _prompt(turn)


def _coordinator_choices() -> tuple[Choice, ...]:
    return numbered(
        Choice(ct.BTN_STATUS, command_data("status")),
        Choice(ct.BTN_SUMMARY, command_data("summary")),
        Choice(ct.BTN_REMIND, command_data("remind")),
        Choice(ct.BTN_EXPORT, command_data("export")),
        Choice(ct.BTN_ROUNDS, command_data("rounds")),
        Choice(ct.BTN_INVITE, command_data("invite")),
        Choice(t.BTN_HELP, command_data("help")),
    )


def _ask(request: CoordinatorRequest) -> Callable[[_Turn], None]:
    """A menu button or a bare command word: the request with its defaults (own agency, all categories)."""
    return lambda turn: turn.facts.append(Ask(request))


def _coordinator_help(turn: _Turn) -> None:
    turn.say(ct.HELP, _coordinator_choices())


def _officer_only(turn: _Turn) -> None:
    turn.say(ct.OFFICER_ONLY)
    _prompt(turn)


_COORDINATOR_COMMANDS: dict[str, Callable[[_Turn], None]] = {
    "start": _prompt,
    "resume": _prompt,
    "help": _coordinator_help,
    "progress": _ask(StatusRequest(None)),
    "status": _ask(StatusRequest(None)),
    "summary": _ask(SummaryRequest(None)),
    "remind": _ask(RemindPreview(None)),
    "export": _ask(ExportRequest(None)),
    "rounds": _ask(RoundList()),
    "invite": _ask(InviteRequest(OFFICER, None, None)),
    "yes": _ask(RemindConfirm(None)),  # "ใช่" / "ยืนยัน" under a reminder's preview
    "back": _officer_only,
    "skip": _officer_only,
    "edit": _officer_only,
    "explain": _officer_only,
    "forget": _cmd_forget,
}
