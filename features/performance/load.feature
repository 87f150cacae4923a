@preview @performance @serial
Feature: Sessions keep starting under steady and sudden load
  As the operator of the platform
  I want sessions that arrive steadily or all at once to start, or to be told clearly to come back
  So that a busy hour neither slows everyone down nor leaves half-made sessions behind

  Site owners arrive on a fixed schedule, whatever the platform does, and every time is measured
  from the moment a session was due, so a platform that falls behind cannot hide it. A run whose
  load could not be sent on schedule is reported as invalid instead of being judged.

  Background:
    Given no edit containers are running

  @perf_smoke @id.performance.load.steady_arrivals
  Scenario: Sessions arriving steadily for a short while start quickly within the containers' limits
    When site owners start sessions steadily for the short sustained period
    Then the time for sessions to start meets its thresholds
    And the share of sessions that start meets its thresholds
    And the edit containers' processor use meets its thresholds
    And the edit containers' memory use meets its thresholds

  @perf_smoke @id.performance.load.burst
  Scenario: A burst of site owners at once is served or clearly refused, and leaves nothing behind
    When site owners start sessions all at once in a burst
    Then the share of sessions that start meets its thresholds
    And every site owner who was refused was told clearly to try again
    And nothing is left behind for the site owners who were refused
