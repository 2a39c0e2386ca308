"""Pages of core: the public period calculator and the staff page that loads a year's schedule."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from ggzy.core import calendar, clock, permissions, selectors, services
from ggzy.core.errors import DomainError


def calendar_page(request):
    """Anyone: compute the end of a period, see the rule applied and whether it is provisional."""
    form = {
        "start": request.GET.get("start", "").strip(),
        "days": request.GET.get("days", "").strip(),
        "kind": request.GET.get("kind", calendar.CALENDAR),
        "direction": request.GET.get("direction", calendar.FORWARD),
    }
    result = error = None
    if form["start"] or form["days"]:
        try:
            result = selectors.period(
                form["start"], form["days"], kind=form["kind"], direction=form["direction"]
            )
        except DomainError as e:
            error = e
    this_year = clock.today().year
    years = selectors.year_statuses([this_year - 1, this_year, this_year + 1, this_year + 2])
    return render(
        request,
        "core/calendar.html",
        {
            "form": form,
            "result": result,
            "error": error,
            "years": years,
            "kinds": calendar.KINDS,
            "directions": calendar.DIRECTIONS,
            "today": clock.today(),
        },
        status=422 if error else 200,
    )


def _lines_to_days(text: str) -> dict[str, str]:
    """ "2027-01-01 元旦" per line -> {"2027-01-01": "元旦"} (the name is optional)."""
    days: dict[str, str] = {}
    for line in (text or "").splitlines():
        parts = line.replace("，", " ").replace(",", " ").split()
        if parts:
            days[parts[0]] = " ".join(parts[1:])
    return days


@login_required
def holiday_years_page(request):
    """Platform administrators: paste the State Council's notice, preview, then confirm the load."""
    if not permissions.allowed(request.user, "calendar.load_year"):
        raise PermissionDenied("只有平台管理员可以导入年度放假安排")
    data = request.POST if request.method == "POST" else {}
    form = {
        "year": data.get("year", str(clock.today().year + 1)),
        "mode": data.get("mode", "text"),
        "text": data.get("text", ""),
        "holidays": data.get("holidays", ""),
        "workdays": data.get("workdays", ""),
        "source_title": data.get("source_title", ""),
        "source_number": data.get("source_number", ""),
    }
    preview = report = error = None
    if request.method == "POST":
        inputs = {
            "year": form["year"],
            "source_title": form["source_title"],
            "source_number": form["source_number"],
        }
        if form["mode"] == "lists":
            inputs["holidays"] = _lines_to_days(form["holidays"])
            inputs["workdays"] = _lines_to_days(form["workdays"])
        else:
            inputs["text"] = form["text"]
        try:
            if data.get("action") == "confirm":
                report = services.holiday_year_load(**inputs, actor=request.user)
            else:
                preview = selectors.holiday_year_preview(
                    year=inputs["year"],
                    text=inputs.get("text"),
                    holidays_list=inputs.get("holidays"),
                    workdays_list=inputs.get("workdays"),
                    source_title=inputs["source_title"],
                    source_number=inputs["source_number"],
                    actor=request.user,
                )
        except DomainError as e:
            error = e
    lo, hi = selectors.builtin_range()
    return render(
        request,
        "core/holiday_years.html",
        {
            "form": form,
            "preview": preview,
            "report": report,
            "error": error,
            "loaded": selectors.holiday_years(),
            "builtin_first": lo,
            "builtin_last": hi,
        },
        status=422 if error else 200,
    )
