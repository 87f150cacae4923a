@preview @cost @serial
Feature: An editing session costs what one container costs
  As the owner of the platform's bill
  I want each editing session to keep one container only while it works
  So that a test run, like a customer's edit, costs fractions of a cent

  @id.preview.run_cost.session_cost
  Scenario: One session's cost is measured and stays within the session cost limit
    Given a site owner's session has finished the instruction "Create page D"
    And the session has been shut down after going idle
    When the cost of the scenario so far is estimated
    Then the estimate counts container time, session store requests and log volume
    And the estimate stays within the session cost limit

  @id.preview.run_cost.refused_costs_nothing
  Scenario: A refused request starts no container, so it costs no container time
    When someone asks for a session with no client
    Then the request is refused with a reason that names the client
    And no session or container was created
