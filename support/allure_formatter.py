"""allure-behave's formatter, plus labels derived from tags (epic, severity).

allure-behave ignores label calls made inside steps, so labels are added where it builds each
test result, and a skipped scenario's reason is added before the result is written; the console output keeps the tags exactly as written in the feature.
`ALLURE_RESULTS_DIR` sends the results elsewhere than behave.ini's `allure-results/` (the suite's
own tests use it so they never touch a user's results).
"""
import os

import allure_commons
from allure_behave.formatter import AllureFormatter as _AllureFormatter
from allure_behave.listener import AllureListener
from allure_commons.model2 import Label, StatusDetails
from behave.formatter.base import StreamOpener

from support.reporting import results_dir, scenario_labels, skip_reason


class _LabellingListener(AllureListener):
    def __init__(self, behave_config):
        super().__init__(behave_config)
        self._skip_reasons = {}

    def start_scenario(self, scenario):
        super().start_scenario(scenario)
        test = self.logger.get_test(self.current_scenario_uuid)
        test.labels.extend(Label(name=name, value=value) for name, value in scenario_labels(scenario))

    def stop_scenario(self, scenario):
        if getattr(scenario.status, "name", scenario.status) == "skipped" and self.current_scenario_uuid:
            self._skip_reasons[self.current_scenario_uuid] = skip_reason(scenario, self.behave_config)
        super().stop_scenario(scenario)

    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result):
        """allure-behave records no reason for a skipped scenario; the summary and the report show one."""
        reason = self._skip_reasons.pop(result.uuid, None)
        if reason and result.status == "skipped" and not result.statusDetails:
            result.statusDetails = StatusDetails(message=reason)


class AllureFormatter(_AllureFormatter):
    def __init__(self, stream_opener, config):
        if os.environ.get("ALLURE_RESULTS_DIR"):
            stream_opener = StreamOpener(filename=results_dir())
        super().__init__(stream_opener, config)
        allure_commons.plugin_manager.unregister(self.listener)
        self.listener = _LabellingListener(config)
        allure_commons.plugin_manager.register(self.listener)
