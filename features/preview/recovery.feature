@preview @destructive @serial
Feature: The platform recovers from crashes and rushes without losing work or leaving debris
  As a site owner in the middle of editing
  I want a crash or a rush of requests to cost me no more than a short wait
  So that my work is safe and nothing is left running at my expense

  Background:
    Given no edit containers are running

  @use.with_capability=container_kill @id.preview.recovery.crashed_container_replaced @use.with_capability=workspace_files
  Scenario: A crashed edit container is replaced and the session carries on
    Given a site owner's session has finished the instruction "Create a components/Header.astro file"
    When the container process of the session crashes
    Then the edit service replaces the container within the recovery budget
    And the session's preview is back within the recovery budget
    And the component "Header" is still in the site owner's workspace within the persistence check budget

  @use.with_capability=store_throttling @id.preview.recovery.throttled_rush @use.with_capability=workspace_files
  Scenario: A rush of activations while the session store throttles leaves nothing behind
    Given the session store is throttling writes
    When 20 site owners of one site ask for sessions at the same moment
    Then at least one of them gets a session
    And every other is asked to try again
    And nothing is left behind by the refused requests

  @id.preview.recovery.end_unknown_session
  Scenario Outline: Ending a session that is not there changes nothing
    When someone ends <session>
    Then the platform answers that there is no such session
    And nothing was recorded for that session

    Examples:
      | session                           |
      | a session that does not exist     |
      | a session id with path characters |
