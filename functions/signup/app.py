"""Cognito's PreSignUp and PostConfirmation triggers of the user pool: one account per e-mail
address however it is spelt (shared/access/addresses.py), so the meter's free essays cost an address
each. A refused sign-up reaches the reader as the SignUp error ("PreSignUp failed with error ...")."""

from typing import Any

from shared.access.addresses import check_new_account, confirm_account
from shared.observability import logger
from shared.settings.tables import meter_table
from shared.store.addresses import AddressRegistry

REGISTRY = AddressRegistry(meter_table())  # the claimed addresses are kept in the meter table


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    source = str(event.get("triggerSource", ""))
    user = str(event.get("userName", ""))
    address = ((event.get("request") or {}).get("userAttributes") or {}).get("email")
    if not isinstance(address, str) or "@" not in address:
        return event  # an account without an address (an operator's) has nothing to claim
    if source.startswith("PreSignUp_"):
        check_new_account(REGISTRY, address, user)  # AddressTaken: Cognito refuses the sign-up
    elif source.startswith("PostConfirmation_") and not confirm_account(REGISTRY, address, user):
        logger.warning("address already claimed", extra={"userName": user, "trigger": source})
    return event
