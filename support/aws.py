"""boto3 clients for the profile's target: endpoint overrides for the embedded stack, adaptive
retries everywhere (throttling is expected under load and is not a test failure by itself)."""
import boto3
from botocore.config import Config
from botocore.exceptions import NoCredentialsError

_RETRIES = Config(retries={"max_attempts": 5, "mode": "adaptive"}, connect_timeout=5, read_timeout=30)


class AwsClients:
    def __init__(self, settings, endpoints=None):
        """`settings` is the profile's `aws` section; `endpoints` overrides one service's endpoint
        (the embedded stack's own ECS API, say)."""
        self._session = boto3.session.Session(
            aws_access_key_id=settings.get("access_key_id"),
            aws_secret_access_key=settings.get("secret_access_key"),
            region_name=settings["region"],
        )
        self.region = settings["region"]
        self._endpoint = settings.get("endpoint")
        self._endpoints = endpoints or {}
        self._clients = {}

    def __call__(self, service):
        if service not in self._clients:
            endpoint = self._endpoints.get(service) or self._endpoint
            self._clients[service] = self._session.client(service, endpoint_url=endpoint or None, config=_RETRIES)
        return self._clients[service]

    def check_credentials(self):
        """Raises botocore's NoCredentialsError early, instead of in the middle of a scenario."""
        if self._session.get_credentials() is None:
            raise NoCredentialsError()
