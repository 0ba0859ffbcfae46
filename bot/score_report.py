"""`pmqa-bot score`: a plain-text or JSON report of one answer set or an agency's several."""

from __future__ import annotations

from typing import Any

from conversations.reporting import index_lines
from criteria import shown
from criteria.model import Bank
from criteria.scoring import Aggregate, Result, ranked_actions

TOP_ACTIONS = 3


def as_dict(bank: Bank, result: Result, aggregate: Aggregate | None) -> dict[str, Any]:
    actions = ranked_actions(bank, result)
    return {
        "bank": {"id": bank.id, "version": bank.version},
        "overall": {
            "score": round(result.overall, 2),
            "level": result.level.name,
            "level_key": result.level.key,
            "index": round(result.index, 2),
        },
        "confidence": None if result.confidence is None else round(result.confidence, 4),
        "answered": result.answered,
        "unsure": result.unsure,
        "categories": [
            {
                "number": c.category.number,
                "name": c.category.name,
                "score": round(c.score, 2),
                "level": c.level.name,
                "items": [
                    {"id": i.item.id, "title": i.item.title, "score": round(i.score, 2), "level": i.level.name}
                    for i in c.items
                ],
            }
            for c in result.categories
        ],
        "actions": [
            {"priority": a.priority, "item": a.item.id, "question": a.question.id, "action": a.text} for a in actions
        ],
        "disagreements": [
            {"question": d.question.id, "answers": list(d.codes), "spread": d.spread}
            for d in (aggregate.disagreements if aggregate else ())
        ],
    }


def as_text(bank: Bank, result: Result, aggregate: Aggregate | None, respondents: int) -> str:
    lines = [f"{bank.short_title} (ชุดคำถาม {bank.version}) · ผู้ตอบ {respondents} คน", ""]
    for category in result.categories:
        lines.append(f"หมวด {category.category.number} {category.category.name}: "
                     f"{shown.points(category.score)} ({category.level.name})")
        for item in category.items:
            lines.append(f"   {item.item.id} {item.item.title}: {shown.points(item.score)} ({item.level.name})")
    lines += [
        "",
        f"ภาพรวม: {shown.points(result.overall)} จาก 500 คะแนน ({result.level.name})",
        index_lines(result.index),
    ]
    if result.confidence is not None:
        lines.append(f"ความมั่นใจ: {shown.percent(result.confidence)}% ของคำตอบไม่ใช่ \"ไม่แน่ใจ\"")
    actions = ranked_actions(bank, result)[:TOP_ACTIONS]
    if actions:
        lines += ["", "สิ่งที่ควรทำก่อน:"]
        lines += [f"{a.priority}. [{a.item.id}] {a.text}" for a in actions]
    if aggregate and aggregate.disagreements:
        lines += ["", "คำถามที่ผู้ตอบเห็นต่างกันมาก (ควรหารือ):"]
        lines += [f"- {d.question.id}: {', '.join(d.codes)}" for d in aggregate.disagreements]
    lines += ["", bank.disclaimer]
    return "\n".join(lines)
