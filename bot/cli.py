"""`pmqa-bot`: the one console script.  Each subcommand imports what it needs when it runs,
so `pmqa-bot chat` does not pay for the LINE or Telegram SDKs."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_USAGE
    return int(args.run(args) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pmqa-bot", description="PMQA 4.0 self-assessment bot")
    commands = parser.add_subparsers(title="commands")

    criteria = commands.add_parser("criteria", help="the question bank")
    criteria_commands = criteria.add_subparsers(title="criteria commands")
    check = criteria_commands.add_parser("check", help="validate the bank and print its counts")
    check.add_argument("--bank", type=Path, help="a bank folder, version 1 or 2 (default: both shipped banks)")
    check.set_defaults(run=_criteria_check)

    score = commands.add_parser("score", help="score a JSON file of answers (version 1 or 2, told by its ids)")
    score.add_argument("file", type=Path)
    score.add_argument("--json", action="store_true", help="print JSON instead of text")
    score.add_argument("--bank", type=Path, help="a version-2 bank folder for a version-2 file (default: shipped)")
    score.set_defaults(run=_score)

    _add_runtime_commands(commands)
    return parser


def _add_runtime_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot import admin_cli, export_cli, serve_cli
    from bot.dashboard import cli as dashboard_cli
    from bot.edges import cli as edges_cli

    admin_cli.register(commands)
    serve_cli.register(commands)
    export_cli.register(commands)
    edges_cli.register(commands)
    dashboard_cli.register(commands)


def _criteria_check(args: argparse.Namespace) -> int:
    from bot.bank_v2.check import check_v2, is_v2_folder
    from criteria.v2 import DEFAULT_V2_DIR

    if args.bank is not None:
        folder = args.bank.resolve()
        return check_v2(folder) if is_v2_folder(folder) else _check_v1(folder)
    status = _check_v1(None)
    print()
    return max(status, check_v2(DEFAULT_V2_DIR))


def _check_v1(folder: Path | None) -> int:
    from criteria import BankError, default_bank, load_bank

    try:
        bank = load_bank(folder) if folder else default_bank()
    except BankError as error:
        print("ชุดคำถามใช้ไม่ได้ / the bank is broken:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    questions = bank.questions
    actions = sum(1 for q in questions if q.action)
    print(f"{bank.title} — version {bank.version}: OK")
    print(f"categories: {len(bank.categories)}")
    process = sum(len(c.items) for c in bank.categories if c.kind == "process")
    print(f"items: {len(bank.items)} ({process} process, {len(bank.items) - process} results)")
    print(f"questions: {len(questions)}")
    print(f"actions: {actions}")
    print(f"profile questions: {len(bank.profile)}")
    return 0


def _score(args: argparse.Namespace) -> int:
    from bot.score_report import as_dict, as_text
    from criteria import default_bank
    from criteria.answers_file import AnswerError, parse_answer_sets
    from criteria.scoring import aggregate, score

    try:
        data = json.loads(args.file.read_text(encoding="utf-8"))
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except json.JSONDecodeError as error:
        print(f"{args.file}: not valid JSON: {error}", file=sys.stderr)
        return EXIT_USAGE
    from criteria.v2.answers_file import is_v2

    if is_v2(data):
        from bot.bank_v2.score_file import score_v2_file

        return score_v2_file(args.file, data, bank_folder=args.bank, as_json=args.json)
    bank = default_bank()
    try:
        respondents = parse_answer_sets(bank, data)
    except AnswerError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return EXIT_USAGE
    combined = aggregate(bank, respondents) if len(respondents) > 1 else None
    result = score(bank, combined.answers if combined else respondents[0])
    if args.json:
        print(json.dumps(as_dict(bank, result, combined), ensure_ascii=False, indent=2))
    else:
        print(as_text(bank, result, combined, len(respondents)))
    return 0
