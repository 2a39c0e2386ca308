"""Every write of the trading app (package: projects and lots, notices, the tick).

Import from here: ``from ggzy.trading.services import project_register``.
"""

from ggzy.trading.services.projects import lot_add, lot_transition, project_register

__all__ = ["lot_add", "lot_transition", "project_register"]
