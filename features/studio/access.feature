@studio
Feature: Only an administrator of the tenant may operate the studio
  As the owner of a tenant's routing and economics
  I want every caller who is not one of the tenant's administrators turned away
  So that nobody else can move traffic or read margins, and a refusal changes nothing

  Background:
    Given the studio's golden dataset is available

  @id.studio.access.not_admin_refused @serial
  Scenario Outline: A caller who is not an administrator of the tenant cannot change routing
    Given the effect's routing is in place
    When <caller> tries to route the effect to another variant
    Then the request is refused because <reason>
    And the effect's routing is unchanged

    Examples:
      | caller                                                  | reason                           |
      | someone without a token                                 | the caller is not signed in      |
      | a signed-in user who is not an administrator            | administrator access is required |
      | an administrator without a tenant                       | a tenant is required             |
      | an administrator calling the studio's central address   | a tenant is required             |

  @id.studio.access.executor_wrong_secret
  Scenario: A dispatch executor with the wrong secret is turned away and records nothing
    Given a smoke load test is waiting to start
    When the executor submits dispatches for it with a wrong secret
    Then the request is refused because the executor secret is wrong
    And no dispatch was recorded for the load test
