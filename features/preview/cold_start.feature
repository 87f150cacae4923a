@preview @serial
Feature: A site owner's first edit wakes the platform from zero
  As a site owner who sends an editing instruction
  I want my preview to come alive quickly even when nothing is running
  So that idle infrastructure costs nothing and still feels instant

  Background:
    Given no edit containers are running

  @smoke @id.preview.cold_start.first_instruction @use.with_capability=workspace_files
  Scenario: A first instruction starts a container and shows the change
    When a site owner asks to "Add a new page called "Test Page""
    Then the session is recorded for that site owner
    And an edit container is ready within the cold start budget
    And the preview shows a page titled "Test Page"
    And the page "Test Page" is saved in the site owner's workspace
    And the preview is published for sharing
    And the platform's logs show the instruction, build, upload and push stages of the session

  @smoke @id.preview.cold_start.idle_shutdown
  Scenario: An idle session is shut down and the platform returns to zero
    Given a site owner's session has finished the instruction "Create page A"
    When the site owner sends nothing more
    Then no edit containers are running within the idle shutdown budget
    And the session is marked as expired within the session expiry budget

  @id.preview.cold_start.not_understood @use.with_capability=workspace_files
  Scenario: An instruction the platform does not understand fails clearly and changes nothing
    When a site owner asks to "Make the logo dance"
    Then the session reports that the instruction was not understood
    And nothing was committed to the site owner's workspace

  @id.preview.cold_start.malformed_activation
  Scenario Outline: An activation with missing or malformed details is refused and creates nothing
    When someone asks for a session with <problem>
    Then the request is refused with a reason that names the <detail>
    And no session or container was created

    Examples:
      | problem                              | detail      |
      | no client                            | client      |
      | no user                              | user        |
      | no instruction                       | instruction |
      | a user name with path characters     | user        |
      | a client name with path characters   | client      |
      | an instruction that is not text      | instruction |
      | an instruction that is far too long  | instruction |
