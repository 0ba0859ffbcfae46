"""The coordinators' web dashboard, served by `pmqa-bot serve` under /dashboard.

Sign-in comes from the chat (แดชบอร์ด /dashboard: a one-time link), pages are Jinja2 templates with
htmx served from this package (no CDN), and every page and action checks the coordinator's scope on
the server with the same functions as the chat (storage.scope, bot.coordination).

Nothing is imported here: `pmqa-bot serve` registers the dashboard's command before it listens, and
the database libraries load only after the socket is bound (tests/bot/test_startup.py).
"""
