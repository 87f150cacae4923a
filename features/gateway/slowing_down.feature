@gateway
Feature: The gateway says "slow down" instead of falling over
  As a tenant sharing the gateway with others
  I want a busy tenant to be told when to come back while everyone else is served
  So that no single tenant or burst can take the gateway down

  @id.gateway.slowing_down.rate_limit @serial
  Scenario: A tenant over its rate is told when to come back, and another tenant is unaffected
    Given tenant B has been quiet long enough for its whole burst to be available
    When tenant B reads faster than its read rate allows
    Then tenant B is told to come back later with a wait in whole seconds
    And only after its burst of reads was used up
    And at that moment tenant A is still served

  @id.gateway.slowing_down.queue_burst @serial
  Scenario: A burst beyond the queue is partly refused and every accepted trace still completes
    When tenant B asks for a burst of explained answers beyond what the queue holds
    Then some are accepted and the rest are told to come back later with a wait in whole seconds
    And the metrics count every refusal for the queue under tenant B
    And every accepted trace completes with a valid hypergraph within the queue burst budget
