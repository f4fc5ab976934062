from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Lower, Reverse
from django.utils import timezone

prn_validator = RegexValidator(r"^\d{8,9}$", "A PRN is 8 or 9 digits.")


class Gender(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    DIVERSE = "X", "Gender diverse"
    UNKNOWN = "U", "Unknown"


def visible_offenders_q(user, path: str = "", *, user_id: int | None = None) -> Q:
    """The condition that an offender (at `path`, e.g. "offender" or "sentence__offender") is one
    `user` (or the user with `user_id`) may open: not restricted, or on the user's access list, or
    under a current break-glass grant of theirs. Subqueries in the same statement, so a list
    filtered by it costs no extra query whatever its length (need-to-know: offenders.access)."""
    prefix = f"{path}__" if path else ""
    open_records = Q(**{f"{prefix}restricted": False})
    if user_id is None:
        if not getattr(user, "is_authenticated", False):
            return open_records
        user_id = user.pk
    listed = RestrictedAccess.objects.filter(user_id=user_id, removed_at__isnull=True).values("offender_id")
    broken = BreakGlassGrant.objects.filter(user_id=user_id, expires_at__gt=timezone.now()).values(
        "offender_id"
    )
    return open_records | Q(**{f"{prefix}pk__in": listed}) | Q(**{f"{prefix}pk__in": broken})


class OffenderQuerySet(models.QuerySet):
    def with_list_relations(self):
        return self.select_related("home_office")

    def visible_to(self, user):
        """The offenders `user` may open (restricted records only for those who need to know)."""
        return self.filter(visible_offenders_q(user))


class Offender(models.Model):
    prn = models.CharField("PRN", max_length=9, unique=True, validators=[prn_validator])
    family_name = models.CharField(max_length=80)
    given_names = models.CharField(max_length=120)
    preferred_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    ethnicity = models.CharField(max_length=60, blank=True)
    home_office = models.ForeignKey(
        "staff.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="offenders"
    )
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    date_of_death = models.DateField(null=True, blank=True)
    # Need-to-know: kept by offenders.services (offender_restrict / offender_restriction_lift) with
    # its history in OffenderRestriction, so lists filter on a column rather than join the history.
    restricted = models.BooleanField(default=False, db_default=False, editable=False)
    # Folded names (offenders.phonetics.fold) for the muster list's name filter and sort (services).
    family_name_folded = models.CharField(max_length=80, editable=False, default="")
    given_names_folded = models.CharField(max_length=120, editable=False, default="")
    # Search keys kept by a database trigger from the names, whatever writes the row (services, bulk
    # loads): the folded full name, its words, and the double-metaphone codes of each word
    # (migration offenders 0004; offenders.selectors.offender_search).
    search_name = models.TextField(editable=False, default="")
    name_words = ArrayField(models.TextField(), editable=False, default=list)
    name_codes = ArrayField(models.CharField(max_length=8), editable=False, default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OffenderQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_names", "id"]
        indexes = [
            models.Index(
                fields=["family_name_folded", "given_names_folded"],
                name="offender_folded_name",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["date_of_birth"], name="offender_dob"),
            models.Index(fields=["home_office", "family_name", "given_names"], name="offender_office_name"),
            # The default order of lists (API, exports): served by an index, never a sort of everyone.
            models.Index(fields=["family_name", "given_names", "id"], name="offender_name_order"),
            GinIndex(fields=["name_words"], name="offender_name_words"),
            # The end of a PRN ("…34567"): a prefix of the reversed PRN. (Its start is served by the
            # unique constraint's pattern index.)
            models.Index(OpClass(Reverse("prn"), name="varchar_pattern_ops"), name="offender_prn_reversed"),
            # The few restricted records among everyone (the break-glass report, checks).
            models.Index(fields=["id"], condition=Q(restricted=True), name="offender_restricted"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names} ({self.prn})"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    def clean(self) -> None:
        today = timezone.localdate()
        if self.date_of_birth and self.date_of_birth > today:
            raise ValidationError({"date_of_birth": "Date of birth cannot be in the future."})
        if self.date_of_death and self.date_of_birth and self.date_of_death < self.date_of_birth:
            raise ValidationError({"date_of_death": "Date of death cannot be before date of birth."})
        if self.date_of_death and self.date_of_death > today:
            raise ValidationError({"date_of_death": "Date of death cannot be in the future."})


class OffenderAlias(models.Model):
    offender = models.ForeignKey(Offender, on_delete=models.CASCADE, related_name="aliases")
    family_name = models.CharField(max_length=80)
    given_names = models.CharField(max_length=120, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, help_text="Where a different date is used.")
    family_name_folded = models.CharField(max_length=80, editable=False, default="")
    # As on Offender; an alias without given names is searched with the offender's given names.
    search_name = models.TextField(editable=False, default="")
    name_words = ArrayField(models.TextField(), editable=False, default=list)
    name_codes = ArrayField(models.CharField(max_length=8), editable=False, default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family_name", "given_names"]
        verbose_name_plural = "aliases"
        indexes = [
            models.Index(
                fields=["family_name_folded"], name="alias_folded_name", opclasses=["varchar_pattern_ops"]
            ),
            GinIndex(fields=["name_words"], name="alias_name_words"),
            models.Index(fields=["date_of_birth"], name="alias_date_of_birth"),
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names}"


class NameWord(models.Model):
    """Every word of every name and alias on record, once, with its double-metaphone codes: the
    vocabulary a typed word is matched against (by trigrams, sound, prefix or one or two edits)
    before people are looked up by the words their names hold. Kept by the database trigger that
    keeps the search keys; never shrinks (a word no longer used matches nobody)."""

    word = models.TextField(primary_key=True)
    code = models.CharField(max_length=8)
    alternate_code = models.CharField(max_length=8)

    class Meta:
        indexes = [
            GinIndex(fields=["word"], name="nameword_trgm", opclasses=["gin_trgm_ops"]),
            models.Index(fields=["word"], name="nameword_prefix", opclasses=["text_pattern_ops"]),
            models.Index(fields=["code"], name="nameword_code"),
            models.Index(fields=["alternate_code"], name="nameword_alternate_code"),
            models.Index(Length("word"), "word", name="nameword_length"),
        ]

    def __str__(self) -> str:
        return self.word


class Address(models.Model):
    """Addresses over time: the current one has no end date."""

    class Kind(models.TextChoices):
        RESIDENTIAL = "residential", "Residential"
        POSTAL = "postal", "Postal"
        HD_ADDRESS = "hd", "Home detention address"

    offender = models.ForeignKey(Offender, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RESIDENTIAL)
    line1 = models.CharField("Address line 1", max_length=120)
    line2 = models.CharField("Address line 2", max_length=120, blank=True)
    suburb = models.CharField(max_length=60, blank=True)
    city = models.CharField(max_length=60)
    postcode = models.CharField(
        max_length=4, blank=True, validators=[RegexValidator(r"^\d{4}$", "Four digits.")]
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name_plural = "addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="address_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        parts = [self.line1, self.line2, self.suburb, self.city, self.postcode]
        return ", ".join(part for part in parts if part)

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "An address cannot end before it starts."})


class Identifier(models.Model):
    class Kind(models.TextChoices):
        PNC = "pnc", "Police (NIA) identifier"
        CMS = "cms", "Courts (CMS) participant ID"
        DRIVER_LICENCE = "driver_licence", "Driver licence"
        PASSPORT = "passport", "Passport"
        NHI = "nhi", "National Health Index"

    offender = models.ForeignKey(Offender, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                "kind",
                Lower("value"),
                name="identifier_unique_value",
                violation_error_message="That identifier is already recorded for an offender.",
            ),
        ]
        indexes = [
            # Search by an identifier of any kind (offender_search).
            models.Index(Lower("value"), name="identifier_value_lower"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class FlagKind(models.TextChoices):
    OFFENDER_WARNING = "ows", "Offender warning (OWS)"
    CHILD_SEX_OFFENDER = "cso", "Child sex offender"
    SAFETY_CONCERN = "safety", "Staff safety concern"
    GANG = "gang", "Gang affiliation"
    AT_RISK = "at_risk", "At risk"
    ESCAPE = "escape", "Escape risk"


# Seed 003, A.2.1 (note): escape alerts stay in the current view and are never deactivated, not
# even when the offender is released.
PERMANENT_FLAG_KINDS = frozenset({FlagKind.ESCAPE})


class Flag(models.Model):
    offender = models.ForeignKey(Offender, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    reason = models.CharField(max_length=300)
    raised_on = models.DateField(default=timezone.localdate)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_on = models.DateField(null=True, blank=True)
    ended_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["ended_on", "-raised_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["offender", "kind"],
                condition=Q(ended_on__isnull=True),
                name="one_active_flag_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def active(self) -> bool:
        return self.ended_on is None

    @property
    def may_end(self) -> bool:
        return self.active and self.kind not in PERMANENT_FLAG_KINDS


# --- Need-to-know: restricted records, their access lists and break-glass grants ---------------


class RestrictionChange(models.TextChoices):
    RESTRICTED = "restricted", "Restricted"
    LIFTED = "lifted", "Restriction lifted"


class OffenderRestriction(models.Model):
    """Each time a record was restricted or its restriction lifted, by whom and why. The current
    state is Offender.restricted, which the same service sets."""

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="restriction_changes")
    change = models.CharField(max_length=12, choices=RestrictionChange.choices)
    reason = models.CharField(max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["offender", "-at"], name="restriction_offender_at")]

    def __str__(self) -> str:
        return f"{self.get_change_display()}: {self.offender_id} ({self.reason})"


class RestrictedAccess(models.Model):
    """A named member of staff who may open a restricted record. Removal ends the row (kept for
    the record) rather than deleting it."""

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="access_list")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offender", "user"],
                condition=Q(removed_at__isnull=True),
                name="one_current_access_per_user",
            ),
        ]
        indexes = [
            # visible_offenders_q: the records on a user's list.
            models.Index(
                fields=["user", "offender"],
                condition=Q(removed_at__isnull=True),
                name="restricted_access_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on the access list of {self.offender_id}"


class BreakGlassGrant(models.Model):
    """A member of staff not on the access list opened a restricted record, with a reason, for a
    limited time (settings.IOMS_BREAK_GLASS_HOURS). The record's access list is notified and the
    grant is listed on the break-glass report."""

    offender = models.ForeignKey(Offender, on_delete=models.PROTECT, related_name="break_glass_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")), name="break_glass_expires_after_grant"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "expires_at"], name="break_glass_user_expiry"),
            models.Index(fields=["-granted_at", "-id"], name="break_glass_report_order"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} broke the glass on {self.offender_id}"
