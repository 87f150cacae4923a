"""Breaking the gateway on purpose: the embedded gateway's control API makes the attribution stage
fail and restores it. A deployment without a control URL lacks the `attribution_failure` capability."""
import httpx


class AttributionControl:
    def __init__(self, control_url):
        self.url = control_url.rstrip("/") + "/control/attribution" if control_url else None

    @property
    def available(self):
        return self.url is not None

    def set_failing(self, failing):
        answer = httpx.put(self.url, json={"failing": failing}, timeout=5)
        if answer.status_code != 200 or answer.json().get("failing") is not failing:
            raise AssertionError(f"the gateway's control API did not set attribution failing={failing}: "
                                 f"{answer.status_code} {answer.text[:200]}")
