from django.shortcuts import render


def directory(request):
    return render(request, "portal/placeholder.html", {"title": "市场主体名录"})


def register(request):
    return render(request, "portal/placeholder.html", {"title": "市场主体注册"})
