from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ggzy.accounts.selectors import user_org, user_scope


def home(request):
    return render(request, "portal/home.html")


@login_required
def console(request):
    user = request.user
    return render(
        request,
        "portal/console.html",
        {"org": user_org(user), "scope": user_scope(user), "second_factor_on": user.totp_confirmed},
    )
