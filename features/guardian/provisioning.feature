@guardian
Feature: The guardian's environment is provisioned as agreed
  As an operator of the rule engine
  I want every table, parameter and bucket the guardian relies on to be there and set up as agreed
  So that a misconfiguration is found by a check, not by a lost review or a leaked secret

  @id.guardian.provisioning.as_agreed @smoke
  Scenario Outline: The <resource> is provisioned as agreed
    When the operator checks the guardian's infrastructure
    Then the check finds the <resource> as agreed

    Examples:
      | resource                    |
      | false-positive events table |
      | consent table               |
      | block counter table         |
      | redaction nonce             |
      | baselines bucket            |

  @id.guardian.provisioning.misconfigured
  Scenario: A misconfigured environment is reported difference by difference and left as it was
    Given an environment of the run's own where:
      | defect                            |
      | stored events never expire        |
      | baselines are not versioned       |
      | the redaction nonce is plain text |
    When the operator checks that environment's infrastructure
    Then the check reports exactly these differences:
      | resource                    | aspect                 |
      | false-positive events table | expiry (TTL) attribute |
      | redaction nonce             | parameter type         |
      | baselines bucket            | versioning             |
    And the check changed nothing in that environment
