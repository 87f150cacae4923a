@gateway
Feature: The gateway's books are honest
  As the operator who answers for the gateway
  I want its metrics to count exactly what happened, under the real tenant, and its audit log to
  record each security event once without secrets or personal data
  So that dashboards, bills and investigations can be trusted

  @id.gateway.books.metrics @serial
  Scenario: Every counter rises by exactly what was sent, under the tenant's own label
    When tenant A sends 3 chats, 2 chats with its read-only token and reads until refused twice
    Then the request, chat, rate-limit and denial counters rose by exactly that under tenant A's label
    And no metric label holds a trace reference

  @id.gateway.books.audit @serial @use.with_capability=audit_log
  Scenario: Each audited event is written once, without secrets or personal data
    When tenant A asks for an explained answer to a message with an e-mail address and a phone number
    And tenant A registers a webhook with a secret for the trace
    And tenant A's read-only user tries to cancel the trace
    Then the audit log records each of those events once, with tenant, subject, trace and path
    And no audit line holds a token, the credentials, the e-mail address or the phone number
