@preview @serial
Feature: The load balancer takes every request to the right place
  As a site owner who opens a preview link, and as an operator who watches the platform
  I want every address to reach the part of the platform it names
  So that previews, live reload and health checks all work from one address

  @id.preview.routing.health_and_preview
  Scenario: Health checks and a session's preview answer through the load balancer
    Given a site owner's session has finished the instruction "Create page R"
    Then the session service reports healthy through the load balancer
    And the edit service reports healthy through the load balancer
    And the session's preview is served under its own address

  @id.preview.routing.unknown_session_not_found
  Scenario: The preview of a session that does not exist is not found
    When someone opens the preview of a session that does not exist
    Then the platform answers that it was not found

  @id.preview.routing.no_target_unavailable
  Scenario: With no edit container running the edit service is unavailable
    Given no edit containers are running
    When someone calls the edit service
    Then the platform answers that it is unavailable

  @id.preview.routing.live_reload
  Scenario: An open preview reloads when the site owner's next instruction changes a page
    Given a site owner's session has finished the instruction "Create page A"
    When the site owner opens the preview with live reload
    Then the live reload connection is open through the load balancer
    When the site owner's next instruction is "Create page B"
    Then the preview is told to reload within the live reload budget

  @id.preview.routing.live_reload_refused
  Scenario Outline: Live reload for a session that is not there is refused with a reason
    When someone opens live reload for <session>
    Then the live reload request is refused with a reason

    Examples:
      | session                           |
      | no session                        |
      | a session that does not exist     |
      | a session id with path characters |
