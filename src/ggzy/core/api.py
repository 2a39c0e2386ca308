"""API for core (thin: parse, call a selector or service, shape the answer)."""

from ninja import Router

router = Router(tags=["core"])
