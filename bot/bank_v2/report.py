"""`pmqa-bot score` for bank version 2: a plain-text or JSON report of one answer set or an agency's several."""

from __future__ import annotations

from typing import Any

from criteria.v2.answers_file import CombinedResults
from criteria.v2.model import BankV2
from criteria.v2.scoring import AgencyAnswers, ProcessItemResult, RankedAction, Result, ranked_actions

TOP_ACTIONS = 5


def as_dict(
    bank: BankV2, result: Result, agency: AgencyAnswers | None, combined: CombinedResults, respondents: int
) -> dict[str, Any]:
    items: dict[str, Any] = {}
    for category in result.categories:
        for item in category.items:
            entry: dict[str, Any] = {
                "category": category.category.number,
                "title": item.item.title,
                "score": item.score,
                "level": item.band.name,
                "level_key": item.band.key,
            }
            if isinstance(item, ProcessItemResult):
                entry["practices"] = {lv.level: {"done": lv.done, "total": lv.total} for lv in item.levels}
            else:
                entry["status"] = item.status
                entry["indicators"] = list(item.indicators)
            items[item.id] = entry
    return {
        "bank": {"id": bank.id, "version": bank.version, "format": 2},
        "respondents": respondents,
        "overall": {
            "score": result.overall,
            "level": result.band.name,
            "level_key": result.band.key,
            "index": result.index,
            "index_label": bank.root.index_label,
        },
        "confidence": result.confidence,
        "answered": result.answered,
        "unsure": result.unsure,
        "categories": {
            str(c.category.number): {
                "name": c.category.name, "score": c.score, "level": c.band.name, "level_key": c.band.key,
            }
            for c in result.categories
        },
        "items": items,
        "actions": [_action(a) for a in ranked_actions(bank, result)],
        "splits": [
            {
                "practice": s.practice.id, "done": s.done, "not_done": s.not_done, "unsure": s.unsure,
                "gated_out": s.gated_out, "respondents": s.respondents, "agency_done": s.agency_done,
            }
            for s in (agency.splits if agency else ())
        ],
        "result_conflicts": list(combined.conflicts),
    }


def _action(action: RankedAction) -> dict[str, Any]:
    return {
        "rank": action.rank,
        "item": action.item.id,
        "practice": action.practice.id,
        "level": action.level,
        "action": action.text,
        "points": round(action.overall_gain, 2),
        "item_points": round(action.item_gain, 2),
    }


def as_text(
    bank: BankV2, result: Result, agency: AgencyAnswers | None, combined: CombinedResults, respondents: int
) -> str:
    lines = [f"{bank.root.short_title} (ชุดคำถาม {bank.version}) · ผู้ตอบ {respondents} คน", ""]
    for category in result.categories:
        lines.append(f"หมวด {category.category.number} {category.category.name}: "
                     f"{category.score:.0f} จาก 500 ({category.band.name})")
        for item in category.items:
            lines.append(f"   {item.id} {item.item.title}: {_item_detail(bank, item)}")
    lines += [
        "",
        f"ภาพรวม: {result.overall:.0f} จาก 500 คะแนน ({result.band.name})",
        f"{bank.root.index_label}: {result.index:.1f} จาก {bank.root.index_max:g}",
    ]
    if result.confidence is not None:
        lines.append(f"ความมั่นใจ: ตอบอย่างมั่นใจ {result.confidence:.0%} ของข้อที่ตอบ "
                     f"(ไม่แน่ใจ {result.unsure} จาก {result.answered} ข้อ)")
    if any(getattr(i, "status", "") == "estimate" for i in result.category(7).items) and bank.root.estimate:
        lines.append(bank.root.estimate.note)
    actions = [a for a in ranked_actions(bank, result) if a.overall_gain > 0][:TOP_ACTIONS]
    if actions:
        lines += ["", "สิ่งที่ควรทำก่อน (เพิ่มคะแนนภาพรวมได้มากที่สุด):"]
        lines += [f"{a.rank}. [{a.item.id} · {a.practice.id}] {a.text} (+{a.overall_gain:.1f} คะแนน)" for a in actions]
    if agency and agency.splits:
        lines += ["", "แนวทางที่ผู้ตอบเห็นต่างกัน (ควรหารือ):"]
        lines += [
            f"- {s.practice.id}: ทำแล้ว {s.done} · ยังไม่ได้ทำ {s.not_done} · ไม่แน่ใจ {s.unsure}"
            f" · ยังไม่ถึงระดับนี้ {s.gated_out} → {'นับว่าทำแล้ว' if s.agency_done else 'นับว่ายังไม่ได้ทำ'}"
            for s in agency.splits
        ]
    if combined.conflicts:
        lines += ["", f"ผลลัพธ์หมวด 7 ที่ผู้ตอบกรอกไม่ตรงกัน (ใช้ค่าของผู้ตอบคนแรก): {', '.join(combined.conflicts)}"]
    lines += ["", bank.root.disclaimer]
    return "\n".join(lines)


def _item_detail(bank: BankV2, item: Any) -> str:
    if isinstance(item, ProcessItemResult):
        done = " · ".join(f"{bank.band(lv.level).name} {lv.done}/{lv.total}" for lv in item.levels)
        return f"{item.score:.0f} ({item.band.name}) · {done}"
    if item.status == "not_entered":
        return f"{bank.root.not_entered} (นับเป็น 0)"
    scored = sum(1 for s in item.indicators if s is not None)
    suffix = "ค่าประมาณ" if item.status == "estimate" else f"ตัวชี้วัด {scored} ตัว"
    return f"{item.score:.0f} ({item.band.name}) · {suffix}"
