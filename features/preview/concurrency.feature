@preview @serial
Feature: Site owners editing at the same moment each get their own container and workspace
  As one of several people editing a site at the same time
  I want my session, my container and my workspace to be mine alone
  So that nobody's change ends up in somebody else's site

  Background:
    Given no edit containers are running

  @id.preview.concurrency.simultaneous_owners @use.with_capability=workspace_files
  Scenario: Three site owners start sessions at the same moment and stay apart
    When these site owners of one site ask at the same moment:
      | site owner | instruction   | page   |
      | first      | Create page A | Page A |
      | second     | Create page B | Page B |
      | third      | Create page C | Page C |
    Then every site owner has a session recorded for them
    And the edit service runs between one and its maximum number of containers within the concurrent start budget
    And each site owner's page is in that owner's workspace and in no other
    And the other site owners' sessions expire within the idle shutdown budget while the first keeps working
    And the first site owner's session is still active
    When the first site owner sends nothing more
    Then no edit containers are running within the idle shutdown budget

  @id.preview.concurrency.beyond_capacity @use.with_capability=workspace_files
  Scenario: A site owner beyond the platform's capacity is asked to try again and nobody else's work is touched
    Given site owners of one site are using every edit container the platform has
    When one more site owner of that site asks to "Create page D"
    Then no other site owner's workspace was changed
    And that site owner is asked to try again later
    And no session was recorded for that site owner

  @id.preview.concurrency.malformed_requests_take_no_capacity
  Scenario: Malformed requests for sessions take none of the platform's capacity
    Given these malformed requests for sessions were refused:
      | problem                             |
      | no user                             |
      | an instruction that is not text     |
      | a client name with path characters  |
      | an instruction that is far too long |
    When these site owners of one site ask at the same moment:
      | site owner | instruction   | page   |
      | first      | Create page A | Page A |
      | second     | Create page B | Page B |
      | third      | Create page C | Page C |
    Then every site owner has a session recorded for them
