from django.conf import settings

from ggzy.core import clock


def site(request):
    return {
        "site_name": settings.GGZY_SITE_NAME,
        "server_time": clock.local_now(),
        "accelerated_clock": clock.is_accelerated(),
    }
