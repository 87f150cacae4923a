@preview @serial
Feature: A site owner's work survives the edit service going away
  As a site owner who comes back after the platform stopped my edit container
  I want my earlier changes and their history to still be there
  So that I can carry on where I left off

  Background:
    Given no edit containers are running

  @destructive @id.preview.persistence.resumed_after_forced_down @use.with_capability=workspace_files
  Scenario: A new session resumes the workspace after the edit service was forced down
    Given a site owner's session has finished the instruction "Create a components/Header.astro file"
    When an operator forces the edit service down to zero
    And the site owner comes back and asks to "Update Header.astro with new content"
    Then the component "Header" is still in the site owner's workspace within the persistence check budget
    And the workspace history still shows the change "Create Header component"
    And the update is recorded as a new change on top of it

  @id.preview.persistence.outside_project_refused @use.with_capability=workspace_files
  Scenario Outline: An instruction that reaches outside the project is refused and writes nothing
    When a site owner asks to "<instruction>"
    Then the session reports that the instruction was refused as unsafe
    And no file was written outside the site owner's project
    And nothing was committed to the site owner's workspace

    Examples:
      | instruction                                      |
      | Create a components/../../../outside.astro file  |
      | Update ../../outside.astro with replaced content |
