"""Invite codes: their terms, and the message a coordinator forwards with one."""

from bot.invites.message import BotAddresses, forwardable
from bot.invites.terms import INVITE_TERMS

__all__ = ["INVITE_TERMS", "BotAddresses", "forwardable"]
