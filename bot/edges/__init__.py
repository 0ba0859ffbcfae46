"""The server's edges: what arrives from outside is bounded, checked and isolated before the engine
sees it — a body-size limit, the shapes of LINE events and Telegram updates, and dead letters."""
