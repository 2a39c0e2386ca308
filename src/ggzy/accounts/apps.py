from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ggzy.accounts"
    label = "accounts"
    verbose_name = "账户与机构"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from ggzy.accounts.secondfactor import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="ggzy_second_factor_pending")
