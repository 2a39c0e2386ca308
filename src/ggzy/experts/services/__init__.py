"""Every write of the experts app (see the modules: pool, draws, notify)."""

from ggzy.experts.services.draws import (
    committee_check_in,
    committee_end,
    committee_form,
    draw_cancel,
    draw_commit,
    draw_reveal,
    draw_run,
    invitation_answer,
    invitation_no_answer,
)
from ggzy.experts.services.notify import dispatch as notifications_dispatch
from ggzy.experts.services.pool import (
    expert_account_link,
    expert_apply,
    expert_import,
    expert_penalise,
    expert_rate,
    expert_reassess,
    expert_review,
    expert_status_set,
    specialty_import,
)

__all__ = [
    "committee_check_in",
    "committee_end",
    "committee_form",
    "draw_cancel",
    "draw_commit",
    "draw_reveal",
    "draw_run",
    "expert_account_link",
    "expert_apply",
    "expert_import",
    "expert_penalise",
    "expert_rate",
    "expert_reassess",
    "expert_review",
    "expert_status_set",
    "invitation_answer",
    "invitation_no_answer",
    "notifications_dispatch",
    "specialty_import",
]
