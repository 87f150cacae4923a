"""Everything the guardian's steps use against one deployment, built once per run from the
profile's guardian section: the operations API client, the store reader and the section's facts."""
from support.guardian.client import GuardianClient
from support.guardian.inspection import run as run_check
from support.guardian.inspection import snapshot
from support.guardian.resources import resource_names
from support.guardian.store import GuardianStore


class Guardian:
    def __init__(self, section, aws, profile_name):
        self.section, self.aws, self.profile_name = section, aws, profile_name
        self.project, self.env = section["project"], section["env"]
        self.client = GuardianClient(section["base_url"])
        self.store = GuardianStore(aws, self.project, self.env)
        self.names = resource_names(self.project, self.env)
        #: every organisation a scenario of this run used: consent is found again only through them
        self.organisations = set()

    @property
    def threshold(self):
        return self.section["breaker"]["threshold"]

    @property
    def separator(self):
        return self.section["breaker"]["key_separator"]

    def scope(self, which):
        return self.section["consent"][f"{which}_scope"]

    @property
    def brand(self):
        return self.section["redaction"]["brand"]

    @property
    def retention_days(self):
        return self.section["retention_days"]

    def check(self, project=None, env=None):
        """The infrastructure check's differences for this deployment (or another one), and its report."""
        lines = []
        found = run_check(self.aws, project or self.project, env or self.env, out=lines.append)
        return found, lines

    def snapshot(self, project, env):
        return snapshot(self.aws, resource_names(project, env))

    def close(self):
        self.client.close()
