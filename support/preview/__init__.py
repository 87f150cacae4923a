"""The preview platform as an area of the suite: its profile section, clients, preflight, costs,
diagnosis and sweep (support/area.py says what each hook is for)."""
from support import reporting, rules
from support.area import Area
from support.aws import AwsClients
from support.config import ProfileError
from support.drivers import DriverCalls
from support.http import Http
from support.perf.host import HOST_SCHEMA
from support.preflight import TargetUnreachable, aws_problem, http_problem
from support.preview.chaos import chaos_for
from support.preview.costs import CostMeter
from support.preview.email_intake import EmailClient
from support.preview.live_reload import LiveReload
from support.preview.mailbox import mailbox_for
from support.preview.performance.settings import check_loads
from support.preview.sessions import PreviewClient
from support.preview.sweep import sweep
from support.preview.workspace import workspace_for

ENDPOINT = (rules.url, "an http(s) URL")
NAMES = ("cluster", "hermes_service", "edit_service", "sessions_table", "thread_table", "email_queue", "email_dlq",
         "preview_bucket", "hermes_log_group", "edit_log_group")
STAGE_MARKERS = ("email_received", "container_started", "instruction_done", "build_done", "upload_done",
                 "push_done")
# The tags by which a scenario says it needs a driver (support/drivers.py: which drivers a run must call).
CHAOS_CAPABILITIES = {"use.with_capability=container_kill", "use.with_capability=store_throttling"}
WORKSPACE_CAPABILITY = "use.with_capability=workspace_files"
PRICES = ("fargate_vcpu_hour_usd", "fargate_gb_hour_usd", "task_vcpu", "task_memory_gb",
          "dynamodb_million_reads_usd", "dynamodb_million_writes_usd", "logs_ingested_gb_usd")

SCHEMA = {
    "endpoints": {
        "ecs": (lambda v: v is None or rules.url(v), "an http(s) URL, or empty for AWS itself"),
        "load_balancer": ENDPOINT,
        # The embedded stack's chaos control APIs (support/preview/chaos.py); a remote target has none.
        "ecs_control": ENDPOINT,
        "hermes_control": ENDPOINT,
    },
    "names": {
        **{key: rules.NAME for key in NAMES},
        "preview_prefix": (lambda v: rules.text(v) and "{session}" in v, "a key prefix naming {session} (and {client})"),
    },
    "workspace": {
        "access": rules.one_of("local_directory", "ecs_exec"),
        "root": (rules.text, "a directory"),
        "container": (rules.text, "the edit container's name"),
        # Directories searched first for `aws` and `session-manager-plugin` (ecs_exec), before PATH.
        "tools_path": (lambda v: isinstance(v, list) and all(rules.text(item) for item in v), "a list of directories"),
    },
    "email": {
        "recipient": (lambda v: rules.text(v) and "{client}" in v, "an address template naming {client}"),
        "mailbox": rules.one_of("moto_outbox", "s3_inbox"),
        "inbox_bucket": (rules.text, "the bucket where the test domain's inbound mail lands"),
        "inbox_prefix": (rules.text, "a key prefix"),
    },
    "log_markers": {key: (rules.text, "the text the system logs at this stage") for key in STAGE_MARKERS},
    "limits": {
        "edit_service_max_tasks": rules.POSITIVE_WHOLE,
        "max_instruction_chars": rules.POSITIVE_WHOLE,
    },
    "chaos": {
        "driver": rules.one_of("stack_control", "ecs"),
        "throttled_writes": (lambda v: rules.whole(v) and 0 < v <= 1000, "a whole number from 1 to 1000"),
    },
    "costs": {
        "prices": {key: (rules.NOT_NEGATIVE[0], "a price or size, 0 or more") for key in PRICES},
        "session_limit_usd": rules.POSITIVE,
    },
    "performance": {
        "publish_metrics": rules.BOOL,
        "metrics_namespace": (rules.text, "a CloudWatch namespace"),
        "report_dir": (rules.text, "a directory for the JSON results"),
        "baseline": {
            "bucket": (rules.text, "the S3 bucket that keeps each run's summary"),
            "create_bucket": rules.BOOL,
            "regression_percent": rules.POSITIVE,
        },
        "generator": {
            "min_rate_share": rules.SHARE,
            "max_dispatch_lag_ms": rules.POSITIVE,
            "max_in_flight": rules.POSITIVE_WHOLE,
            "request_timeout_s": rules.POSITIVE,
        },
        "start_times": {
            "cold_starts": rules.POSITIVE_WHOLE,
            "warm_starts": rules.POSITIVE_WHOLE,
            "warm_share_of_cold": (lambda v: rules.number(v) and 0 < v < 1, "a share between 0 and 1, e.g. 0.5"),
        },
        "loads": (check_loads, "a mapping of load names to loads"),
        "host": HOST_SCHEMA,
    },
    # When true, a run in which a driver this section selects was never called fails (support/drivers.py).
    "prove_drivers": rules.BOOL,
    "budgets": rules.BUDGETS,
}


class PreviewArea(Area):
    name = "preview"
    title = "Preview platform"
    stack_areas = ("preview",)
    schema = SCHEMA
    optional = frozenset({"chaos", "chaos.throttled_writes", "endpoints.ecs", "endpoints.ecs_control",
                          "endpoints.hermes_control", "performance", "performance.host", "email.inbox_bucket",
                          "email.inbox_prefix", "workspace.root", "workspace.container",
                          "workspace.tools_path", "prove_drivers"})

    def check_profile(self, profile):
        section = profile.area(self.name)
        if section["email"]["mailbox"] == "s3_inbox" and not section["email"].get("inbox_bucket"):
            raise ProfileError(f"{profile.where('preview.email')}: missing key 'preview.email.inbox_bucket' "
                                    "(the s3_inbox mailbox needs it)")

    def clients(self, profile, run, userdata):
        section = profile.area(self.name)
        aws = AwsClients(profile["aws"], {"ecs": section["endpoints"].get("ecs")})
        load_balancer = section["endpoints"]["load_balancer"]
        calls = _driver_calls(section, aws)
        workspace = workspace_for(profile, aws, calls)
        preview = PreviewClient(Http(load_balancer), aws, profile, workspace, profile.interval)
        return {
            "driver_calls": calls,
            "preview_aws": aws,
            "workspace": workspace,
            "preview": preview,
            "email": EmailClient(aws, profile, preview, profile.interval),
            "mailbox": mailbox_for(profile, aws, calls),
            "costs": CostMeter(aws, section),
            "chaos": chaos_for(profile, aws, calls),
            "live_reload": LiveReload(load_balancer, profile.interval),
        }

    def absent_capabilities(self, section):
        driver = (section.get("chaos") or {}).get("driver")
        return {"ecs": {"store_throttling"}, None: {"container_kill", "store_throttling"}}.get(driver, set())

    def capabilities(self, clients):
        workspace = clients["workspace"]
        if not workspace.available:
            reporting.console(f"preview: workspace files cannot be checked here ({workspace.problem}); "
                              "the scenarios that need them are skipped")
        found = {"workspace_files"} if workspace.available else set()
        return found | clients["chaos"].capabilities

    def preflight(self, clients):
        preview = clients["preview"]
        problem = http_problem(preview.http, "/hermes/health", "the session API behind the load balancer",
                               "preview.endpoints.load_balancer")
        if problem:
            raise TargetUnreachable(problem)
        cluster = preview.names["cluster"]
        problem = aws_problem(lambda: clients["preview_aws"]("ecs").describe_clusters(clusters=[cluster])["clusters"],
                              f"ECS cluster {cluster!r} (preview.names.cluster)")
        if problem:
            raise TargetUnreachable(problem)

    def before_scenario(self, clients, scenario):
        clients["preview"].recent.clear()
        clients["costs"].start_scenario()

    def after_scenario(self, clients, scenario):
        clients["driver_calls"].scenario_ran(scenario.effective_tags)
        return clients["costs"].end_scenario(scenario.name, scenario.status.name)

    def diagnose(self, clients, scenario):
        return clients["preview"].diagnosis()

    def sweep(self, clients, prefix):
        with clients["driver_calls"].paused():
            return sweep(clients["preview"], clients["workspace"], prefix, clients["mailbox"])

    def after_run(self, clients, console):
        startups = clients["preview"].startups
        if startups:
            console(f"preview: {len(startups)} container startups, average {sum(startups) / len(startups):.2f} s")
        calls = clients["driver_calls"]
        console("preview drivers: " + "; ".join(calls.lines()))
        calls.write(reporting.results_dir())
        if calls.prove:
            calls.check_all_used()

    def close(self, clients):
        clients["preview"].http.close()
        clients["chaos"].close()
        clients["live_reload"].close()


def _driver_calls(section, aws):
    """The drivers this section selects, each counted where its calls are made: the AWS ones on the
    run's boto3 clients, the others (stack control, moto's outbox, ECS Exec) by the drivers themselves."""
    calls = DriverCalls(prove=bool(section.get("prove_drivers")))
    chaos = (section.get("chaos") or {}).get("driver")
    if chaos:
        calls.select("chaos", chaos, needed_when=lambda tags: bool(CHAOS_CAPABILITIES & set(tags)))
        if chaos == "ecs":
            calls.watch(aws("ecs"), "chaos", ["StopTask"])
    email = section["email"]
    calls.select("mailbox", email["mailbox"], needed_when=lambda tags: "email" in tags)
    if email["mailbox"] == "s3_inbox":
        calls.watch(aws("s3"), "mailbox", ["ListObjectsV2", "GetObject"],
                    when=lambda params: params.get("Bucket") == email["inbox_bucket"])
    if section["workspace"]["access"] == "ecs_exec":
        calls.select("workspace", "ecs_exec", needed_when=lambda tags: WORKSPACE_CAPABILITY in tags)
    calls.select("cost meter", "cloudwatch")
    calls.watch(aws("cloudwatch"), "cost meter", ["GetMetricStatistics"],
                when=lambda params: params.get("Namespace") == "AWS/DynamoDB")
    performance = section.get("performance")
    if performance:
        baseline = performance["baseline"]["bucket"]
        calls.select("baselines", "s3", needed_when=lambda tags: "performance" in tags)
        calls.watch(aws("s3"), "baselines", ["GetObject", "PutObject", "CreateBucket"],
                    when=lambda params: params.get("Bucket") == baseline)
        if performance["publish_metrics"]:
            calls.select("performance metrics", "cloudwatch", needed_when=lambda tags: "performance" in tags)
            calls.watch(aws("cloudwatch"), "performance metrics", ["PutMetricData"],
                        when=lambda params: params.get("Namespace") == performance["metrics_namespace"])
    return calls


AREA = PreviewArea()
