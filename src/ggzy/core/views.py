from django.shortcuts import render


def calendar(request):
    return render(request, "portal/placeholder.html", {"title": "法定期间计算"})
