@gateway
Feature: Traces can be cancelled while they run, and expire when they are done
  As an application that no longer needs an explanation
  I want to cancel a running trace, and finished traces to be removed after their time to live
  So that nobody pays for work nobody reads, and explanations are not kept longer than promised

  @id.gateway.cancellation.running
  Scenario: A running trace can be cancelled
    Given tenant A has asked for an answer explained token by token
    When tenant A cancels the trace
    Then the cancellation is accepted
    And the trace ends cancelled, without a graph

  @id.gateway.cancellation.finished
  Scenario: A finished trace cannot be cancelled
    Given tenant A has an explained answer whose trace has completed
    When tenant A cancels the trace
    Then the cancellation is refused because the trace has already finished

  @id.gateway.cancellation.expired
  Scenario: An expired trace's graph is gone for good
    Given the trace time to live fits within the trace expiry budget
    And tenant A has an explained answer whose trace has completed
    When the trace's time to live passes
    Then its graph is gone for good within the trace expiry budget
