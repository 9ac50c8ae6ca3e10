"""GET /essays/{essayId}: the full, formatted essay. The authorizer has checked the reader and passes
`access`: `subscription` (served as it is), or `metered` (a signed-in reader without a subscription,
when the meter is on): then this request is counted against the reader's free essays of the month,
one conditional write, and refused with 403 once they are spent. This function never reads
subscriptions; the authorizer never reads essays."""

from collections.abc import Callable
from datetime import UTC, datetime

from shared.access.meter import METERED, SUBSCRIPTION, MeterReading, MeterSpent, open_earned, open_essay
from shared.access.plans import configured_plans
from shared.access.times import iso
from shared.errors import AccessDenied
from shared.http.api import Event, Response, api_handler, essay_id_parameter, private_response, reader_id
from shared.library.essays import full_essay
from shared.library.models import Access
from shared.observability import logger
from shared.settings.http import HttpConfig
from shared.settings.meter import free_essays_per_month
from shared.settings.tables import essays_table, meter_table
from shared.store.content import ContentStore
from shared.store.meter import MeterStore

HTTP = HttpConfig.from_env()
STORE = ContentStore(essays_table())
METER = MeterStore(meter_table())
FREE_ESSAYS_PER_MONTH = free_essays_per_month()
PLANS = [plan.to_json() for plan in configured_plans()]
CLOCK: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731 - replaced by tests (month boundaries)
SUBSCRIBE = "Full essays are for subscribers: choose a plan to subscribe."


@api_handler(HTTP)
def handler(event: Event, context: object) -> Response:
    reader = (event.get("requestContext") or {}).get("authorizer") or {}
    user_id, kind = reader_id(event), reader.get("access")
    if kind not in (SUBSCRIPTION, METERED):  # not what our authorizer passes: fail closed
        raise AccessDenied(SUBSCRIBE, {"plans": PLANS})
    essay = full_essay(STORE, essay_id_parameter(event))  # an unknown essay is a 404 and costs no free read
    access = Access(SUBSCRIPTION)
    if kind == METERED:
        try:
            meter = opened(user_id, essay.essay_id, reader.get("earned"))
        except MeterSpent as spent:
            logger.info("meter spent", extra={"userId": user_id, "essayId": essay.essay_id})
            message = "You have read this month's free essays: choose a plan to subscribe."
            raise AccessDenied(message, {"plans": PLANS, "meter": spent.reading.to_json()}) from None
        access = Access(METERED, meter.used, meter.limit, iso(meter.resets_at))
    logger.info(
        "full essay served",
        extra={"essayId": essay.essay_id, "userId": user_id, "plan": reader.get("plan"), "access": access.to_json()},
    )
    return private_response({**essay.to_json(), "access": access.to_json()}, HTTP)


def opened(user_id: str, essay_id: str, earned: object) -> MeterReading:
    """The month's free essays first; once they are spent, the essays the reader earned by publishing
    their own (the authorizer passes how many: `earned`)."""
    now = CLOCK()
    try:
        return open_essay(METER, user_id, essay_id, FREE_ESSAYS_PER_MONTH, now)
    except MeterSpent:
        count = int(earned) if isinstance(earned, str) and earned.isdigit() else 0
        if count <= 0:
            raise
        return open_earned(METER, user_id, essay_id, count, now)
