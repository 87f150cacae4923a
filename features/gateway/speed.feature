@gateway
Feature: Explanations arrive quickly under steady load
  As an application that shows explanations next to answers
  I want explanations to be ready within the agreed latency while chats keep arriving
  So that users see why the model answered before they move on

  @id.gateway.speed.explanation_latency @serial
  Scenario Outline: Explanation latency stays within its budget while chats arrive steadily
    When chats arrive steadily for a short while and some of them ask for explanations <how>
    Then every explanation completes
    And the 95th percentile of explanation latency is within the <budget> budget

    Examples:
      | how                  | budget               |
      | sentence by sentence | explain p95 sentence |
      | token by token       | explain p95 token    |
