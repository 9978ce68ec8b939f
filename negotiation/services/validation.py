"""Checks shared by the services: they raise Invalid naming the field at fault."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db.models import Field, Model
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from config.errors import Conflict, Invalid, NotAllowed

from ..models import Participant
from ..permissions import joint_closed

ON_BREAK = "The mediator has called a break: the board is read-only until it ends."

# The currencies a mediation's amounts may be in (ISO 4217); the browser writes each one
# with its own sign ("€120,000").
CURRENCIES = (
    "EUR", "USD", "GBP", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK",
    "HUF", "RON", "JPY", "CNY", "INR", "SGD", "HKD", "ZAR", "BRL", "MXN", "ILS", "TRY",
)  # fmt: skip


def refusal(actor: Participant, message: str) -> NotAllowed:
    """The refusal of a write to the joint board: during a break it says so (code
    `on_break`, so a client can wait for the break to end), else `message`."""
    if joint_closed(actor):
        return NotAllowed(ON_BREAK, code="on_break")
    return NotAllowed(message)


def max_length_of(model: type[Model], field: str) -> int:
    """A text field's limit, as its model declares it: the one place each limit lives."""
    declared = model._meta.get_field(field)
    limit = declared.max_length if isinstance(declared, Field) else None
    if limit is None:
        raise TypeError(f"{model.__name__}.{field} declares no max_length.")
    return int(limit)


def text_clean(
    value: object, *, field: str, max_length: int, required: bool = True, label: str = "text"
) -> str:
    """Trimmed text; raises Invalid if it is not a string, empty when required, or long."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"The {label} must be text.", details={field: ["Enter text."]})
    value = value.strip()
    if required and not value:
        raise Invalid(f"The {label} is empty.", details={field: [f"Enter the {label}."]})
    if len(value) > max_length:
        raise Invalid(
            f"The {label} is too long.",
            details={field: [f"Keep it to {max_length} characters or fewer."]},
        )
    return value


def flag_clean(value: object, *, field: str) -> bool:
    """A yes or no: JSON's true or false, nothing else."""
    if not isinstance(value, bool):
        raise Invalid("Send true or false.", details={field: ["Send true or false."]})
    return value


def currency_clean(value: object) -> str:
    """A mediation's currency: one of CURRENCIES, by its code ("eur" is "EUR")."""
    code = value.strip().upper() if isinstance(value, str) else None
    if code not in CURRENCIES:
        raise Invalid(
            "Unknown currency.",
            details={"currency": ["Choose a currency from the list, such as EUR or USD."]},
        )
    return code


def amount_clean(value: object, *, field: str = "amount") -> Decimal | None:
    """An optional money amount with at most two decimals."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Invalid("The amount is not a number.", details={field: ["Enter a number."]}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise Invalid(
            "The amount is out of range.",
            details={field: ["Enter an amount from 0 to 999,999,999,999.99."]},
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid("Too many decimals.", details={field: ["Use at most two decimals."]})
    return amount.quantize(Decimal("0.01"))


def version_check(
    *, current: int, given: object, payload: Callable[[], dict[str, object]] | None
) -> None:
    """Raise Conflict, carrying the current state (`payload()`, or None when there is
    none yet), unless `given` is the current version."""
    if given != current:
        raise Conflict(
            "Someone changed this while you were editing. Here is the current version.",
            details={"current": None if payload is None else payload()},
        )


def future_time_clean(value: object, *, field: str, days_max: int) -> datetime | None:
    """A time to come, within `days_max` days: an ISO 8601 string with its offset (or a
    datetime the command's field parsed). None or "" is none. Raises Invalid on `field`."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            raise Invalid(
                "The time is not a date and time.",
                details={field: ["Give a date and time, e.g. 2027-01-15T10:00:00+00:00."]},
            )
        when = parsed
    else:
        raise Invalid("The time must be text.", details={field: ["Give a date and time."]})
    if when.tzinfo is None:
        raise Invalid("The time needs its offset.", details={field: ["Add the time zone."]})
    now = timezone.now()
    if when <= now:
        raise Invalid("That time has passed.", details={field: ["Choose a time to come."]})
    if when > now + timedelta(days=days_max):
        raise Invalid(
            "That is too far ahead.",
            details={field: [f"Choose a time within {days_max} days."]},
        )
    return when
