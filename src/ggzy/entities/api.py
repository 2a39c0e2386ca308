"""API for entities (thin: parse, call a selector or service, shape the answer)."""

from ninja import Router

router = Router(tags=["entities"])
