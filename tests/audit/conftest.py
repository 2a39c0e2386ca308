import pytest
from django.db import transaction

from ggzy.audit.services import record


@pytest.fixture
def make_events():
    """Append ``n`` events (each in its own transaction, as services do); returns them."""

    def make(n: int, **extra):
        events = []
        for i in range(n):
            with transaction.atomic():
                events.append(
                    record(
                        actor="test",
                        action=f"test.act{i % 3}",
                        object_type="thing",
                        object_id=i + 1,
                        summary={"名称": ["旧名", f"新名{i}"], "n": i},
                        **extra,
                    )
                )
        return events

    return make
