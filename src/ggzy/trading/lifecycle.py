"""The lot lifecycle: the explicit table of allowed status moves, built from a rule set. Pure module.

Statuses: ``draft`` (登记), then the rule set's stages in order, then the terminal statuses
``terminated`` (终止) and ``failed`` (流标/流拍). Allowed moves:

- ``draft`` -> the first stage;
- stage i -> stage i + 1;
- any non-terminal status -> ``terminated``;
- a stage at or after the closing stage (the first stage entered at a bid, response, registration
  or listing deadline; see ``CLOSING_EVENTS``) -> ``failed``.

The last stage of the rule set completes the trade: like ``terminated`` and ``failed`` it has no
move out. The table is data (``Table``); ``check_move`` refuses anything not in it with a Chinese
message naming both statuses and the moves that are allowed.

Relisting (重新挂牌/再行拍卖, auction procedures only: the rule set's mechanism is ``auction``): a
lot whose auction failed (``failed``) or whose winner defaulted (the result stage, the stage
before the last) may go back to the first stage for a new attempt on the same lot. These moves are
kept apart in ``Table.relists``: they are not in ``moves``, so ``failed`` stays terminal for the
tick, the project's status and the ordinary transitions, and only ``lot_relist`` takes them. A
failed tender is not relisted: it is tendered again as a new project.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ggzy.core.errors import InvalidInput
from ggzy.rules.schema import RuleSet

DRAFT = "draft"
TERMINATED = "terminated"
FAILED = "failed"
FIXED_LABELS = {DRAFT: "登记", TERMINATED: "终止", FAILED: "流标（流拍）"}

# The events that close the competition (the bid, response, registration or listing deadline, or
# the moment the opening or the auction starts): from the first stage entered at one of these on,
# a lot with too few bidders or quotes can fail (招标投标法第二十八条、政府采购法第三十六条 etc.).
# A single-source procurement fails at the end of its publicity (objections upheld); a state
# property listing at the end of disclosure (no qualified transferee).
CLOSING_EVENTS = (
    "bid_deadline",
    "opening",
    "response_deadline",
    "registration_deadline",
    "listing_end",
    "auction_start",
    "disclosure_end",
    "publicity_end",
)


@dataclass(frozen=True)
class Table:
    ruleset_code: str
    ruleset_version: int
    statuses: tuple[str, ...]  # every status, in display order
    labels: dict[str, str]
    moves: dict[str, tuple[str, ...]]  # status -> allowed next statuses (in order)
    events: dict[str, str | None]  # stage -> the timeline event that enters it
    # relisting (auction procedures): status -> the stage a new attempt restarts at (lot_relist only)
    relists: dict[str, str] = field(default_factory=dict)

    def label(self, status: str) -> str:
        return self.labels.get(status, status)

    def next_statuses(self, status: str) -> tuple[str, ...]:
        return self.moves.get(status, ())

    def is_terminal(self, status: str) -> bool:
        return status in self.moves and not self.moves[status]

    def allows(self, from_status: str, to_status: str) -> bool:
        return to_status in self.moves.get(from_status, ())

    def relist_to(self, status: str) -> str | None:
        """The stage a relisting restarts at from ``status`` (None: no relisting from there)."""
        return self.relists.get(status)


def _closing_index(ruleset: RuleSet) -> int:
    for i, stage in enumerate(ruleset.stages):
        if stage.event in CLOSING_EVENTS:
            return i
    # No closing event named: the competition closes at the last stage before completion.
    return max(len(ruleset.stages) - 2, 0)


def transition_table(ruleset: RuleSet) -> Table:
    stages = ruleset.stage_codes()
    if not stages:
        raise InvalidInput("ruleset.no_stages", f"规则“{ruleset.name}”未规定任何阶段，无法办理交易")
    reserved = set(stages) & set(FIXED_LABELS)
    if reserved or len(set(stages)) != len(stages):
        raise InvalidInput(
            "ruleset.bad_stages",
            f"规则“{ruleset.name}”的阶段代码重复或使用了保留代码（{'、'.join(sorted(reserved))}）",
        )
    labels = dict(FIXED_LABELS)
    labels.update({s.code: s.label for s in ruleset.stages})
    closing = _closing_index(ruleset)
    last = len(stages) - 1
    moves: dict[str, tuple[str, ...]] = {DRAFT: (stages[0], TERMINATED)}
    for i, code in enumerate(stages):
        if i == last:
            moves[code] = ()
            continue
        nxt = [stages[i + 1]]
        if i >= closing:
            nxt.append(FAILED)
        nxt.append(TERMINATED)
        moves[code] = tuple(nxt)
    moves[TERMINATED] = ()
    moves[FAILED] = ()
    relists: dict[str, str] = {}
    if ruleset.mechanism == "auction" and last >= 1:
        relists = {FAILED: stages[0], stages[last - 1]: stages[0]}
    return Table(
        ruleset_code=ruleset.code,
        ruleset_version=ruleset.version,
        statuses=(DRAFT, *stages, TERMINATED, FAILED),
        labels=labels,
        moves=moves,
        events={s.code: s.event for s in ruleset.stages},
        relists=relists,
    )


def check_move(table_or_ruleset: Table | RuleSet, from_status: str, to_status: str) -> Table:
    """Raise ``InvalidInput("lot.illegal_transition")`` unless the move is in the table."""
    table = table_or_ruleset if isinstance(table_or_ruleset, Table) else transition_table(table_or_ruleset)
    if to_status not in table.labels:
        raise InvalidInput(
            "lot.unknown_status",
            f"“{to_status}”不是本交易方式的标段状态",
            field="to",
            details={"to": to_status},
        )
    if table.allows(from_status, to_status):
        return table
    allowed = table.next_statuses(from_status)
    if allowed:
        hint = "当前状态只能变为：" + "、".join(f"“{table.label(s)}”" for s in allowed)
    else:
        hint = "当前状态已是终结状态，不能再变更"
    raise InvalidInput(
        "lot.illegal_transition",
        f"标段状态不能从“{table.label(from_status)}”变为“{table.label(to_status)}”。{hint}。",
        field="to",
        details={"from": from_status, "to": to_status, "allowed": list(allowed)},
    )
