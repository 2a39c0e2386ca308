"""Fixtures of the trading tests: the test rule sets stand in for the rules app's selectors."""

from __future__ import annotations

import pytest

from ggzy.trading import selectors
from tests.trading import rulesets


@pytest.fixture(autouse=True)
def test_rulesets(monkeypatch):
    """Tests against the real shipped rule sets call ``monkeypatch.undo()`` first."""
    monkeypatch.setattr(selectors, "ruleset_effective", rulesets.effective)
    monkeypatch.setattr(selectors, "ruleset_version", rulesets.version)
    monkeypatch.setattr(
        selectors, "rulesets_published", lambda: [r for r in rulesets.ALL if r is not rulesets.SEALED]
    )
    monkeypatch.setattr(selectors, "mandatory_scope", lambda **facts: selectors.ScopeDecision(None, ""))
    monkeypatch.setattr(selectors, "splitting_suspects", lambda *, new, recent: None)


@pytest.fixture
def real_rules(monkeypatch):
    """The rules app's shipped rule sets instead of the test ones (returns them, published)."""
    monkeypatch.undo()  # drop the test rule sets above
    from ggzy.core.permissions import SYSTEM
    from ggzy.rules.models import RuleSetVersion
    from ggzy.rules.services import ruleset_sync_shipped

    if not RuleSetVersion.objects.exists():  # a transactional test flushed the migration's rows
        ruleset_sync_shipped(actor=SYSTEM, record_audit=False)
    rulesets = selectors.rulesets_published()
    assert len(rulesets) >= 17
    return rulesets
