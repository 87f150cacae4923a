"""Checks, before the first scenario, that the target can be reached at all, so an unreachable
endpoint or missing credentials gives one clear message instead of a page of failures."""
import httpx
from botocore.exceptions import BotoCoreError, ClientError


class TargetUnreachable(RuntimeError):
    pass


def check_studio(profile):
    """The studio answers its admin API for the profile's admin token and tenant Host."""
    studio = profile["studio"]
    url = f"{studio['base_url'].rstrip('/')}/api/admin/studio/observability/sinks"
    headers = {"Host": studio["host"], "Authorization": f"Bearer {studio['tokens']['admin']}"}
    try:
        response = httpx.get(url, headers=headers, timeout=5)
    except httpx.HTTPError as error:
        raise TargetUnreachable(
            f"profile '{profile.name}': the studio at {studio['base_url']} is unreachable "
            f"({type(error).__name__}: {error}); check studio.base_url in {profile.source}"
        ) from None
    if response.status_code != 200:
        raise TargetUnreachable(
            f"profile '{profile.name}': the studio refused the admin token for Host {studio['host']} "
            f"({response.status_code} {response.text[:200]}); check studio.host and studio.tokens.admin "
            f"in {profile.source}"
        )


def check_target(profile, aws):
    load_balancer = profile["endpoints"]["load_balancer"]
    try:
        response = httpx.get(f"{load_balancer}/hermes/health", timeout=5)
    except httpx.HTTPError as error:
        raise TargetUnreachable(
            f"profile '{profile.name}': the load balancer at {load_balancer} is unreachable "
            f"({type(error).__name__}: {error}); check endpoints.load_balancer in {profile.source}"
        ) from None
    if response.status_code != 200:
        raise TargetUnreachable(
            f"profile '{profile.name}': the session API behind {load_balancer} is not healthy "
            f"(health check answered {response.status_code})"
        )
    cluster = profile["names"]["cluster"]
    try:
        aws.check_credentials()
        found = aws("ecs").describe_clusters(clusters=[cluster])["clusters"]
    except (BotoCoreError, ClientError) as error:
        raise TargetUnreachable(
            f"profile '{profile.name}': AWS is not usable ({type(error).__name__}: {error}); "
            f"check credentials and endpoints in {profile.source}"
        ) from None
    if not found:
        raise TargetUnreachable(f"profile '{profile.name}': ECS cluster {cluster!r} does not exist "
                                f"(names.cluster in {profile.source})")
    if profile.data.get("studio"):
        check_studio(profile)
