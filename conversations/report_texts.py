"""Every Thai string of the coordinators' summaries (conversations/reporting.py).

Short lines for a phone screen; numbers as "375", counts as "2,500", dates in พ.ศ.
"""

from __future__ import annotations

AGENCY_TITLE = "📊 สรุปผลหน่วยงาน {agency}"
PROVINCE_TITLE = "📊 สรุปผลภาพรวม {agency}"
ROUND_LINE = "{round} · ปิดรับ {closes}"
PEOPLE = "ผู้ตอบ {respondents} จาก {invited} คน · ส่งแล้ว {submitted} คน · ตอบแล้ว {percent}%"
NO_ANSWERS = "ยังไม่มีผู้ตอบในรอบนี้ค่ะ (มีเจ้าหน้าที่เข้าร่วมแล้ว {invited} คน)"
OVERALL = "ภาพรวม {score} จาก 500 คะแนน{change} · {level}\n{index}"
AVERAGE_LINE = "ค่าเฉลี่ย{group} {score} จาก 500 คะแนน"
CATEGORY = "หมวด {number} {category}: {score}{change} ({level})"
CATEGORY_UNANSWERED = "หมวด {number} {category}: ยังไม่ได้ตอบ"
CHANGE = " {arrow}{points}"
UP = "▲"
DOWN = "▼"
SAME_TEXT = " เท่าเดิม"
CHANGE_NOTE = "▲▼ = เปลี่ยนจาก{round}"

DISAGREE_TITLE = "💬 ข้อที่คำตอบต่างกันมาก ควรคุยกันในทีม ({count} ข้อ):"
DISAGREE_LINE = "• ข้อ {item_id} {level}: {answers}"
DISAGREE_ANSWER = "{label} {count}"
DISAGREE_MORE = "…และอีก {count} ข้อ (ดูทั้งหมดได้ในไฟล์ \"ส่งออก\")"
NO_DISAGREEMENT = "✅ ผู้ตอบเห็นตรงกันทุกข้อ (ต่างกันไม่เกิน 1 ระดับ)"
ACTIONS = "สิ่งที่ควรพัฒนาก่อน:"

PROVINCE_AGENCIES = "หน่วยงาน {agencies} แห่ง · เริ่มตอบแล้ว {started} แห่ง"
PROVINCE_PEOPLE = "ผู้ตอบ {respondents} จาก {invited} คน · ส่งแล้ว {submitted} คน"
PROVINCE_AVERAGE = "ค่าเฉลี่ย {score} จาก 500 คะแนน{change} · {level}"
PROVINCE_NO_SCORE = "ยังไม่มีหน่วยงานใดมีคำตอบค่ะ"
TABLE_TITLE = "หน่วยงานที่ตอบน้อยที่สุดก่อน:"
TABLE_TITLE_ALL = "ทุกหน่วยงาน เรียงจากตอบน้อยที่สุด:"
TABLE_LINE = "{n}. {agency} ({code}): ตอบ {percent}% · {score}"
TABLE_SCORE = "{score} ({level})"
TABLE_NO_SCORE = "ยังไม่มีคะแนน"
TABLE_MORE = "…และอีก {count} หน่วยงาน พิมพ์ \"ส่งออก\" เพื่อรับตารางฉบับเต็มค่ะ"
CATEGORY_AVERAGES = "ค่าเฉลี่ยรายหมวดของ {count} หน่วยงานที่มีคำตอบ:"

NO_ROUND = "ยังไม่มีรอบการประเมินสำหรับหน่วยงานนี้ค่ะ เปิดรอบได้ด้วยคำสั่ง \"รอบ เปิด\""
UNKNOWN_AGENCY = "ไม่พบหน่วยงานนี้ หรืออยู่นอกขอบเขตที่ท่านดูแลค่ะ"

# Charts
CHART_AGENCY = "ผลรายหมวด: {agency}"
CHART_OFFICER = "ผลของท่านเทียบกับหน่วยงาน"
CHART_PROVINCE_RADAR = "ค่าเฉลี่ยรายหมวด: {agency}"
CHART_BARS = "คะแนนรวมรายหน่วยงาน: {agency}"
CHART_BARS_LOWEST = "{shown} หน่วยงานคะแนนต่ำสุด จาก {total} แห่งที่มีคำตอบ: {agency}"
SERIES_THIS_ROUND_AVERAGE = "ค่าเฉลี่ยรอบนี้"
SERIES_PREVIOUS = "{round}"
SERIES_OWN = "คำตอบของท่าน"
SERIES_THIS_AGENCY = "หน่วยงานนี้"
# The siblings' average, named by their province ("ค่าเฉลี่ยจังหวัดขอนแก่น"): a province's offices belong to
# different ministries, so "the same สังกัด" was not true.
SERIES_GROUP_AVERAGE = "ค่าเฉลี่ย{group}"
SERIES_AGENCY = "หน่วยงาน (รวมทุกคน)"
GROUP_OF = "หน่วยงานใน{agency}"
PROVINCE_WORD = "จังหวัด"
