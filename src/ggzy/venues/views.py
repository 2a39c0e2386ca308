"""Pages of the venue catalog (thin): the public catalog and venue pages with a week calendar, and
the console of the service centers' staff (catalog management, bookings). No JavaScript needed."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ggzy.core import clock
from ggzy.core.errors import DomainError, InvalidInput
from ggzy.core.params import posted_id
from ggzy.core.permissions import allowed
from ggzy.venues import rules, selectors, services
from ggzy.venues.models import CHECKLIST, OperatorKind, Purpose, RoomKind, VenueStatus


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "venues/refused.html", {"message": message}, status=status)


def _start(request: HttpRequest) -> dt.date:
    try:
        return selectors.week_start(dt.date.fromisoformat(request.GET.get("from", "")))
    except ValueError:
        return selectors.week_start(clock.today())


def _week(venue, start: dt.date, *, full: bool) -> dict:
    return {
        "calendar": selectors.calendar(venue, start, 7),
        "rooms": [r for r in venue.rooms.all() if r.active],
        "prev": start - dt.timedelta(days=7),
        "next": start + dt.timedelta(days=7),
        "full": full,
        "buffer": f"{services.buffer_minutes()}分钟",
    }


# --- public ---------------------------------------------------------------------------------------------
def catalog(request: HttpRequest) -> HttpResponse:
    region = request.GET.get("region", "").strip()
    capability = request.GET.get("capability", "")
    try:
        seats = max(0, int(request.GET.get("seats") or 0))
    except ValueError:
        seats = 0
    venues = selectors.catalog(region=region, capability=capability, seats=seats)
    return render(
        request,
        "venues/catalog.html",
        {"venues": venues, "region": region, "capability": capability, "seats": seats or "",
         "capabilities": selectors.CAPABILITIES, "regions": selectors.region_choices()},
    )  # fmt: skip


def detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        v = selectors.venue_public_get(code, request.user)
    except DomainError as exc:
        return _refused(request, exc.message, 404)
    context = {
        "v": v,
        "checklist": [(label, bool(v.checklist.get(k))) for k, label in CHECKLIST.items()],
        "inspections": v.inspections.all()[:10],
        "history": selectors.status_history(v),
        "room_rows": [selectors.room_view(r) for r in v.rooms.all() if r.active],
    }
    context["is_operator"] = request.user.is_authenticated and selectors.is_operator(request.user, v)
    context.update(_week(v, _start(request), full=False))
    return render(request, "venues/detail.html", context)


@login_required
def rest_days(request: HttpRequest, code: str) -> HttpResponse:
    """The venue's operator sets whether it opens on rest days and statutory holidays."""
    try:
        v = selectors.venue_get(code)
    except DomainError as exc:
        return _refused(request, exc.message, 404)
    if not selectors.is_operator(request.user, v):
        return _refused(request, f"只有场所“{v.name}”的运营方可以修改开放规则")
    error = None
    if request.method == "POST":
        try:
            v = services.venue_rest_days_set(
                venue=v, open_on_rest_days=request.POST.get("open_on_rest_days", ""), actor=request.user
            )
        except DomainError as exc:
            error = exc
        else:
            state = "开放" if v.open_on_rest_days else "不开放"
            text = f"已改为休息日和法定节假日{state}。"
            affected = selectors.future_bookings_on_closed_days(v)
            if affected:
                text += f"已有{affected}个预约落在不开放的日期，已在预约管理中提示改约。"
            messages.success(request, text)
            return redirect("venues:rest_days", code=v.code)
    return render(request, "venues/rest_days.html", {"v": v, "error": error})


# --- console: the catalog (venue.manage) ----------------------------------------------------------------
def _can_manage(request: HttpRequest) -> bool:
    return allowed(request.user, "venue.manage")


@login_required
def console_list(request: HttpRequest) -> HttpResponse:
    if not _can_manage(request):
        return _refused(request, f"{request.user.get_role_display()}无权管理交易场所目录")
    error, post = None, {}
    if request.method == "POST":
        post = request.POST
        data = {k: post.get(k, "") for k in ("name", "operator_kind", "operator_uscc", "region_code", "address",
                                             "phone", "opens_at", "closes_at", "open_on_rest_days")}  # fmt: skip
        try:
            if data["operator_kind"] == OperatorKind.CENTER:
                data["service_center"] = (
                    selectors.service_center_get(post.get("service_center"))
                    if post.get("service_center")
                    else request.user.service_center
                )
            v = services.venue_register(data=data, actor=request.user)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, f"已登记场所“{v.name}”（{v.code}），请组织准入检查。")
            return redirect("venues:console_venue", code=v.code)
    return render(
        request,
        "venues/console_list.html",
        {"venues": selectors.venues_for_console(), "error": error, "post": post,
         "kinds": OperatorKind.choices, "regions": selectors.region_choices()},
    )  # fmt: skip


@login_required
def console_venue(request: HttpRequest, code: str) -> HttpResponse:
    if not _can_manage(request):
        return _refused(request, f"{request.user.get_role_display()}无权管理交易场所目录")
    try:
        v = selectors.venue_get(code)
    except DomainError as exc:
        return _refused(request, exc.message, 404)
    error, action = None, request.POST.get("action", "")
    if request.method == "POST":
        try:
            _console_action(request, v, action)
        except DomainError as exc:
            error = exc
        else:
            return redirect(f"{request.path}?from={_start(request):%Y-%m-%d}")
        v.refresh_from_db()
    context = {
        "v": v,
        "error": error,
        "action": action,
        "post": request.POST,
        "checklist": [(k, label, bool(v.checklist.get(k))) for k, label in CHECKLIST.items()],
        "inspections": v.inspections.all(),
        "history": selectors.status_history(v),
        "moves": [(s, VenueStatus(s).label) for s in services.MOVES.get(v.status, ())],
        "room_rows": [selectors.room_view(r) for r in v.rooms.all() if r.active],
        "room_kinds": RoomKind.choices,
        "is_operator": selectors.is_operator(request.user, v),
    }
    context.update(_week(v, _start(request), full=True))
    return render(request, "venues/console_venue.html", context)


def _console_action(request: HttpRequest, v, action: str) -> None:
    post = request.POST
    if action == "inspect":
        try:
            on = dt.date.fromisoformat(post.get("inspected_on", "")) if post.get("inspected_on") else None
        except ValueError:
            raise InvalidInput("venue.bad_date", "检查日期应为“年-月-日”", field="inspected_on") from None
        i = services.venue_inspect(
            venue=v, checklist={k: k in post.getlist("met") for k in CHECKLIST},
            notes={k: post.get(f"note_{k}", "") for k in CHECKLIST}, findings=post.get("findings", ""),
            inspected_on=on, inspector=post.get("inspector", ""), actor=request.user,
        )  # fmt: skip
        messages.success(request, "检查记录已登记：" + ("全部合格。" if i.passed else "有未满足的条件。"))
    elif action == "status":
        v = services.venue_status_set(
            venue=v, status=post.get("status", ""), reason=post.get("reason", ""), actor=request.user
        )
        messages.success(request, f"场所状态已改为“{v.get_status_display()}”。")
    elif action == "room":
        try:
            seats = int(post.get("seats") or 0)
            area = int(post["area_m2"]) if post.get("area_m2") else None
        except ValueError:
            raise InvalidInput("venue.bad_seats", "座位数和面积应为整数", field="seats") from None
        shared = [
            selectors.room_get(posted_id(i, field="shares_with", what="房间"))
            for i in post.getlist("shares_with")
        ]
        r = services.room_add(
            venue=v, name=post.get("name", ""), kind=post.get("kind", ""), seats=seats,
            remote_evaluation=bool(post.get("remote_evaluation")), monitoring=bool(post.get("monitoring")),
            area_m2=area, shares_with=shared, actor=request.user,
        )  # fmt: skip
        messages.success(request, f"已添加房间“{r.name}”。")
    else:
        raise InvalidInput("venue.bad_action", "未知的操作")


# --- console: bookings (trade.operate on the lot) -------------------------------------------------------
def _local(day: str, time: str, field: str) -> dt.datetime:
    try:
        return dt.datetime.combine(
            dt.date.fromisoformat(day), dt.time.fromisoformat(time), tzinfo=clock.CHINA
        )
    except ValueError:
        raise InvalidInput("venue.bad_time", "日期应为“年-月-日”，时间应为“时:分”", field=field) from None


@login_required
def console_bookings(request: HttpRequest) -> HttpResponse:
    """Book rooms for a lot: find the nearest venues with a free room, book, cancel, rebook."""
    from ggzy.trading.selectors import lot_get

    lot_code = (request.POST.get("lot_code") or request.GET.get("lot_code", "")).strip().upper()
    lot, error, near, q = None, None, None, request.GET
    if lot_code:
        try:
            lot = lot_get(lot_code)
        except DomainError as exc:
            error = exc
    if lot is not None and not selectors.can_book(request.user, lot):
        return _refused(request, "只有该项目所在平台的交易服务中心工作人员可以预约场地")
    if request.method == "POST" and lot is not None:
        try:
            _booking_action(request, lot)
        except DomainError as exc:
            error = exc
        else:
            return redirect(f"{request.path}?lot_code={lot.code}")
    if lot is not None and q.get("day") and q.get("purpose"):
        try:
            starts = _local(q["day"], q.get("start", "09:00"), "start")
            ends = _local(q["day"], q.get("end", "12:00"), "end")
            purpose = q["purpose"]
            near = selectors.venues_near(
                region_code=q.get("region") or lot.project.region_code,
                kind=RoomKind.OPENING if purpose == Purpose.OPENING else RoomKind.EVALUATION,
                starts_at=starts, ends_at=ends, seats=int(q.get("seats") or 1) if str(q.get("seats", "1")).isdigit() else 1,
                remote=purpose == Purpose.REMOTE,
            )  # fmt: skip
            for row in near:
                row["label"] = rules.DISTANCE_LABELS[row["distance"]]
        except DomainError as exc:
            error = exc
    bookings = selectors.bookings_for_lot_history(lot.code) if lot else []
    return render(
        request,
        "venues/console_bookings.html",
        {"lot": lot, "lot_code": lot_code, "error": error, "near": near, "q": q, "post": request.POST,
         "purposes": Purpose.choices, "bookings": bookings, "bookings_warned": any(b["warning"] for b in bookings),
         "buffer": services.buffer_minutes(), "room_groups": selectors.bookable_rooms() if lot else []},
    )  # fmt: skip


def _booking_action(request: HttpRequest, lot) -> None:
    post, action = request.POST, request.POST.get("action", "")
    if action in ("book", "rebook"):
        starts = _local(post.get("day", ""), post.get("start", ""), "start")
        ends = _local(post.get("day", ""), post.get("end", ""), "end")
        room_id = post.get("room_id", "")
        if not room_id.isdigit():
            raise InvalidInput("venue.room_not_found", "请选择房间", field="room_id")
        room = selectors.room_get(int(room_id))
    if action == "book":
        b = services.booking_create(
            lot=lot,
            room=room,
            purpose=post.get("purpose", ""),
            starts_at=starts,
            ends_at=ends,
            actor=request.user,
        )
        messages.success(request, f"已预约{b.room.venue.name}{b.room.name}。")
    elif action == "rebook":
        b = services.booking_rebook(
            booking_id=posted_id(post.get("booking_id"), field="booking_id", what="预约"), room=room, starts_at=starts, ends_at=ends,
            reason=post.get("reason", ""), actor=request.user,
        )  # fmt: skip
        messages.success(request, f"已改约至{b.room.venue.name}{b.room.name}。")
    elif action == "follow_opening":
        moved = services.booking_follow_opening(lot=lot, actor=request.user)
        messages.success(request, f"已按新的开标时间改约{len(moved)}项预约。")
    elif action == "cancel":
        services.booking_cancel(
            booking_id=posted_id(post.get("booking_id"), field="booking_id", what="预约"),
            reason=post.get("reason", ""),
            actor=request.user,
        )
        messages.success(request, "预约已取消。")
    else:
        raise InvalidInput("venue.bad_action", "未知的操作")
