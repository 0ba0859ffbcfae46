"""Pure scoring: answers in, scores, levels and ranked actions out.  No I/O, no clock.

An answer set maps a question id to an option code of that question's scale
(e.g. ``{"Q1.1B": "3", "Q7.1R": "300"}``).  Unanswered questions score 0, and the
strict gate is part of the formula itself, so an Advance answer left over from an
earlier "fully met" Basic never counts once Basic is lowered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from criteria.model import MAX_SCORE, Bank, Category, Item, MaturityLevel, Question

Answers = Mapping[str, str]

BASIC_POINTS = 300
STEP_POINTS = 100
INDEX_MAX = 4  # "ระบบราชการ 4.0"
_EPSILON = 1e-9  # float sums such as 3 × 100/3 must still reach a threshold


@dataclass(frozen=True, slots=True)
class ItemResult:
    item: Item
    score: float
    level: MaturityLevel
    next_question: Question | None  # the level not yet reached; None at 500
    next_answered: bool = False  # the respondent answered `next_question` (not unanswered nor skipped)


@dataclass(frozen=True, slots=True)
class CategoryResult:
    category: Category
    score: float
    level: MaturityLevel
    items: tuple[ItemResult, ...]
    answered: int = 0  # answers counted in this category; 0 = "ยังไม่ได้ตอบ", not a score of 0

    @property
    def has_answers(self) -> bool:
        return self.answered > 0


@dataclass(frozen=True, slots=True)
class Action:
    item: Item
    category: Category
    question: Question  # the question whose level the action reaches
    text: str
    item_score: float
    priority: int  # 1 = do first


@dataclass(frozen=True, slots=True)
class Result:
    overall: float
    level: MaturityLevel
    index: float  # Government-4.0 index, overall ÷ 500 × 4
    categories: tuple[CategoryResult, ...]
    answered: int
    unsure: int

    @property
    def confidence(self) -> float | None:
        """Share of the given answers that are not "ไม่แน่ใจ"; None before any answer."""
        return None if self.answered == 0 else (self.answered - self.unsure) / self.answered

    def category(self, number: int) -> CategoryResult:
        return self.categories[number - 1]

    @property
    def items(self) -> tuple[ItemResult, ...]:
        return tuple(i for c in self.categories for i in c.items)


def level_for(bank: Bank, score: float) -> MaturityLevel:
    reached = bank.levels[0]
    for level in bank.levels:
        if score + _EPSILON >= level.min_score:
            reached = level
    return reached


def government_index(overall: float) -> float:
    return overall / MAX_SCORE * INDEX_MAX


def _fraction(bank: Bank, question: Question | None, answers: Answers) -> tuple[float, bool]:
    """(normalised value, fully met) of one answer; unanswered and unknown codes are (0, False)."""
    if question is None:
        return 0.0, False
    code = answers.get(question.id)
    option = None if code is None else bank.scale_for(question).option(code)
    if option is None:
        return 0.0, False
    return option.fraction, option.full


def item_score(bank: Bank, item: Item, answers: Answers) -> float:
    result = item.question("result")
    if result is not None:
        return MAX_SCORE * _fraction(bank, result, answers)[0]
    b, b_full = _fraction(bank, item.question("basic"), answers)
    a, a_full = _fraction(bank, item.question("advance"), answers)
    s, _ = _fraction(bank, item.question("significance"), answers)
    score = BASIC_POINTS * b
    if b_full:
        score += STEP_POINTS * a
        if a_full:
            score += STEP_POINTS * s
    return score


def _next_question(bank: Bank, item: Item, answers: Answers) -> Question | None:
    for question in item.questions:  # basic → advance → significance, or the one result
        if not _fraction(bank, question, answers)[1]:
            return question
    return None


def score(bank: Bank, answers: Answers) -> Result:
    categories = []
    for category in bank.categories:
        items = []
        for item in category.items:
            value = item_score(bank, item, answers)
            upcoming = _next_question(bank, item, answers)
            given = upcoming is not None and upcoming.id in answers
            items.append(ItemResult(item, value, level_for(bank, value), upcoming, given))
        mean = sum(i.score for i in items) / len(items)
        counted = sum(1 for i in category.items for q in i.questions
                      if q.id in answers and is_applicable(bank, q, answers)
                      and bank.scale_for(q).option(answers[q.id]) is not None)
        categories.append(CategoryResult(category, mean, level_for(bank, mean), tuple(items), counted))
    overall = sum(bank.weights[str(c.category.number)] * c.score for c in categories) / bank.weight_total
    answered, unsure = _count_answers(bank, answers)
    return Result(overall, level_for(bank, overall), government_index(overall), tuple(categories), answered, unsure)


def _count_answers(bank: Bank, answers: Answers) -> tuple[int, int]:
    answered = unsure = 0
    for question_id, code in answers.items():
        question = bank.question(question_id)
        if question is None or not is_applicable(bank, question, answers):
            continue
        option = bank.scale_for(question).option(code)
        if option is not None:
            answered += 1
            unsure += option.unsure
    return answered, unsure


# The adaptive gate ---------------------------------------------------------------

def is_applicable(bank: Bank, question: Question, answers: Answers) -> bool:
    """Advance is asked only after a fully-met Basic, Significance only after a fully-met Advance."""
    if question.level in ("basic", "result"):
        return True
    item = bank.item_of(question.id)
    if not _fraction(bank, item.question("basic"), answers)[1]:
        return False
    return question.level == "advance" or _fraction(bank, item.question("advance"), answers)[1]


def applicable_questions(bank: Bank, answers: Answers, categories: Iterable[int] | None = None) -> list[Question]:
    """The questions this respondent should answer now, in asking order."""
    wanted = None if categories is None else set(categories)
    category_of = bank.lookup.category_of
    return [
        q for q in bank.questions
        if (wanted is None or category_of[q.id] in wanted) and is_applicable(bank, q, answers)
    ]


def next_question(
    bank: Bank,
    answers: Answers,
    *,
    after: str | None = None,
    skipped: Iterable[str] = (),
    categories: Iterable[int] | None = None,
) -> Question | None:
    """The next unanswered, unskipped applicable question: after `after` if any, else from the start."""
    skip = set(skipped)
    pending = [q for q in applicable_questions(bank, answers, categories) if q.id not in answers and q.id not in skip]
    if after is not None:
        position = bank.order_of(after)
        later = [q for q in pending if bank.order_of(q.id) > position]
        if later:
            return later[0]
    return pending[0] if pending else None


def inapplicable_answers(bank: Bank, answers: Answers) -> list[str]:
    """Answers the gate no longer admits (e.g. Advance after Basic was lowered): to be set aside."""
    return [qid for qid in answers if (q := bank.question(qid)) is not None and not is_applicable(bank, q, answers)]


# Improvement actions -------------------------------------------------------------

def ranked_actions(bank: Bank, result: Result) -> list[Action]:
    """One action per item not at 500 (the next level it has not reached), most urgent first.

    Only for an item whose next question was answered: an unanswered or skipped question says nothing
    about what the agency lacks, so no action is recommended for it.

    Items below Basic come first, lowest score first; then Basic items in the weakest
    categories; then Advance items towards Significance.
    """
    candidates = []
    for category in result.categories:
        for item in category.items:
            if item.next_question is None or not item.next_answered:
                continue
            tier = bank.levels.index(item.level)
            key = (tier, item.score if tier == 0 else category.score, item.score, bank.order_of(item.next_question.id))
            candidates.append((key, item, category))
    candidates.sort(key=lambda entry: entry[0])
    return [
        Action(item.item, category.category, item.next_question, item.next_question.action, item.score, rank)
        for rank, (_, item, category) in enumerate(candidates, 1)
        if item.next_question is not None
    ]


def strengths(result: Result, count: int = 3) -> list[ItemResult]:
    """The highest-scoring items (ties keep bank order); only items that reached the first level
    (Basic, 300 of 500): an item below it is not a strength, however it compares with the others."""
    ranked = sorted((i for i in result.items if i.level.min_score > 0), key=lambda i: -i.score)
    return ranked[:count]


# Several respondents -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Disagreement:
    question: Question
    codes: tuple[str, ...]  # every respondent's answer, as given
    spread: int  # scale steps between the lowest and the highest answer


@dataclass(frozen=True, slots=True)
class Aggregate:
    answers: dict[str, str]  # the agency's answer per question
    respondents: dict[str, int]  # how many answered each question
    disagreements: tuple[Disagreement, ...]


def aggregate(bank: Bank, respondents: Sequence[Answers]) -> Aggregate:
    """The agency's answer per question: the lower median of its respondents' answers.

    "ไม่แน่ใจ" carries no information about the agency, so it is left out of the median
    unless every respondent was unsure; answers spanning 2 or more scale steps are a
    disagreement for the team to discuss.
    """
    combined: dict[str, str] = {}
    counts: dict[str, int] = {}
    disagreements = []
    for question in bank.questions:
        codes = [r[question.id] for r in respondents if question.id in r]
        scale = bank.scale_for(question)
        codes = [c for c in codes if scale.option(c) is not None]
        if not codes:
            continue
        counts[question.id] = len(codes)
        sure = sorted((c for c in codes if not scale.option(c).unsure), key=scale.rank)  # type: ignore[union-attr]
        if not sure:
            combined[question.id] = codes[0]
            continue
        combined[question.id] = sure[(len(sure) - 1) // 2]
        spread = scale.rank(sure[-1]) - scale.rank(sure[0])
        if spread >= 2:
            disagreements.append(Disagreement(question, tuple(codes), spread))
    return Aggregate(combined, counts, tuple(disagreements))
