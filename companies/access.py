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

from beel.ids import parse_uuid
from companies.errors import ActiveCompanyHeaderInvalid, ActiveCompanyRequired, CompanyNotAccessible
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
    if header is None or not header.strip():
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
