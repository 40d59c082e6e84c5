"""Which company a request acts on (BeeL 1.9.0, "Addressing the company").

- A canonical route names the company in its path (`/v1/companies/{company_id}/...`): that is the only context;
  a `BeeL-Active-Company` header there is not read.
- A flat route takes the company from the `BeeL-Active-Company` header; without it, the account's only company,
  or 403 ACTIVE_COMPANY_REQUIRED when the account has several.
- A company of another account, one that does not exist and one the API key is not allowed (a key may be
  restricted to some companies of its account) are the same 403 ACTIVE_COMPANY_NOT_ACCESSIBLE.
"""

import uuid
from collections.abc import Collection

from beel.errors import InvalidParameter
from beel.ids import parse_uuid
from companies.errors import (
    AccountNotAccessible,
    ActiveCompanyHeaderInvalid,
    ActiveCompanyRequired,
    CompanyNotAccessible,
)
from companies.models import Company


def reachable_companies(*, account, allowed_ids: Collection[str] = ()):
    """The account's companies a credential may act on: all of them, or only `allowed_ids` when given."""
    companies = Company.objects.of_account(account)
    return companies.filter(pk__in=list(allowed_ids)) if allowed_ids else companies


def company_in_path(*, account, allowed_ids: Collection[str], company_id: str) -> Company:
    """The company a canonical route names; a malformed id is a 400 naming `company_id`."""
    company_uuid = parse_uuid(company_id, field="company_id")
    company = reachable_companies(account=account, allowed_ids=allowed_ids).filter(pk=company_uuid).first()
    if company is None:
        raise CompanyNotAccessible()
    return _with_account(company, account)


def active_company(*, account, allowed_ids: Collection[str], header: str | None) -> Company:
    """The company a flat route acts on: the header's, or the only one the credential can reach."""
    reachable = reachable_companies(account=account, allowed_ids=allowed_ids)
    # Omitted, not empty: an empty value is a value that is not a company id (400), as a client that sends the
    # header meant to name a company.
    if header is None:
        only = list(reachable[:2])
        if len(only) == 1:
            return _with_account(only[0], account)
        if not only:
            raise CompanyNotAccessible()
        raise ActiveCompanyRequired()
    try:
        company_id = uuid.UUID(header.strip())
    except ValueError:
        raise ActiveCompanyHeaderInvalid(details={"BeeL-Active-Company": header[:64]}) from None
    company = reachable.filter(pk=company_id).first()
    if company is None:
        raise CompanyNotAccessible()
    return _with_account(company, account)


def _with_account(company: Company, account) -> Company:
    # The caller holds the account already: the scope reads it from the company without another query.
    company.account = account
    return company


def account_in_path(*, account, account_id: str) -> None:
    """`/v1/accounts/{account_id}/...`: only the key's own account (beel has no managed accounts). Another
    account and one that does not exist are the same 403 ACCOUNT_NOT_ACCESSIBLE, so an id reveals nothing;
    an id that is not an account id at all (beel's are whole numbers) is a 400 naming `account_id`."""
    text = str(account_id).strip()
    if not (text.isascii() and text.isdigit()):
        raise InvalidParameter(details={"account_id": "Must be an account id (a whole number)."})
    if int(text) != account.pk:
        raise AccountNotAccessible()


def not_of_account(*, account, company_ids: Collection[str]) -> list[str]:
    """Those of `company_ids` that are not companies of `account` (malformed ids included): a key cannot be
    restricted to them."""
    parsed: dict[str, uuid.UUID | None] = {}
    for raw in company_ids:
        try:
            parsed[str(raw)] = uuid.UUID(str(raw).strip())
        except ValueError:
            parsed[str(raw)] = None
    wanted = [pk for pk in parsed.values() if pk is not None]
    owned = set(Company.objects.of_account(account).filter(pk__in=wanted).values_list("pk", flat=True))
    return [raw for raw, pk in parsed.items() if pk not in owned]
