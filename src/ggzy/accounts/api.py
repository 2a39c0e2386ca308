"""API for accounts (thin: parse, call a selector or service, shape the answer)."""

from ninja import Router

router = Router(tags=["accounts"])
