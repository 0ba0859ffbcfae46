"""The one place the default terms of an invite are set (chat and command line alike)."""

from __future__ import annotations

# role -> (uses, days until it expires).  An officer invite goes to a whole team; a coordinator invite
# grants sight of an agency's names and answers, so it is for one person and short-lived.
INVITE_TERMS: dict[str, tuple[int, int]] = {"officer": (50, 14), "coordinator": (1, 7)}
