@guardian
Feature: The guardian redacts secrets and can prove a redaction was not tampered with
  As a security engineer
  I want every secret in a finding's text replaced and the result signed with a key that can be rotated
  So that secrets never leave the engine and a rotation never breaks what was redacted before

  @id.guardian.redaction.every_match @smoke
  Scenario: Every secret in a text is replaced and the result is signed
    When a text with 3 secrets is redacted
    Then none of the secrets is left in the redacted text and 3 replacements are reported
    And the redacted text carries the brand and a 64-character signature with the nonce version
    And the redaction is valid

  @id.guardian.redaction.tampering
  Scenario Outline: A redaction whose <part> was changed is not valid
    Given a text with 2 secrets was redacted
    When the redaction's <part> is changed
    Then the redaction is not valid

    Examples:
      | part      |
      | text      |
      | signature |

  @id.guardian.redaction.rotation @destructive @serial
  Scenario: After a rotation new redactions use the new nonce and earlier ones stay valid
    Given a text with 2 secrets was redacted
    When the redaction nonce is rotated
    Then a new nonce version exists and the previous one is kept unchanged
    And a new redaction uses the new nonce version
    And the text redacted before the rotation is still valid
