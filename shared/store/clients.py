"""The functions' AWS clients: botocore's own, made without boto3, and without botocore's check of a
service's name against every service it ships.

`boto3.client(...)` imports boto3's session and resource machinery, which no function uses, over a
botocore session whose loader, before it loads a service's model, lists the folder of each of the
~400 services botocore ships (about 950 directory reads) to check the name. Our names are known.
Together that is 30-40 ms of CPU on each cold start, about 8% of a bare boto3 handler's
(docs/performance.md). The clients are the same botocore clients boto3 makes: same credentials,
region, endpoint variables (AWS_ENDPOINT_URL_DYNAMODB...), retries and errors."""

from __future__ import annotations

import functools
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.loaders import Loader

# The services a function may ask for. Another name is refused by botocore as unknown.
SERVICES = ("dynamodb", "secretsmanager", "s3")


class _KnownServicesLoader(Loader):
    """botocore's loader, whose list of services is ours instead of a listing of its data folders."""

    def list_available_services(self, type_name: str) -> list[str]:
        return list(SERVICES)


@functools.cache
def _loader() -> Loader:
    """One loader per container: the models it has read (JSON, parsed) serve every client."""
    return _KnownServicesLoader()


def aws_client(service: str, config: Config) -> Any:
    """A new client of `service`. Each has a session of its own (credentials are resolved when the
    client is made, as moto's tests need); the models are loaded once."""
    session = botocore.session.Session()
    session.register_component("data_loader", _loader())
    return session.create_client(service, config=config)
