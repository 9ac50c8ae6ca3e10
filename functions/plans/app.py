"""GET /plans: the subscription plans (name, price, currency, period) from configuration."""

from shared.access.models import Plans
from shared.access.plans import configured_plans
from shared.http.api import Event, Response, api_handler, public_response
from shared.settings.http import HttpConfig

HTTP = HttpConfig.from_env()
PLANS = Plans(plans=configured_plans()).to_json()


@api_handler(HTTP)
def handler(event: Event, context: object) -> Response:
    return public_response(event, PLANS, HTTP)
