"""A round's results for coordinators: an agency's aggregate and a province's table, as data and as replies.

Pure: the shell loads a `RoundReport` (storage/reporting.py) and these functions compute from it —
the agency's answers are the lower median of its respondents' (criteria.scoring.aggregate), its
result is scored from them, and a province compares its agencies.  The same dataclasses feed the
Excel export, so their names and fields are a contract.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from conversations import report_texts as rt
from conversations.model import Chart, Reply
from conversations.texts import INDEX_LINE, INDEX_NOTE, LEVEL_WORD, thai_date
from criteria import shown
from criteria.model import Bank
from criteria.scoring import (
    Aggregate,
    Disagreement,
    Result,
    aggregate,
    level_for,
    ranked_actions,
    score,
)

# The report as loaded from the database ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Respondent:
    user_id: int  # internal row id, never a platform id
    name: str  # display name; "ผู้ตอบ N" when none
    categories: tuple[int, ...] | None  # assigned categories; None = all
    answers: Mapping[str, str]  # current answers: question id -> code
    submitted: bool


@dataclass(frozen=True, slots=True)
class AgencyRound:
    agency_id: int
    code: str
    name: str
    parent_id: int | None
    depth: int  # 0 = the agency the report is about
    invited: int  # officers who joined this agency
    respondents: tuple[Respondent, ...]  # officers of this agency with at least one answer in the round


@dataclass(frozen=True, slots=True)
class RoundReport:
    round_id: int
    round_name: str
    opens_on: date
    closes_on: date
    scope_code: str
    scope_name: str
    agencies: tuple[AgencyRound, ...]  # the scope agency and every agency beneath it, parents before children
    previous: Mapping[int, Mapping[str, str]]  # agency_id -> aggregated answers in the previous round (absent = none)
    previous_round_name: str | None


# Computed rows ------------------------------------------------------------------------------------------

TABLE_LINES = 15  # agencies listed in a chat reply; the export has them all
BAR_LIMIT = 30  # bars in a chat chart; more are unreadable on a phone
DISAGREEMENT_LINES = 8
TOP_ACTIONS = 3
NAME_CHARS = 40  # an agency name in a chat line
SERIES_NAME_CHARS = 32  # an agency name in a chart's legend


@dataclass(frozen=True, slots=True)
class AgencyRow:
    """One line of a province's table."""

    agency_id: int
    code: str
    name: str
    depth: int
    invited: int
    respondents: int
    submitted: int
    completion: float  # 0…1
    overall: float | None  # None without any answer
    level: str | None


def agency_aggregate(bank: Bank, agency: AgencyRound) -> Aggregate:
    """The agency's answer per question: the lower median of its respondents' (criteria.scoring.aggregate)."""
    return aggregate(bank, [r.answers for r in agency.respondents])


def agency_result(bank: Bank, agency: AgencyRound) -> Result | None:
    """The agency's scores from its aggregated answers; None before anyone answered."""
    combined = agency_aggregate(bank, agency).answers
    return score(bank, combined) if combined else None


def completion(bank: Bank, agency: AgencyRound) -> float:
    """Share of the applicable questions answered, summed over the respondents (each in their categories).

    The same count as `criteria.scoring.applicable_questions` per respondent (a test holds them equal),
    from a table of the gate built once per agency: the whole country is 25,000 respondents, and the
    general function looks each item's questions up one by one (about 0.2 ms a respondent).
    """
    gate = _gate(bank)
    wanted = answered = 0
    for respondent in agency.respondents:
        given = respondent.answers
        categories = None if respondent.categories is None else set(respondent.categories)
        for question_id, category, needs in gate:
            if categories is not None and category not in categories:
                continue
            if all(given.get(before) in full for before, full in needs):
                wanted += 1
                answered += question_id in given
    # Officers who joined but have not answered yet count too (as สถานะ counts them), each for the
    # questions a first-time respondent is asked in every category.
    not_started = max(agency.invited - len(agency.respondents), 0)
    if not_started:
        wanted += not_started * sum(1 for _, _, needs in gate if not needs)
    return answered / wanted if wanted else 0.0


_Gate = list[tuple[str, int, tuple[tuple[str, frozenset[str]], ...]]]
_gates: list[tuple[Bank, _Gate]] = []  # the last bank's table (a bank is not hashable; one bank per process)


def _gate(bank: Bank) -> _Gate:
    if _gates and _gates[0][0] is bank:
        return _gates[0][1]
    table = _gate_table(bank)
    _gates[:] = [(bank, table)]
    return table


def _gate_table(bank: Bank) -> _Gate:
    """(question, category, the answers it needs as (question, fully-met codes)) in asking order."""
    def full_codes(question_id: str) -> frozenset[str]:
        question = bank.question(question_id)
        assert question is not None
        return frozenset(o.code for o in bank.scale_for(question).options if o.full)

    table = []
    for item in bank.items:
        needs: list[tuple[str, frozenset[str]]] = []
        for question in item.questions:  # basic → advance → significance, or the one result
            table.append((question.id, item.category_number, tuple(needs)))
            needs.append((question.id, full_codes(question.id)))
    order = {q.id: n for n, q in enumerate(bank.questions)}
    return sorted(table, key=lambda row: order[row[0]])


def agency_row(bank: Bank, agency: AgencyRound, result: Result | None = None) -> AgencyRow:
    """One line of the table; pass the agency's result when it was already computed."""
    result = agency_result(bank, agency) if result is None else result
    return AgencyRow(
        agency.agency_id, agency.code, agency.name, agency.depth, agency.invited, len(agency.respondents),
        sum(1 for r in agency.respondents if r.submitted), completion(bank, agency),
        None if result is None else result.overall, None if result is None else result.level.name,
    )


def _has_children(report: RoundReport) -> set[int]:
    return {a.parent_id for a in report.agencies if a.parent_id is not None}


def assessed_agencies(report: RoundReport) -> tuple[AgencyRound, ...]:
    """The agencies a province's table lists: those with officers or answers, and every agency without
    children beneath the scope (it should have some).  A grouping level with no officers is left out."""
    parents = _has_children(report)
    return tuple(
        a for a in report.agencies
        if a.invited or a.respondents or (a.depth > 0 and a.agency_id not in parents)
    )


def province_rows(bank: Bank, report: RoundReport,
                  results: Mapping[int, Result | None] | None = None) -> tuple[AgencyRow, ...]:
    """The table of a province's agencies, least complete first (then lowest score, then code)."""
    known = results or {}
    rows = [agency_row(bank, a, known.get(a.agency_id)) for a in assessed_agencies(report)]
    rows.sort(key=lambda r: (r.completion, -1.0 if r.overall is None else r.overall, r.code))
    return tuple(rows)


def average(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def category_scores(result: Result) -> tuple[float, ...]:
    return tuple(c.score for c in result.categories)


def category_average(results: Sequence[Result]) -> tuple[float, ...] | None:
    """Each category's mean over several agencies' results; None when there are none."""
    if not results:
        return None
    return tuple(sum(values) / len(values) for values in zip(*(category_scores(r) for r in results), strict=True))


def category_deltas(now: Sequence[float], before: Sequence[float]) -> tuple[float, ...]:
    """The change per category since the previous round, in points (positive = better)."""
    return tuple(a - b for a, b in zip(now, before, strict=True))


def previous_result(bank: Bank, report: RoundReport, agency_id: int) -> Result | None:
    answers = report.previous.get(agency_id)
    return score(bank, answers) if answers else None


def _results(bank: Bank, agencies: Sequence[AgencyRound]) -> list[Result]:
    return [r for a in agencies if (r := agency_result(bank, a)) is not None]


def group_average(bank: Bank, report: RoundReport, agency: AgencyRound) -> tuple[float, ...] | None:
    """The mean category scores of the agency and its siblings (the parent's agencies) that have answers;
    None when the report does not reach the parent, or only this agency answered."""
    if agency.parent_id is None or all(a.agency_id != agency.parent_id for a in report.agencies):
        return None
    siblings = [a for a in report.agencies if a.parent_id == agency.parent_id]
    results = _results(bank, siblings)
    others = [a for a in siblings if a.agency_id != agency.agency_id and a.respondents]
    return category_average(results) if others else None


# Text helpers ------------------------------------------------------------------------------------------


def _points(value: float) -> str:
    return shown.points(value)


def _count(value: int) -> str:
    return f"{value:,}"


def _percent(share: float) -> str:
    return str(shown.percent(share))


def index_lines(index: float) -> str:
    """The Government-4.0 index with what it is: an estimate out of 4 from a self-assessment."""
    return INDEX_LINE.format(index=shown.index_text(index)) + "\n" + INDEX_NOTE


def _short(name: str, limit: int) -> str:
    """At most `limit` characters, shortened in the middle: agencies differ by their ends ("…จังหวัดน่าน")."""
    if len(name) <= limit:
        return name
    head = _cluster_start(name, (limit - 1) * 3 // 5)
    tail = _cluster_start(name, len(name) - (limit - 1 - head))
    return name[:head].rstrip() + "…" + name[tail:].lstrip()


_FOLLOWING = frozenset("\u0e30\u0e32\u0e33\u0e45")  # ะ า ำ ๅ: written after their consonant


def _cluster_start(text: str, index: int) -> int:
    """The nearest index at or after `index` that does not split a Thai letter from its marks or vowels."""
    while 0 < index < len(text) and (unicodedata.category(text[index]) == "Mn" or text[index] in _FOLLOWING
                                     or text[index - 1] in "\u0e40\u0e41\u0e42\u0e43\u0e44"):
        index += 1
    return index


def change_text(now: float, before: float | None) -> str:
    """"▲25": the difference of the two numbers as shown, so the reader's subtraction agrees."""
    if before is None:
        return ""
    rounded = shown.whole(now) - shown.whole(before)
    if rounded == 0:
        return rt.SAME_TEXT
    return rt.CHANGE.format(arrow=rt.UP if rounded > 0 else rt.DOWN, points=_points(abs(rounded)))


def _round_lines(report: RoundReport) -> list[str]:
    return [rt.ROUND_LINE.format(round=report.round_name, closes=thai_date(report.closes_on))]


def _category_lines(bank: Bank, scores: Sequence[float], before: Sequence[float] | None,
                    answered: Sequence[bool] | None = None) -> list[str]:
    lines = []
    for index, category in enumerate(bank.categories):
        value = scores[index]
        if answered is not None and not answered[index]:
            lines.append(rt.CATEGORY_UNANSWERED.format(number=category.number, category=category.short_name))
            continue
        level = _level_name(bank, value)
        change = change_text(value, None if before is None else before[index])
        lines.append(rt.CATEGORY.format(number=category.number, category=category.short_name,
                                        score=_points(value), level=level, change=change))
    return lines


def _level_name(bank: Bank, value: float) -> str:
    return level_for(bank, value).name


def _disagreement_lines(bank: Bank, disagreements: Sequence[Disagreement]) -> list[str]:
    if not disagreements:
        return [rt.NO_DISAGREEMENT]
    ranked = sorted(disagreements, key=lambda d: (-d.spread, bank.order_of(d.question.id)))
    lines = [rt.DISAGREE_TITLE.format(count=_count(len(disagreements)))]
    for item in ranked[:DISAGREEMENT_LINES]:
        scale = bank.scale_for(item.question)
        counts = Counter(item.codes)
        answers = " · ".join(
            rt.DISAGREE_ANSWER.format(label=option.label, count=counts[option.code])
            for option in scale.options if counts[option.code]
        )
        lines.append(rt.DISAGREE_LINE.format(item_id=bank.item_of(item.question.id).id,
                                             level=LEVEL_WORD[item.question.level], answers=answers))
    if len(ranked) > DISAGREEMENT_LINES:
        lines.append(rt.DISAGREE_MORE.format(count=_count(len(ranked) - DISAGREEMENT_LINES)))
    return lines


def _labels(bank: Bank) -> tuple[str, ...]:
    return tuple(f"{c.number} {c.short_name}" for c in bank.categories)


def _find(report: RoundReport, agency_id: int) -> AgencyRound | None:
    return next((a for a in report.agencies if a.agency_id == agency_id), None)


def _group_name(report: RoundReport, agency: AgencyRound) -> str:
    """Whom the agency is compared with: its province ("จังหวัดขอนแก่น", from the parent's name
    "สำนักงานจังหวัดขอนแก่น"), else "หน่วยงานใน" its parent (a ministry's departments)."""
    parent = None if agency.parent_id is None else _find(report, agency.parent_id)
    if parent is None:
        return ""
    at = parent.name.find(rt.PROVINCE_WORD)
    if at >= 0:
        return _short(parent.name[at:].strip(), SERIES_NAME_CHARS)
    return rt.GROUP_OF.format(agency=_short(parent.name, SERIES_NAME_CHARS))


def answered_categories(result: Result) -> tuple[bool, ...]:
    """Per category, whether anyone answered in it: an unanswered category is "ยังไม่ได้ตอบ", not 0."""
    return tuple(c.has_answers for c in result.categories)


def chart_scores(result: Result) -> tuple[float | None, ...]:
    """Category scores for a chart: None where nothing was answered (drawn as "ยังไม่ได้ตอบ")."""
    return tuple(c.score if c.has_answers else None for c in result.categories)


# Replies: one agency -----------------------------------------------------------------------------------


def agency_summary_replies(bank: Bank, report: RoundReport, agency_id: int) -> tuple[Reply, ...]:
    """An agency's aggregated result: people, overall, categories (with the change since the previous
    round), the questions to discuss and the first actions, with a radar against its group's average."""
    agency = _find(report, agency_id)
    if agency is None:
        return (Reply(rt.UNKNOWN_AGENCY),)
    row = agency_row(bank, agency)
    lines = [rt.AGENCY_TITLE.format(agency=agency.name), *_round_lines(report)]
    if not agency.respondents:
        return (Reply("\n".join([*lines, "", rt.NO_ANSWERS.format(invited=_count(agency.invited))])),)
    lines.append(rt.PEOPLE.format(respondents=_count(row.respondents), invited=_count(row.invited),
                                  submitted=_count(row.submitted), percent=_percent(row.completion)))
    combined = agency_aggregate(bank, agency)
    result = score(bank, combined.answers)
    before = previous_result(bank, report, agency_id)
    change = change_text(result.overall, None if before is None else before.overall)
    lines += ["", rt.OVERALL.format(score=_points(result.overall), change=change,
                                    level=result.level.name, index=index_lines(result.index))]
    group = group_average(bank, report, agency)
    group_name = _group_name(report, agency)
    if group is not None:
        overall_group = sum(bank.weights[str(c.number)] * v for c, v in zip(bank.categories, group, strict=True))
        lines.append(rt.AVERAGE_LINE.format(group=group_name, score=_points(overall_group / bank.weight_total)))
    lines += ["", *_category_lines(bank, category_scores(result), None if before is None else category_scores(before),
                                   answered_categories(result))]
    if before is not None and report.previous_round_name:
        lines.append(rt.CHANGE_NOTE.format(round=report.previous_round_name))
    if len(agency.respondents) > 1:
        lines += ["", *_disagreement_lines(bank, combined.disagreements)]
    actions = ranked_actions(bank, result)[:TOP_ACTIONS]
    if actions:
        lines += ["", rt.ACTIONS, *(f"{n}. [{a.item.id}] {a.text}" for n, a in enumerate(actions, 1))]
    lines += ["", bank.disclaimer]
    # The title names the agency: the legend stays short, or two columns of it overflow a 1000 px image.
    series: list[tuple[str, tuple[float | None, ...]]] = [(rt.SERIES_THIS_AGENCY, chart_scores(result))]
    if group is not None:
        series.append((rt.SERIES_GROUP_AVERAGE.format(group=group_name), group))
    if before is not None and report.previous_round_name:
        series.append((rt.SERIES_PREVIOUS.format(round=_short(report.previous_round_name, SERIES_NAME_CHARS)),
                       category_scores(before)))
    chart = Chart("radar", rt.CHART_AGENCY.format(agency=agency.name), _labels(bank), tuple(series))
    return (Reply("\n".join(lines), summary=True, chart=chart),)


def officer_chart(bank: Bank, own_answers: Mapping[str, str], agency: AgencyRound,
                  categories: Sequence[int] | None = None) -> Chart | None:
    """An officer's own radar against their agency's aggregate (everyone's answers, theirs included).

    Only the officer's categories are drawn when they were assigned three or more; None when nobody in
    the agency has answered, or the officer has no answer yet.
    """
    result = agency_result(bank, agency)
    if result is None or not own_answers:
        return None
    own = score(bank, own_answers)
    numbers = [c.number for c in bank.categories]
    if categories is not None and len(set(categories)) >= 3:
        numbers = sorted(set(categories) & set(numbers))
    labels = tuple(f"{n} {bank.category(n).short_name}" for n in numbers)
    series = (
        (rt.SERIES_OWN, tuple(_shown_score(own, n) for n in numbers)),
        (rt.SERIES_AGENCY, tuple(_shown_score(result, n) for n in numbers)),
    )
    return Chart("radar", rt.CHART_OFFICER, labels, series)


def _shown_score(result: Result, number: int) -> float | None:
    category = result.category(number)
    return category.score if category.has_answers else None


# Replies: a province -----------------------------------------------------------------------------------


def province_summary_replies(bank: Bank, report: RoundReport) -> tuple[Reply, ...]:
    """A province: its agencies least complete first (the first `TABLE_LINES`) with a bar chart of their
    overall scores, then its category averages with a radar (and the previous round's, when there was one)."""
    assessed = assessed_agencies(report)
    by_agency = {a.agency_id: agency_result(bank, a) for a in assessed}  # each agency scored once
    rows = province_rows(bank, report, by_agency)
    scored = [r for r in rows if r.overall is not None]
    mean = average([r.overall for r in scored if r.overall is not None])
    results = [r for r in by_agency.values() if r is not None]
    now = category_average(results)
    before_results = [r for a in assessed if (r := previous_result(bank, report, a.agency_id)) is not None]
    before = category_average(before_results)
    before_mean = average([r.overall for r in before_results])

    lines = [rt.PROVINCE_TITLE.format(agency=report.scope_name), *_round_lines(report),
             rt.PROVINCE_AGENCIES.format(agencies=_count(len(rows)),
                                         started=_count(sum(1 for r in rows if r.respondents))),
             rt.PROVINCE_PEOPLE.format(respondents=_count(sum(r.respondents for r in rows)),
                                       invited=_count(sum(r.invited for r in rows)),
                                       submitted=_count(sum(r.submitted for r in rows)))]
    if mean is None:
        lines += ["", rt.PROVINCE_NO_SCORE]
    else:
        change = change_text(mean, before_mean)
        lines.append(rt.PROVINCE_AVERAGE.format(score=_points(mean), level=_level_name(bank, mean),
                                                 change=change))
    lines += ["", rt.TABLE_TITLE_ALL if len(rows) <= TABLE_LINES else rt.TABLE_TITLE]
    for n, row in enumerate(rows[:TABLE_LINES], 1):
        value = rt.TABLE_NO_SCORE if row.overall is None or row.level is None else rt.TABLE_SCORE.format(
            score=_points(row.overall), level=row.level)
        lines.append(rt.TABLE_LINE.format(n=n, agency=_short(row.name, NAME_CHARS), code=row.code,
                                          percent=_percent(row.completion), score=value))
    if len(rows) > TABLE_LINES:
        lines.append(rt.TABLE_MORE.format(count=_count(len(rows) - TABLE_LINES)))
    replies = [Reply("\n".join(lines), summary=True, chart=bar_chart(report, scored, mean))]
    if now is not None:
        text = [rt.CATEGORY_AVERAGES.format(count=_count(len(results))), *_category_lines(bank, now, before)]
        if before is not None and report.previous_round_name:
            text.append(rt.CHANGE_NOTE.format(round=report.previous_round_name))
        text += ["", bank.disclaimer]
        series: list[tuple[str, tuple[float | None, ...]]] = [(rt.SERIES_THIS_ROUND_AVERAGE, now)]
        if before is not None and report.previous_round_name:
            series.append((_short(report.previous_round_name, SERIES_NAME_CHARS), before))
        chart = Chart("radar", rt.CHART_PROVINCE_RADAR.format(agency=report.scope_name), _labels(bank),
                      tuple(series))
        replies.append(Reply("\n".join(text), summary=True, chart=chart))
    return tuple(replies)


def bar_chart(report: RoundReport, scored: Sequence[AgencyRow], mean: float | None) -> Chart | None:
    """One bar per agency with a score, best first; beyond `BAR_LIMIT` agencies, the lowest `BAR_LIMIT`
    (weakest first): a coordinator acts on those, and thousands of bars are unreadable."""
    if not scored:
        return None
    if len(scored) <= BAR_LIMIT:
        ranked = sorted(scored, key=lambda r: (-(r.overall or 0.0), r.code))
        title = rt.CHART_BARS.format(agency=report.scope_name)
    else:
        ranked = sorted(scored, key=lambda r: (r.overall or 0.0, r.code))[:BAR_LIMIT]
        title = rt.CHART_BARS_LOWEST.format(shown=BAR_LIMIT, total=_count(len(scored)), agency=report.scope_name)
    return Chart("bar", title, tuple(r.name for r in ranked), (("", tuple(r.overall or 0.0 for r in ranked)),),
                 average=mean)


def summary_replies(bank: Bank, report: RoundReport, agency_id: int) -> tuple[Reply, ...]:
    """The province view when the agency has agencies beneath it in the report, else the agency view."""
    agency = _find(report, agency_id)
    if agency is not None and agency.agency_id in _has_children(report):
        sub = report if agency.depth == 0 else _subreport(report, agency)
        return province_summary_replies(bank, sub)
    return agency_summary_replies(bank, report, agency_id)


def _subreport(report: RoundReport, agency: AgencyRound) -> RoundReport:
    keep = {agency.agency_id}
    agencies = []
    for a in report.agencies:  # parents come before children
        if a.agency_id in keep or a.parent_id in keep:
            keep.add(a.agency_id)
            agencies.append(AgencyRound(a.agency_id, a.code, a.name, a.parent_id, a.depth - agency.depth, a.invited,
                                        a.respondents))
    return RoundReport(report.round_id, report.round_name, report.opens_on, report.closes_on, agency.code,
                       agency.name, tuple(agencies), report.previous, report.previous_round_name)
