"""Subcommands that need the database or the channels (filled in as they are built)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    return None
