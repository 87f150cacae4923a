@gateway
Feature: Nothing the gateway publishes is left open
  As a security reviewer
  I want every operation the gateway publishes to refuse callers without credentials and bad requests
  So that no endpoint added later is quietly open to anyone

  @id.gateway.published_api.no_open_operation
  Scenario: Every published operation refuses callers without credentials and malformed requests
    Given the operations the gateway publishes, except its public health, metrics and description
    When each is called without credentials, then with credentials and a malformed request
    Then every call without credentials is refused with an invitation to authenticate
    And every malformed request is refused with a reason, never accepted and never a server error
