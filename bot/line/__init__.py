"""The LINE Messaging API channel: webhook intake, rendering and sending."""
