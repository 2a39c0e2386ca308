from __future__ import annotations

import datetime as dt

from ninja import Schema


class OrganisationOut(Schema):
    type: str  # service_center | department | oversight_body
    id: int
    name: str
    region_code: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    organisation: OrganisationOut | None = None
    scope: str
    second_factor_enrolled: bool
    via_token: bool


class TokenIssueIn(Schema):
    name: str
    expires_in_days: int | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


class TokenIssuedOut(TokenOut):
    token: str  # shown once
