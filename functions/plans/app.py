"""GET /plans: the subscription plans (name, price, currency, period) from configuration."""

from shared.api import Event, Response, api_handler, public_response
from shared.config import HttpConfig
from shared.models import Plans
from shared.plans import configured_plans

HTTP = HttpConfig.from_env()
PLANS = Plans(plans=configured_plans()).to_json()


@api_handler(HTTP)
def handler(event: Event, context: object) -> Response:
    return public_response(event, PLANS, HTTP)
