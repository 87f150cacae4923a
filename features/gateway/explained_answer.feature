@gateway
Feature: An explained answer
  As an application that asks the gateway to explain its answers
  I want each explained answer to come with a trace that finishes as a valid hypergraph
  So that I can show my users why the model answered as it did

  @id.gateway.explained_answer.trace_completes @smoke
  Scenario: An explained answer comes with a trace that completes as a valid hypergraph
    When tenant A asks for an answer explained sentence by sentence
    Then the answer arrives with a trace reference the gateway knows
    And the trace completes within the trace complete budget
    And the trace's graph is a valid hypergraph explained sentence by sentence

  @id.gateway.explained_answer.token_graph
  Scenario: An answer explained token by token is a graph of tokens
    When tenant A asks for an answer explained token by token
    Then the trace completes within the trace complete budget
    And the trace's graph is a valid hypergraph explained token by token

  @id.gateway.explained_answer.live_stream
  Scenario: The trace's live stream announces its progress and its completion
    Given tenant A has asked for an answer explained token by token
    When tenant A follows the trace's live stream
    Then the stream announces progress through the stages in order
    And the stream ends by announcing the completion

  @id.gateway.explained_answer.webhook
  Scenario: A registered webhook receives the completion, signed with the secret
    Given tenant A has asked for an answer explained token by token
    When tenant A registers a webhook with a secret for the trace
    Then the webhook receives the trace's completion within the webhook delivery budget
    And the webhook's signature verifies with the secret

  @id.gateway.explained_answer.streamed
  Scenario: A streamed answer arrives in pieces and ends properly
    When tenant A asks for an answer to be streamed
    Then the answer arrives in several pieces of text and ends properly
