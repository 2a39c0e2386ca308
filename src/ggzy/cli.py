"""The ``ggzy`` command: Django's management commands with the platform's settings.

ggzy migrate            ggzy demo load          ggzy audit verify
ggzy serve              ggzy calendar load-year ...
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ggzy.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ggzy", *sys.argv[1:]])


if __name__ == "__main__":
    main()
