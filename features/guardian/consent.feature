@guardian
Feature: The guardian respects an organisation's consent
  As an organisation that uses the rule engine
  I want my consent to count only for what I agreed to, only while it lasts, and my identity kept out of storage
  So that nothing is done with my data that I did not allow

  Background:
    Given an organisation of the run's own

  @id.guardian.consent.granted @smoke
  Scenario: Granted consent is valid for its own scope only
    When the organisation grants consent for the primary scope until tomorrow
    Then consent for the primary scope is valid because it was granted
    And consent for the secondary scope is not valid because none was given

  @id.guardian.consent.revoked
  Scenario: Revoked consent is not valid
    Given the organisation granted consent for the primary scope until tomorrow
    When the organisation revokes its consent for the primary scope
    Then consent for the primary scope is not valid because it was revoked

  @id.guardian.consent.expired
  Scenario: Expired consent is not valid
    When the organisation grants consent for the primary scope until an hour ago
    Then consent for the primary scope is not valid because it expired

  @id.guardian.consent.hashed
  Scenario: The organisation is stored only as the SHA-256 of its id
    When the organisation grants consent for the primary scope until tomorrow
    Then the stored consent is keyed by the SHA-256 of the organisation's id
    And the organisation's id appears nowhere in the stored consent
