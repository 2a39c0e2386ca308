"""Every write of the accounts app (package: organisations, users, login, tokens).

Import from here: ``from ggzy.accounts.services import user_create``.
"""

from ggzy.accounts.services.login import (
    login_password,
    login_record,
    totp_confirm,
    totp_enrolment_start,
    totp_verify,
)
from ggzy.accounts.services.organisations import (
    department_create,
    department_update,
    department_validate,
    oversight_body_create,
    oversight_body_update,
    service_center_create,
    service_center_update,
    service_center_validate,
)
from ggzy.accounts.services.tokens import token_authenticate, token_issue, token_revoke
from ggzy.accounts.services.users import (
    account_create_for_entity,
    password_change,
    password_reset_complete,
    password_reset_requested,
    password_set,
    user_create,
    user_deactivate,
    user_unlock,
    user_update,
    user_validate,
)

__all__ = [
    "account_create_for_entity",
    "department_create",
    "department_update",
    "department_validate",
    "login_password",
    "login_record",
    "oversight_body_create",
    "oversight_body_update",
    "password_change",
    "password_reset_complete",
    "password_reset_requested",
    "password_set",
    "service_center_create",
    "service_center_update",
    "service_center_validate",
    "token_authenticate",
    "token_issue",
    "token_revoke",
    "totp_confirm",
    "totp_enrolment_start",
    "totp_verify",
    "user_create",
    "user_deactivate",
    "user_unlock",
    "user_update",
    "user_validate",
]
