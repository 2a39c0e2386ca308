"""``ggzy serve``: the ASGI server (HTTP and WebSocket), the task worker and the tick loop, in one
command.

Ctrl-C (or SIGTERM) stops them all; if one stops on its own, the others are stopped too and the
command exits non-zero, so a supervisor notices.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动平台：ASGI 服务（HTTP 与 WebSocket）和后台任务进程"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-worker", action="store_true", help="只启动 ASGI 服务")
        parser.add_argument("--quiet", action="store_true", help="不打印演示账户")

    def handle(self, *args, host, port, no_worker, quiet, **options):
        bindir = os.path.dirname(sys.executable)
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="ggzy.settings")
        commands = {
            "server": [os.path.join(bindir, "daphne"), "-b", host, "-p", str(port), "ggzy.asgi:application"],
        }
        if not no_worker:
            commands["worker"] = [
                sys.executable,
                "-m",
                "ggzy.cli",
                "db_worker",
                "--no-reload",
                "--interval",
                "1",
            ]
            # the tick (idempotent): advances lots whose deadlines have passed, every 30 s
            commands["tick"] = [sys.executable, "-m", "ggzy.cli", "tick", "--loop", "30"]
        url = f"http://{host}:{port}/"
        if not quiet:
            self._print_banner(url)
        children = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        try:
            while not stopping:
                for name, proc in children.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} 进程已退出（代码 {proc.returncode}），正在停止其他进程")
                        exit_code = proc.returncode or 1
                        stopping = True
                time.sleep(0.3)
        finally:
            for proc in children.values():
                if proc.poll() is None:
                    proc.terminate()
            deadline = time.monotonic() + 10
            for proc in children.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()  # reaped before serve exits: nothing is left behind
            self.stdout.write("平台已停止。")
        if exit_code:
            sys.exit(exit_code)

    def _print_banner(self, url: str) -> None:
        self.stdout.write("")
        self.stdout.write(f"{settings.GGZY_SITE_NAME} 已启动：{url}")
        self.stdout.write(
            f"数据库：{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}，按 Ctrl-C 停止。"
        )
        try:
            from ggzy.demo.accounts import banner_lines
        except ImportError:
            return
        for line in banner_lines():
            self.stdout.write(line)
        self.stdout.write("")
