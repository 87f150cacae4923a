@preview @performance @serial
Feature: A site owner's running container makes the next start fast
  As a site owner who sends one instruction after another
  I want my next session to start on the container that is already running
  So that only my first edit waits for a container to start

  A cold start needs a new edit container; a warm start is handed to the site owner's container
  that is still running. Each start is timed from the request to the platform's own log event of
  the preview's upload.

  @perf_smoke @id.performance.start_times.warm_start_budget
  Scenario: Starting again while the container still runs stays within the warm start budget
    Given a site owner's session has started
    When the site owner starts again several times while the container runs
    Then every warm start is within the warm start budget

  @perf_smoke @id.performance.start_times.warm_share_of_cold
  Scenario: A warm start takes a fraction of the time of a cold start
    When several site owners each start from zero and then again while their container runs
    Then the average warm start takes less than its share of the average cold start
