"""Composing the messages: questions, review, progress and summaries.  Pure functions of
state and context; all wording comes from texts.py."""

from __future__ import annotations

from collections.abc import Mapping

from conversations import texts as t
from conversations.model import CategoryLine, Chart, Choice, Context, Reply, Session, SummaryCard
from conversations.parsing import answer_data, command_data
from conversations.report_texts import CHANGE_NOTE
from conversations.reporting import change_text, index_lines
from criteria import shown
from criteria.model import Bank, Question
from criteria.scoring import Result, applicable_questions, ranked_actions, score, strengths

TOP_ACTIONS = 3
MIN_RADAR_AXES = 3
TOP_STRENGTHS = 3


def assigned_categories(ctx: Context) -> tuple[int, ...]:
    return ctx.categories or tuple(c.number for c in ctx.bank.categories)


def option_label(bank: Bank, question: Question, code: str | None) -> str:
    option = None if code is None else bank.scale_for(question).option(code)
    return option.label if option else "-"


def question_reply(session: Session, ctx: Context, question: Question) -> Reply:
    bank = ctx.bank
    category = bank.category_of(question.id)
    item = bank.item_of(question.id)
    items = [i for c in assigned_categories(ctx) for i in bank.category(c).items]
    item_pos = next((n for n, i in enumerate(items, 1) if i.id == item.id), 0)
    header = t.QUESTION_HEADER.format(
        number=category.number, category=category.short_name, item_pos=item_pos, item_total=len(items)
    )
    if question.level == "result":
        level_line = t.QUESTION_RESULT.format(item_id=item.id)
    else:
        level_line = t.QUESTION_LEVEL.format(level=t.LEVEL_WORD[question.level], item_id=item.id)
    lines = [header, level_line, "", question.text]
    if question.id in session.answers:
        lines += ["", t.EDITING_NOTE.format(answer=option_label(bank, question, session.answers[question.id]))]
    elif question.id in session.set_aside:
        lines += ["", t.PREVIOUS_NOTE.format(answer=option_label(bank, question, session.set_aside[question.id]))]
    return Reply("\n".join(lines), answer_choices(session, bank, question), question_id=question.id)


def choice_caption(choice: Choice) -> str:
    """A button as every channel shows it: its number first when it has one ("3 มีระบบ ยังไม่ทั่วถึง")."""
    return choice.label if choice.number is None else f"{choice.number} {choice.label}"


def answer_choices(session: Session, bank: Bank, question: Question) -> tuple[Choice, ...]:
    # The answers are 1..N; moving around is by word, so a number never means "back" on one question and an
    # answer on the next.
    options = tuple(
        Choice(o.label, answer_data(question.id, o.code, session.version), number=n)
        for n, o in enumerate(bank.scale_for(question).options, 1)
    )
    return (
        *options,
        Choice(t.BTN_BACK, command_data("back")),
        Choice(t.BTN_SKIP, command_data("skip")),
        Choice(t.BTN_EXPLAIN, command_data("explain")),
    )


def explain_reply(session: Session, ctx: Context, question: Question) -> Reply:
    item = ctx.bank.item_of(question.id)
    text = t.EXPLAIN.format(item_id=item.id, title=item.title, help=question.help) + "\n\n" + scale_guide(
        ctx.bank, question)
    return Reply(text, answer_choices(session, ctx.bank, question), question_id=question.id)


# Progress ---------------------------------------------------------------------------


def progress_counts(session: Session, ctx: Context) -> list[tuple[int, int, int]]:
    """(category, answered, to answer) for each assigned category, under the current gate."""
    bank = ctx.bank
    rows = []
    for number in assigned_categories(ctx):
        wanted = applicable_questions(bank, session.answers, (number,))
        answered = sum(1 for q in wanted if q.id in session.answers)
        rows.append((number, answered, len(wanted)))
    return rows


def deadline_line(ctx: Context) -> str | None:
    if ctx.round is None:
        return None
    closes = t.thai_date(ctx.round.closes_on)
    days = (ctx.round.closes_on - ctx.now.date()).days
    if days < 0:
        return t.DEADLINE_PASSED.format(closes=closes)
    if days == 0:
        return t.DEADLINE_TODAY.format(closes=closes)
    return t.DEADLINE.format(closes=closes, days=days)


def progress_text(session: Session, ctx: Context) -> str:
    rows = progress_counts(session, ctx)
    answered = sum(r[1] for r in rows)
    total = sum(r[2] for r in rows)
    lines = [t.PROGRESS_TITLE.format(answered=answered, total=total)]
    for number, done, wanted in rows:
        mark = "✅" if done == wanted else ("🟡" if done else "⬜")
        category = ctx.bank.category(number)
        lines.append(t.PROGRESS_LINE.format(
            mark=mark, number=number, category=category.short_name, answered=done, total=wanted))
    if session.skipped:
        lines.append(t.PROGRESS_SKIPPED.format(count=len(session.skipped)))
    if deadline := deadline_line(ctx):
        lines.append(deadline)
    return "\n".join(lines)


# Summary ----------------------------------------------------------------------------


def score_text(value: float) -> str:
    return shown.points(value)


def scale_guide(bank: Bank, question: Question) -> str:
    """What each answer means in full, numbered as the buttons are ("ไม่แน่ใจ" says it counts 0)."""
    lines = [t.SCALE_GUIDE_TITLE]
    for n, option in enumerate(bank.scale_for(question).options, 1):
        zero = t.SCALE_GUIDE_ZERO if option.unsure else ""
        lines.append(t.SCALE_GUIDE_LINE.format(number=n, label=option.label, text=option.text) + zero)
    return "\n".join(lines)


def first_hint(ctx: Context) -> str:
    """The hint before the first question, with the full meaning of its answers (once)."""
    categories = assigned_categories(ctx)
    first = next((q for q in ctx.bank.questions if ctx.bank.item_of(q.id).category_number in categories), None)
    return t.FIRST_QUESTION_HINT if first is None else t.FIRST_QUESTION_HINT + "\n\n" + scale_guide(ctx.bank, first)


def summary_card(answers: Mapping[str, str], ctx: Context, *, final: bool) -> SummaryCard | None:
    bank = ctx.bank
    if not answers:
        return None
    result = score(bank, answers)
    categories = assigned_categories(ctx)
    whole = len(categories) == len(bank.categories)
    if final:
        title = t.SUMMARY_TITLE
    else:
        wanted = applicable_questions(bank, answers, categories)
        done = sum(1 for q in wanted if q.id in answers)
        title = (t.SUMMARY_ALL_ANSWERED.format(total=len(wanted)) if done == len(wanted)
                 else t.SUMMARY_PARTIAL.format(answered=done, total=len(wanted)))
    subtitle = (ctx.agency_name + (f" · {ctx.round.name}" if ctx.round else "")) if ctx.agency_name else None
    lines = tuple(
        CategoryLine(n, c.category.short_name, c.score, c.level.name if c.has_answers else t.UNANSWERED,
                     c.has_answers)
        for n in categories if (c := result.category(n))
    )
    actions = [a for a in ranked_actions(bank, result) if a.category.number in categories][:TOP_ACTIONS]
    note = "" if result.confidence is None else t.SUMMARY_CONFIDENCE.format(
        percent=shown.percent(result.confidence), unsure=result.unsure)
    if result.unsure:
        note += "\n" + t.SUMMARY_UNSURE_ZERO
    return SummaryCard(
        title=title, subtitle=subtitle,
        overall=result.overall if whole else None,
        level=result.level.name if whole else None,
        index=result.index if whole else None,
        categories=lines,
        actions=tuple(f"[{a.item.id}] {a.text}" for a in actions),
        note=note, disclaimer=bank.disclaimer, final=final,
    )


def summary_text(answers: Mapping[str, str], ctx: Context, *, final: bool) -> str:
    card = summary_card(answers, ctx, final=final)
    if card is None:
        return t.SUMMARY_NOTHING
    result = score(ctx.bank, answers)
    categories = assigned_categories(ctx)
    before = None if ctx.previous is None or not ctx.previous.answers else score(ctx.bank, ctx.previous.answers)
    lines = [card.title]
    if card.subtitle:
        lines.append(card.subtitle)
    if card.overall is not None and card.level is not None and card.index is not None:
        change = change_text(card.overall, before.overall) if before else ""
        lines += ["", t.SUMMARY_OVERALL.format(score=score_text(card.overall), change=change, level=card.level,
                                               index=index_lines(card.index))]
    lines.append("")
    for line in card.categories:
        if not line.answered:
            lines.append(t.SUMMARY_CATEGORY_UNANSWERED.format(number=line.number, category=line.name))
            continue
        change = change_text(line.score, before.category(line.number).score) if before else ""
        lines.append(t.SUMMARY_CATEGORY.format(number=line.number, category=line.name,
                                               score=score_text(line.score) + change, level=line.level))
    if before is not None and ctx.previous is not None:
        lines.append(CHANGE_NOTE.format(round=ctx.previous.name))
    lines += _strength_lines(result, categories)
    if card.actions:
        lines += ["", t.SUMMARY_ACTIONS] + [f"{n}. {a}" for n, a in enumerate(card.actions, 1)]
    if card.note:
        lines += ["", card.note]
    lines += ["", card.disclaimer]
    return "\n".join(lines)


def _strength_lines(result: Result, categories: tuple[int, ...]) -> list[str]:
    best = [i for i in strengths(result, count=30) if i.item.category_number in categories][:TOP_STRENGTHS]
    if not best:
        return []
    return ["", t.SUMMARY_STRENGTHS] + [f"• {i.item.id} {i.item.title} ({score_text(i.score)})" for i in best]


def summary_reply(session: Session, ctx: Context, *, final: bool) -> Reply:
    card = summary_card(session.answers, ctx, final=final)
    return Reply(summary_text(session.answers, ctx, final=final), summary=True, card=card, chart=own_radar(card))


def own_radar(card: SummaryCard | None) -> Chart | None:
    """The person's categories as a radar (the shell may add their agency beside it); a radar needs three."""
    if card is None or len(card.categories) < MIN_RADAR_AXES:
        return None
    labels = tuple(f"{line.number} {line.name}" for line in card.categories)
    scores = tuple(line.score if line.answered else None for line in card.categories)
    return Chart("radar", t.CHART_TITLE_OWN, labels, ((t.CHART_SERIES_OWN, scores),))
