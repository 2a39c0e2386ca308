"""Every write of the trading app (package: projects and lots, notices, the tick).

Import from here: ``from ggzy.trading.services import project_register``.
"""

from ggzy.trading.services.notices import lot_schedule, notice_amend, notice_publish
from ggzy.trading.services.projects import lot_add, lot_relist, lot_transition, project_register
from ggzy.trading.services.tick import tick_run

__all__ = [
    "lot_add",
    "lot_relist",
    "lot_schedule",
    "lot_transition",
    "notice_amend",
    "notice_publish",
    "project_register",
    "tick_run",
]
