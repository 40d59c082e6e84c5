from beel.errors import DomainError, ErrorCode


class CompanyNotAccessible(DomainError):
    """BeeL answers a company that does not exist and one the caller cannot reach alike (403), so a company id
    reveals nothing about other accounts."""

    code = ErrorCode.ACTIVE_COMPANY_NOT_ACCESSIBLE
    default_message = "The company does not exist or this API key cannot access it"


class ActiveCompanyRequired(DomainError):
    code = ErrorCode.ACTIVE_COMPANY_REQUIRED
    default_message = (
        "This account has several companies: send the BeeL-Active-Company header with the company's id, or use "
        "the /v1/companies/{company_id}/ routes"
    )


class ActiveCompanyHeaderInvalid(DomainError):
    code = ErrorCode.ACTIVE_COMPANY_HEADER_INVALID
    default_message = "The BeeL-Active-Company header must be a company id (a UUID)"


class AccountNotAccessible(DomainError):
    code = ErrorCode.ACCOUNT_NOT_ACCESSIBLE
    default_message = "This API key cannot access that account"
