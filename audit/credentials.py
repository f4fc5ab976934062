"""Bearer credentials of machines: the courts' system (courts.CourtApiCredential) and the partner
systems of the data share (datashare.ShareCredential). One mechanism for both:

- a token is made once (`new_token`), shown once, and only its SHA-256 is kept (`hash_token`), with
  its first characters to recognise it in logs;
- a token is found by its hash (an indexed lookup of the digest, never a comparison of the token,
  so the time taken says nothing about how much of a guess was right), and a candidate row is
  confirmed with a constant-time comparison (`matches`);
- every credential expires (`expires_at`); the app's own service decides what else refuses it
  (revoked, a share ended, a rotated token past its overlap);
- the last use is recorded at most once a minute (`record_use`), however busy the caller is;
- `BearerAuthentication` reads `Authorization: Bearer <token>` for DRF, parametrised by the
  credential model, the app's service that checks the token, and the request.user it stands for.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from django.db import models
from django.utils import timezone
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

PREFIX_LENGTH = 8
# Longer than any token we issue: a longer one is refused before it is hashed.
MAX_TOKEN_LENGTH = 200
# The last use is written at most this often per credential.
USE_RECORDED_EVERY = datetime.timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: str  # shown once, never stored
    prefix: str  # its first characters, to recognise it in logs
    digest: str  # all that is kept


def new_token() -> NewToken:
    token = secrets.token_urlsafe(32)
    return NewToken(token=token, prefix=token[:PREFIX_LENGTH], digest=hash_token(token))


def matches(digest: str, stored: str | None) -> bool:
    """Whether a stored hash is the token's, compared in constant time."""
    return stored is not None and hmac.compare_digest(digest.encode(), stored.encode())


class BearerCredential(models.Model):
    """The columns every machine credential has. Concrete models add what they belong to, when
    they expire (`expires_at`) and how they are withdrawn."""

    token_prefix = models.CharField(max_length=8, help_text="First characters, to recognise a token in logs.")
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    hash_token = staticmethod(hash_token)

    def expired_at(self, at: datetime.datetime) -> bool:
        return self.expires_at <= at

    def record_use(self, at: datetime.datetime | None = None) -> None:
        """Note the credential was used, at most once a minute (one UPDATE, no more)."""
        at = at or timezone.now()
        if self.last_used_at is None or at - self.last_used_at > USE_RECORDED_EVERY:
            type(self)._base_manager.filter(pk=self.pk).update(last_used_at=at)
            self.last_used_at = at


def credential_lookup[C: BearerCredential](
    queryset: models.QuerySet[C], token: str, *, also: tuple[str, ...] = ()
) -> tuple[C, str] | None:
    """The credential of `queryset` whose token hash (or one of the hash columns named in `also`,
    e.g. the token a rotation replaced) is the token's, with the column that matched; None for a
    token no credential has."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(token)
    columns = ("token_hash", *also)
    condition = models.Q()
    for column in columns:
        condition |= models.Q(**{column: digest})
    credential = queryset.filter(condition).first()
    if credential is None:
        return None
    for column in columns:
        if matches(digest, getattr(credential, column)):
            return credential, column
    return None


class CredentialRefused(Exception):
    """A token that is known but may not be used now; the message says why and what to do."""


class MachineUser:
    """request.user for a machine holding a credential: not a person, holds no role, passes no user
    check. Its name (`__str__`) is what the audit trail records as the actor."""

    is_authenticated = False
    is_anonymous = True
    is_active = False
    pk = None

    def __init__(self, credential: BearerCredential):
        self.credential = credential

    def get_username(self) -> str:
        return str(self)


class BearerAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` for one kind of machine credential. A request without a
    Bearer header is left to the other authentication classes (none, on the machine endpoints: they
    answer 401); one with a Bearer header either authenticates or is refused with 401.

    Subclasses set `realm`, `user_class` (request.user), `authenticate_token` (the app's service,
    as a staticmethod: the credential if it may be used now, None, or CredentialRefused with the
    reason) and the messages of the refusals."""

    keyword = b"bearer"
    realm: ClassVar[str] = ""
    user_class: ClassVar[type[MachineUser]] = MachineUser
    authenticate_token: Callable[[str], BearerCredential | None]
    malformed_message: ClassVar[str] = "Give the token as: Authorization: Bearer <token>."
    not_text_message: ClassVar[str] = "The token is not valid."
    unknown_message: ClassVar[str] = "The token is not valid."

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(self.malformed_message)
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(self.not_text_message) from None
        try:
            credential = self.authenticate_token(token)
        except CredentialRefused as refused:
            raise exceptions.AuthenticationFailed(str(refused)) from None
        if credential is None:
            raise exceptions.AuthenticationFailed(self.unknown_message)
        return self.user_class(credential), credential

    def authenticate_header(self, request) -> str:
        return f'Bearer realm="{self.realm}"'


class HoldsCredential(permissions.BasePermission):
    """Only a request authenticated with a credential of `model` passes."""

    model: ClassVar[type[BearerCredential]]

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, self.model)
