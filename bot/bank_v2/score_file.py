"""`pmqa-bot score FILE` for a version-2 file: parse, score (one respondent or an agency's several), print."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bot.bank_v2.report import as_dict, as_text
from criteria.v2 import BankV2Error, default_bank_v2, load_bank_v2
from criteria.v2.answers_file import AnswerErrorV2, combine_results, parse_v2
from criteria.v2.scoring import score, score_agency

EXIT_USAGE = 2


def score_v2_file(file: Path, data: Any, *, bank_folder: Path | None, as_json: bool) -> int:
    try:
        bank = load_bank_v2(bank_folder.resolve()) if bank_folder else default_bank_v2()
    except BankV2Error as error:
        print("ชุดคำถามรุ่น 2 ใช้ไม่ได้ / bank version 2 is broken:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    try:
        respondents = parse_v2(bank, data)
    except AnswerErrorV2 as error:
        print(f"{file}: {error}", file=sys.stderr)
        return EXIT_USAGE
    combined = combine_results(respondents)
    if len(respondents) > 1:
        result, agency = score_agency(bank, [r.answers for r in respondents], combined.results, combined.estimates)
    else:
        result, agency = score(bank, respondents[0].answers, combined.results, combined.estimates), None
    if as_json:
        report = as_dict(bank, result, agency, combined, len(respondents))
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(as_text(bank, result, agency, combined, len(respondents)))
    return 0
