@gateway
Feature: Only callers with the right token may use the gateway
  As a tenant of the explanation gateway
  I want every request checked for who is calling and what they may do
  So that nobody spends my quota or reaches my data without permission

  @id.gateway.access.refused @serial
  Scenario Outline: A caller without the right credentials is refused with the reason and nothing is created
    When <caller> asks for an explained answer
    Then the gateway refuses the request because <reason>
    And no answer or trace was created

    Examples:
      | caller                                     | reason                           |
      | someone without credentials                | credentials are missing          |
      | someone with a password instead of a token | the scheme is not a bearer token |
      | someone with an unknown token              | the token is not valid           |
      | tenant A's read-only user                  | the token lacks the write scope  |

    @use.with_capability=tenantless_token
    Examples: A token the deployment maps to no tenant
      | caller                                   | reason                  |
      | someone whose token belongs to no tenant | the token has no tenant |

  @id.gateway.access.scopes
  Scenario: Each scope allows its own operations and no others
    Given tenant A has an explained answer whose trace has completed
    Then tenant A's read-only user can read the trace but cannot cancel it
    And tenant A's write-only user cannot read the trace
